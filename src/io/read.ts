/**
 * Bounded reads of regular files. `fs.readFileSync('/dev/zero')` never returns, a FIFO blocks the process until some
 * writer appears, and a 3 GB file throws Node's own RangeError: every input netspec reads (data, model files) goes
 * through here instead, so each of those is a clear error before any byte is read.
 *
 * The file is opened with O_NONBLOCK (an open of a FIFO with no writer would otherwise wait forever; on a regular
 * file the flag does nothing) and checked with fstat on that descriptor, so what is checked is what is read.
 */
import * as fs from 'fs';
import type { DiagnosticError } from '../diagnostics/diagnostic';
import { environmentHint } from '../diagnostics/environment';

/** Builds the caller's error (a data error, a model-file error …) from a problem and what to do about it. */
export type ReadFailure = (problem: string, hint?: string) => DiagnosticError;

export interface OpenFile {
  fd: number;
  size: number;
}

/** What a non-regular file is, in words, for messages. */
export function fileKind(stats: fs.Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

const REGULAR_ONLY = 'give a regular file (special files such as /dev/zero or pipes are not read)';

/** Opens `file` for reading if it is a regular file; anything else (or an errno failure) becomes `fail(…)`. */
export function openRegularFile(file: string, fail: ReadFailure): OpenFile {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw errnoFailure(e, fail);
  }
  const stats = fs.fstatSync(fd);
  if (!stats.isFile()) {
    fs.closeSync(fd);
    throw fail(`is ${fileKind(stats)}, not a regular file`, REGULAR_ONLY);
  }
  return { fd, size: stats.size };
}

/** Fails unless `file` is a regular file this process can open, without reading any of it. */
export function checkRegularFile(file: string, fail: ReadFailure): void {
  fs.closeSync(openRegularFile(file, fail).fd);
}

/** Up to `length` bytes from `position` (fewer at the end of the file). */
export function readAt(fd: number, length: number, position = 0): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/** The whole of a regular file of at most `maxBytes` bytes; `what` names the limit in the message ("a model file"). */
export function readRegularFile(file: string, maxBytes: number, fail: ReadFailure, what = 'a file'): Buffer {
  const { fd, size } = openRegularFile(file, fail);
  try {
    if (size > maxBytes) throw fail(`${formatBytes(size)}: more than the ${formatBytes(maxBytes)} netspec reads for ${what}`);
    return readAt(fd, size);
  } finally {
    fs.closeSync(fd);
  }
}

/** An errno failure of open/read as the caller's error, with the environment's hint when it has one. */
export function errnoFailure(e: unknown, fail: ReadFailure): DiagnosticError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return fail('does not exist');
  if (err.code === 'EISDIR') return fail('is a directory, not a regular file', REGULAR_ONLY);
  const hint = environmentHint(err.code);
  if (hint) return fail(`cannot read (${err.code})`, hint);
  throw e;
}

/** 1536 → "1.5 KiB"; exact bytes below 1 KiB. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${Number(v.toFixed(1))} ${units[i]}`;
}
