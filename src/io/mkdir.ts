/**
 * `mkdir -p` that reports the real cause of a failure. Node's recursive mkdir answers ENOENT ("no such file or
 * directory") when the parent is on a read-only file system, where a plain mkdir says EROFS (Node 20, measured): the
 * user would be told a folder is missing when the disk is read-only. On ENOENT the first missing folder is created
 * alone, which fails with the true errno.
 */
import * as fs from 'fs';
import * as path from 'path';

export async function makeDir(dir: string): Promise<void> {
  try {
    await fs.promises.mkdir(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw trueCause(dir) ?? e;
  }
}

/** The error of creating the first missing folder on the way to `dir`, or undefined if that one can be created. */
function trueCause(dir: string): unknown {
  let missing = path.resolve(dir);
  while (!fs.existsSync(path.dirname(missing)) && path.dirname(missing) !== missing) missing = path.dirname(missing);
  try {
    fs.mkdirSync(missing);
  } catch (e) {
    return e;
  }
  fs.rmdirSync(missing); // it could be made after all: the recursive failure had another cause
  return undefined;
}
