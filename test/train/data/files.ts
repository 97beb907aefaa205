/** Writers for the tests' own data files, straight from the format descriptions (not from the readers). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { DiagnosticError } from '../../../src/diagnostics/diagnostic';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `netspec-${prefix}-`));
}

/** idx: 00 00 08 <ndims>, big-endian uint32 dims, then the bytes. */
export function idxBytes(dims: number[], data: ArrayLike<number>): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Array.from(data))]);
}

export function writeIdx(file: string, dims: number[], data: ArrayLike<number>, gzip = file.endsWith('.gz')): void {
  const bytes = idxBytes(dims, data);
  fs.writeFileSync(file, gzip ? zlib.gzipSync(bytes) : bytes);
}

/** Image n of an idx test set: pixel i has value (n * 10 + i) mod 256. */
export function idxPixel(n: number, i: number): number {
  return (n * 10 + i) % 256;
}

/** Writes the four standard files: `train` and `test` examples of h×w images, labels n mod classes. */
export function writeIdxDir(dir: string, train: number, test: number, h = 4, w = 3, classes = 10, gzip = true): void {
  const ext = gzip ? '.gz' : '';
  for (const [prefix, n] of [['train', train], ['t10k', test]] as const) {
    const pixels = Array.from({ length: n * h * w }, (_, k) => idxPixel(Math.floor(k / (h * w)), k % (h * w)));
    writeIdx(path.join(dir, `${prefix}-images-idx3-ubyte${ext}`), [n, h, w], pixels, gzip);
    writeIdx(path.join(dir, `${prefix}-labels-idx1-ubyte${ext}`), [n], Array.from({ length: n }, (_, i) => i % classes), gzip);
  }
}

/**
 * A CIFAR record: label byte(s), then 1,024 red, 1,024 green, 1,024 blue bytes. Our test images have
 * red = (record + p) mod 256, green = 7, blue = 255 − red at pixel p.
 */
export function cifarRecord(labels: number[], record: number): Buffer {
  const red = Array.from({ length: 1024 }, (_, p) => (record + p) % 256);
  return Buffer.from([...labels, ...red, ...new Array(1024).fill(7), ...red.map((r) => 255 - r)]);
}

/** Runs `fn`, which must throw a DataError (anything else fails the test), and returns it. */
export function dataError(fn: () => unknown): DiagnosticError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DiagnosticError && e.diagnostics[0]?.code === 'data/invalid') return e;
    throw e;
  }
  throw new Error('expected a DataError');
}
