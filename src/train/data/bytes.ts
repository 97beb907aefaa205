/**
 * Reading data files, transparently gunzipped, with every failure turned into a `dataError` and every read bounded.
 *
 * A gzip file can inflate about 1,032-fold: 1 MB of gzip becomes 1 GB of zeros. Decompressing first and checking
 * the size afterwards took 6.4 s and 2.1 GB of memory to reject such a file named train-images-idx3-ubyte.gz. Here a
 * format with a header (idx) decompresses only enough to read the header, and the rest no further than one byte
 * past the size the header promises; a format without one stops at `maxBytes`.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';
import { formatBytes, openRegularFile, readAt } from '../../io/read';
import { dataError, displayPath } from './errors';

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The most one data file may hold after decompression. The largest file of a supported format, CIFAR-100's
 * train.bin, is 154 MB (50,000 × 3,074 bytes); MNIST's training images are 47 MB.
 */
export const MAX_DATA_FILE_BYTES = 1024 ** 3;

/** A format whose first bytes say how long the whole (decompressed) file is. */
export interface SizeHeader {
  /** How many leading bytes `promisedBytes` needs at most (fewer are passed when the file is shorter). */
  bytes: number;
  /** The exact total size the header announces, and what it announced, e.g. "dimensions 60000×28×28". */
  promisedBytes(head: Uint8Array): { bytes: number; what: string };
}

export interface ReadOptions {
  /** Default `MAX_DATA_FILE_BYTES`. */
  maxBytes?: number;
  header?: SizeHeader;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * Reads a whole regular file; a gzip file (recognised by its magic bytes, whatever its name) is decompressed. With a
 * `header`, a file longer than its header promises is rejected without reading the excess; a shorter one is returned
 * as it is, for the format's parser to report how much is missing.
 */
export function readDataFile(file: string, options: ReadOptions = {}): Buffer {
  const where = displayPath(file);
  const maxBytes = options.maxBytes ?? MAX_DATA_FILE_BYTES;
  const { fd, size } = openRegularFile(file, (problem, hint) => dataError(where, problem, hint));
  try {
    const tooLarge = (found: string) =>
      dataError(where, `${found}: more than the ${formatBytes(maxBytes)} netspec reads from one data file`, 'is it the right file?');
    const magic = readAt(fd, 2);
    if (isGzip(magic)) {
      // The compressed file is smaller than what it inflates to, so the same cap bounds it.
      if (size > maxBytes) throw tooLarge(formatBytes(size));
      return gunzipBounded(where, readAt(fd, size), maxBytes, options.header, tooLarge);
    }
    if (!options.header) {
      if (size > maxBytes) throw tooLarge(formatBytes(size));
      return readAt(fd, size);
    }
    const promised = promise(where, options.header, readAt(fd, Math.min(size, options.header.bytes)), maxBytes);
    if (size > promised.bytes) throw trailing(where, promised, formatBytes(size));
    return readAt(fd, size);
  } finally {
    fs.closeSync(fd);
  }
}

function promise(where: string, header: SizeHeader, head: Uint8Array, maxBytes: number): { bytes: number; what: string } {
  const promised = header.promisedBytes(head);
  if (promised.bytes > maxBytes) {
    throw dataError(where, `its header announces ${promised.what} (${formatBytes(promised.bytes)}), more than the ` +
      `${formatBytes(maxBytes)} netspec reads from one data file`, 'is it the right file?');
  }
  return promised;
}

function trailing(where: string, promised: { bytes: number; what: string }, found: string): Error {
  return dataError(where, `expected ${promised.bytes} bytes for ${promised.what}, found ${found} (trailing bytes: a different file?)`);
}

/**
 * Decompresses at most `maxBytes` (or, with a header, one byte more than it promises). A stream that ends early is
 * decoded as far as it goes (so the caller can report how many bytes it expected and found, the most useful message
 * for a truncated download); anything else is a corrupt file.
 */
function gunzipBounded(
  where: string, raw: Buffer, maxBytes: number, header: SizeHeader | undefined, tooLarge: (found: string) => Error,
): Buffer {
  const promised = header ? promise(where, header, gunzipPrefix(where, raw, header.bytes), maxBytes) : undefined;
  const limit = promised ? promised.bytes + 1 : maxBytes;
  const inflate = (finishFlush?: number) => zlib.gunzipSync(raw, { maxOutputLength: Math.max(1, limit), ...(finishFlush === undefined ? {} : { finishFlush }) });
  try {
    try {
      return inflate();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') throw e;
      return inflate(zlib.constants.Z_SYNC_FLUSH);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE') {
      throw promised ? trailing(where, promised, 'more after decompression') : tooLarge('decompresses to more');
    }
    throw corrupt(where, err);
  }
}

/**
 * The first `bytes` decompressed bytes (or all there are), inflating growing prefixes of the compressed input: a
 * prefix of k bytes inflates to at most about 1,032·k bytes, so this never holds more than a few hundred KB.
 */
function gunzipPrefix(where: string, raw: Buffer, bytes: number): Buffer {
  for (let k = 256; ; k *= 4) {
    let out: Buffer;
    try {
      out = zlib.gunzipSync(raw.subarray(0, k), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (e) {
      throw corrupt(where, e as Error);
    }
    if (out.length >= bytes || k >= raw.length) return out.subarray(0, bytes);
  }
}

function corrupt(where: string, err: Error): Error {
  return dataError(where, `corrupt gzip data (${err.message})`, 'download or copy the file again');
}
