/**
 * Atomic file replacement: a reader (or a process restarted after a crash) sees either the previous file or the
 * complete new one, never a prefix. The recipe is the usual POSIX one: write a temporary file in the same directory
 * (rename is only atomic within one file system), fsync it so its bytes are on disk before the name points at them,
 * rename over the target, then fsync the directory so the rename itself survives a power loss.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';

export type FileContents = string | Uint8Array;
/** One buffer, or a sequence of them (a generator lets a checkpoint stream tensors without concatenating them). */
export type FileChunks = FileContents | Iterable<FileContents>;

/** Test hook, set only by src/io/test-pause.ts: runs when a temporary file is complete, before its rename. */
export const beforeRename: { hook?: (target: string) => void } = {};

/** Temporary names start with the target's name so a crashed write is easy to recognise and clean up. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** True for names produced by `tempPathFor` (leftovers of a write that was killed before its rename). */
export function isTempPath(file: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(path.basename(file));
}

/** Writes `contents` to `target` atomically (see the module comment). */
export function writeFileAtomicSync(target: string, contents: FileChunks): void {
  const tmp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    for (const chunk of asChunks(contents)) writeAll(fd, chunk);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    beforeRename.hook?.(target);
    fs.renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDirSync(path.dirname(target));
}

/** Async form of `writeFileAtomicSync`, for large files written while other work continues. */
export async function writeFileAtomic(target: string, contents: FileChunks): Promise<void> {
  const tmp = tempPathFor(target);
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'wx', 0o644);
    for (const chunk of asChunks(contents)) {
      const bytes = toBytes(chunk);
      let offset = 0;
      while (offset < bytes.byteLength) offset += (await handle.write(bytes, offset)).bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    beforeRename.hook?.(target);
    await fs.promises.rename(tmp, target);
  } catch (e) {
    if (handle !== undefined) await handle.close();
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  fsyncDirSync(path.dirname(target));
}

/** JSON with a trailing newline and two-space indentation, so run files diff well. */
export function writeJsonAtomicSync(target: string, value: unknown): void {
  writeFileAtomicSync(target, `${JSON.stringify(value, null, 2)}\n`);
}

export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/** Removes temporary files left by writes that were killed before their rename. Returns the removed paths. */
export function removeStaleTempFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!isTempPath(name)) continue;
    const file = path.join(dir, name);
    fs.rmSync(file, { force: true });
    removed.push(file);
  }
  return removed;
}

function asChunks(contents: FileChunks): Iterable<FileContents> {
  return typeof contents === 'string' || contents instanceof Uint8Array ? [contents] : contents;
}

function toBytes(chunk: FileContents): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

function writeAll(fd: number, chunk: FileContents): void {
  const bytes = toBytes(chunk);
  let offset = 0;
  while (offset < bytes.byteLength) offset += fs.writeSync(fd, bytes, offset, bytes.byteLength - offset);
}

/** Makes a rename durable. Some platforms (Windows) cannot open or fsync a directory; there it is a no-op. */
function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw e;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
