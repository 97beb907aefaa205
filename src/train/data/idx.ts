/**
 * The idx format of MNIST and Fashion-MNIST (LeCun's "THE IDX FILE FORMAT"): magic `00 00 <type> <ndims>`, `ndims`
 * big-endian uint32 sizes, then the data. Files may be gzipped. A directory holds the four standard files
 * `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`
 * (optionally `.gz`; the `train-images.idx3-ubyte` spelling is accepted too).
 */
import * as fs from 'fs';
import * as path from 'path';
import { readDataFile, SizeHeader } from './bytes';
import { dataError, displayPath } from './errors';
import { Dataset, DataSplits, LoadOptions, Split, limitDataset } from './types';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

const IDX_TYPES: Record<number, string> = {
  0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64',
};

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** The magic and dimensions of an idx file of unsigned bytes; throws a `dataError` when `bytes` does not start with one. */
function idxHeader(bytes: Uint8Array, where: string): { dims: number[]; headerBytes: number; totalBytes: number } {
  if (bytes.length < 4) throw dataError(where, `only ${bytes.length} bytes: empty or truncated file`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw dataError(where, `not an idx file (starts with ${head}, expected 00 00 08 0N)`);
  }
  const type = bytes[2];
  const ndims = bytes[3];
  if (type !== 0x08) {
    const name = IDX_TYPES[type] ?? `unknown type 0x${type.toString(16)}`;
    throw dataError(where, `idx element type is ${name}; only unsigned bytes (0x08) are supported`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (ndims === 0 || bytes.length < headerBytes) {
    throw dataError(where, `idx header needs ${headerBytes} bytes, found ${bytes.length} (file truncated?)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  return { dims, headerBytes, totalBytes: headerBytes + dims.reduce((a, b) => a * b, 1) };
}

/** For `readDataFile`: an idx file is exactly as long as its header says (ndims ≤ 255, so 1,024 bytes suffice). */
function idxSizeHeader(file: string): SizeHeader {
  return {
    bytes: 4 + 4 * 255,
    promisedBytes: (head) => {
      const { dims, totalBytes } = idxHeader(head, displayPath(file));
      return { bytes: totalBytes, what: `dimensions ${dims.join('×')}` };
    },
  };
}

/** Reads and parses one idx file, never reading more than its header promises. */
export function readIdxFile(file: string): IdxArray {
  return parseIdx(readDataFile(file, { header: idxSizeHeader(file) }), file);
}

/** Parses an (already decompressed) idx file of unsigned bytes, checking the header against the file size. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const where = displayPath(file);
  const { dims, headerBytes, totalBytes: expected } = idxHeader(bytes, where);
  if (bytes.length !== expected) {
    const why = bytes.length < expected ? 'file truncated?' : 'trailing bytes: a different file?';
    throw dataError(where, `expected ${expected} bytes for dimensions ${dims.join('×')}, found ${bytes.length} (${why})`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

const IDX_NAME = /^(train|t10k|test)[-_.](images|labels)[-_.]idx(\d)[-_.]ubyte(\.gz)?$/;

interface IdxPair {
  images?: string;
  labels?: string;
}

/** The idx files of each split in `dir` (raw preferred over .gz when both exist: no decompression). */
export function findIdxFiles(dir: string): Partial<Record<Split, IdxPair>> {
  const found: Partial<Record<Split, IdxPair>> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const m = IDX_NAME.exec(name);
    if (!m) continue;
    const split: Split = m[1] === 'train' ? 'train' : 'test';
    const kind = m[2] as keyof IdxPair;
    const pair = (found[split] ??= {});
    const current = pair[kind];
    if (!current || (current.endsWith('.gz') && !m[4])) pair[kind] = path.join(dir, name);
  }
  return found;
}

/** Class names: a `classes.txt` next to the files (one per line) wins; then Fashion-MNIST by name; else digits. */
function classNames(dir: string, labelCount: number): string[] {
  const listFile = path.join(dir, 'classes.txt');
  if (fs.existsSync(listFile)) return readNameList(listFile);
  if (/fashion/i.test(path.resolve(dir)) && labelCount <= 10) return FASHION_MNIST_CLASSES;
  return Array.from({ length: Math.max(10, labelCount) }, (_, i) => String(i));
}

/** Class-name lists are a few KB (CIFAR-100's 100 names: 1 KB); a larger one is some other file. */
const MAX_NAME_LIST_BYTES = 1024 ** 2;

/** One class name per non-empty line (the layout of `classes.txt` and CIFAR's `batches.meta.txt`). */
export function readNameList(file: string): string[] {
  return readDataFile(file, { maxBytes: MAX_NAME_LIST_BYTES }).toString('utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
}

function readSplit(pair: IdxPair, split: Split, dir: string): { images: IdxArray; labels: IdxArray; files: string[] } {
  const missing = !pair.images ? 'images' : !pair.labels ? 'labels' : undefined;
  if (missing) {
    const other = (pair.images ?? pair.labels)!;
    const want = path.basename(other).replace(/images|labels/, missing).replace(/idx\d/, missing === 'images' ? 'idx3' : 'idx1');
    throw dataError(displayPath(path.join(dir, want)), `missing: ${split} split has ${path.basename(other)} but no ${missing} file`);
  }
  const images = readIdxFile(pair.images!);
  const labels = readIdxFile(pair.labels!);
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw dataError(displayPath(pair.images!), `expected images of dimensions N×H×W or N×H×W×C, found ${images.dims.join('×')}`);
  }
  if (labels.dims.length !== 1) {
    throw dataError(displayPath(pair.labels!), `expected one dimension of labels, found ${labels.dims.join('×')}`);
  }
  if (labels.dims[0] !== images.dims[0]) {
    throw dataError(
      displayPath(pair.labels!),
      `has ${labels.dims[0]} labels but ${path.basename(pair.images!)} has ${images.dims[0]} images`,
    );
  }
  return { images, labels, files: [pair.images!, pair.labels!] };
}

/** Reads an idx directory (both splits, or those asked for). */
export function readIdxDir(dir: string, options: LoadOptions = {}): DataSplits {
  const files = findIdxFiles(dir);
  const wanted = (options.splits ?? ['train', 'test']).filter((s) => files[s]);
  if (wanted.length === 0) {
    throw dataError(displayPath(dir), 'no idx files found', 'expected train-images-idx3-ubyte(.gz) and friends');
  }
  const raw = wanted.map((split) => ({ split, ...readSplit(files[split]!, split, dir) }));
  let maxLabel = 0;
  for (const r of raw) for (const l of r.labels.data) if (l > maxLabel) maxLabel = l;
  const classes = classNames(dir, maxLabel + 1);
  const result: DataSplits = { format: 'idx', path: dir };
  for (const r of raw) {
    const labelFile = r.files[1];
    const bad = r.labels.data.findIndex((l) => l >= classes.length);
    if (bad >= 0) {
      throw dataError(displayPath(labelFile), `label ${r.labels.data[bad]} at index ${bad} is out of range for ${classes.length} classes`);
    }
    const [n, h, w, c = 1] = r.images.dims;
    const ds: Dataset = {
      name: path.basename(path.resolve(dir)),
      split: r.split,
      sources: r.files,
      classes,
      shape: [h, w, c],
      size: n,
      images: r.images.data,
      labels: Int32Array.from(r.labels.data),
    };
    result[r.split] = limitDataset(ds, options.limit);
  }
  return result;
}
