/**
 * Atomic file replacement: a reader (or a process restarted after a crash) sees either the previous file or the
 * complete new one, never a prefix. The recipe is the usual POSIX one: write a temporary file in the same directory
 * (rename is only atomic within one file system), fsync it so its bytes are on disk before the name points at them,
 * rename over the target, then fsync the directory so the rename itself survives a power loss.
 *
 * A failed write (full disk, read-only or unwritable folder) removes its temporary file and throws the operating
 * system's error with the target's path in it, not the temporary name, for the CLI to report (exit 2).
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { userError } from '../diagnostics/diagnostic';
import { fileKind } from './read';

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

/**
 * Test hook: with `NETSPEC_TEST_FAIL_WRITES=ENOSPC` (or any errno code) every atomic write fails the way the system
 * call would, after its temporary file exists, so tests can check the cleanup and the message through the real CLI
 * where no full disk or read-only mount can be arranged.
 */
export const FAIL_WRITES_ENV = 'NETSPEC_TEST_FAIL_WRITES';

function injectedFailure(target: string): void {
  const code = process.env[FAIL_WRITES_ENV];
  if (!code) return;
  throw Object.assign(new Error(`${code}: injected failure, write '${target}'`), { code, syscall: 'write', path: target });
}

/**
 * Replacing a device or a FIFO by a regular file is never what was meant (as root, `--out /dev/full` would delete the
 * device), and a directory cannot be replaced: both are refused before anything is written.
 */
function checkTarget(target: string): void {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(target);
  } catch {
    return; // absent (or unreachable: the open of the temporary file reports why)
  }
  if (stats.isFile()) return;
  throw userError('io/not-a-file', `cannot write ${target}: it is ${fileKind(stats)}, which netspec does not replace`, {
    hint: 'give the path of a regular file (it is replaced atomically) or of a file that does not exist yet',
  });
}

/**
 * The system's error about the temporary file, retold about the file the caller asked for (a failed `write` names no
 * path at all: it gets the target's).
 */
function aboutTarget(e: unknown, tmp: string, target: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === undefined || (err.path !== undefined && err.path !== tmp)) return e;
  err.path = target;
  err.message = err.message.includes(tmp) ? err.message.split(tmp).join(target) : `${err.message}, '${target}'`;
  return e;
}

/** Writes `contents` to `target` atomically (see the module comment). */
export function writeFileAtomicSync(target: string, contents: FileChunks): void {
  checkTarget(target);
  const tmp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    injectedFailure(target);
    for (const chunk of asChunks(contents)) writeAll(fd, chunk);
    fs.fsyncSync(fd);
    const closing = fd;
    fd = undefined;
    fs.closeSync(closing);
    beforeRename.hook?.(target);
    fs.renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) closeQuietly(() => fs.closeSync(fd!));
    fs.rmSync(tmp, { force: true });
    throw aboutTarget(e, tmp, target);
  }
  fsyncDirSync(path.dirname(target));
}

/** Async form of `writeFileAtomicSync`, for large files written while other work continues. */
export async function writeFileAtomic(target: string, contents: FileChunks): Promise<void> {
  checkTarget(target);
  const tmp = tempPathFor(target);
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'wx', 0o644);
    injectedFailure(target);
    for (const chunk of asChunks(contents)) {
      const bytes = toBytes(chunk);
      let offset = 0;
      while (offset < bytes.byteLength) offset += (await handle.write(bytes, offset)).bytesWritten;
    }
    await handle.sync();
    const closing = handle;
    handle = undefined;
    await closing.close();
    beforeRename.hook?.(target);
    await fs.promises.rename(tmp, target);
  } catch (e) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw aboutTarget(e, tmp, target);
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

/** Closing after a failed write: the write's own error is the one worth reporting. */
function closeQuietly(close: () => void): void {
  try {
    close();
  } catch {
    // the descriptor is released either way
  }
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
