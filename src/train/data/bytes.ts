/** Reading data files, transparently gunzipped, with every failure turned into a `dataError`. */
import * as fs from 'fs';
import * as zlib from 'zlib';
import { dataError, displayPath } from './errors';

const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Reads a whole file; a gzip file (recognised by its magic bytes, whatever its name) is decompressed. */
export function readDataFile(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'file not found' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    throw dataError(displayPath(file), why);
  }
  return isGzip(raw) ? gunzip(file, raw) : raw;
}

/**
 * Decompresses; a stream that ends early is decoded as far as it goes (so the caller can report how many bytes it
 * expected and found, the most useful message for a truncated download), anything else is a corrupt file.
 */
function gunzip(file: string, raw: Buffer): Buffer {
  try {
    return zlib.gunzipSync(raw);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'Z_BUF_ERROR') {
      try {
        return zlib.gunzipSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      } catch {
        // fall through to the generic message
      }
    }
    throw dataError(displayPath(file), `corrupt gzip data (${err.message})`, 'download or copy the file again');
  }
}
