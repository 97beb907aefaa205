/**
 * CIFAR-10 and CIFAR-100 "binary version" batches (Krizhevsky, https://www.cs.toronto.edu/~kriz/cifar.html).
 * Each record is the label byte(s) then 3,072 pixel bytes stored channel-major: 1,024 red, 1,024 green, 1,024 blue,
 * each 32×32 row-major. We convert to HWC so every dataset shares one layout.
 *   CIFAR-10:  data_batch_1..5.bin, test_batch.bin, batches.meta.txt; record = 1 label + 3,072.
 *   CIFAR-100: train.bin, test.bin, fine_label_names.txt, coarse_label_names.txt; record = coarse + fine + 3,072.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readDataFile } from './bytes';
import { dataError, displayPath } from './errors';
import { readNameList } from './idx';
import { Dataset, DataSplits, LoadOptions, Split } from './types';

export const CIFAR10_CLASSES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

const SIDE = 32;
const PIXELS = SIDE * SIDE;
const IMAGE_BYTES = 3 * PIXELS;
/**
 * The binary batches have no header to say how long they are; the largest published one, CIFAR-100's train.bin, is
 * 154 MB (50,000 records of 3,074 bytes). A gzip bomb in its place stops inflating here, not at 1 GiB.
 */
const MAX_BATCH_FILE_BYTES = 256 * 1024 ** 2;

interface Records {
  images: Uint8Array;
  labels: Int32Array;
  size: number;
}

/** Decodes the records of one batch file; `labelBytes` leading bytes per record, `labelIndex` picks the one used. */
function readRecords(file: string, labelBytes: number, labelIndex: number, limit: number): Records {
  const bytes = readDataFile(file, { maxBytes: MAX_BATCH_FILE_BYTES });
  const recordBytes = labelBytes + IMAGE_BYTES;
  if (bytes.length === 0 || bytes.length % recordBytes !== 0) {
    const whole = Math.floor(bytes.length / recordBytes);
    throw dataError(
      displayPath(file),
      `expected a multiple of ${recordBytes} bytes (${labelBytes} label + ${IMAGE_BYTES} pixel bytes per image), ` +
        `found ${bytes.length} = ${whole} records + ${bytes.length - whole * recordBytes} bytes (file truncated?)`,
    );
  }
  const size = Math.min(bytes.length / recordBytes, limit);
  const images = new Uint8Array(size * IMAGE_BYTES);
  const labels = new Int32Array(size);
  for (let r = 0; r < size; r++) {
    const rec = r * recordBytes;
    labels[r] = bytes[rec + labelIndex];
    const src = rec + labelBytes;
    const dst = r * IMAGE_BYTES;
    for (let p = 0; p < PIXELS; p++) {
      images[dst + 3 * p] = bytes[src + p];
      images[dst + 3 * p + 1] = bytes[src + PIXELS + p];
      images[dst + 3 * p + 2] = bytes[src + 2 * PIXELS + p];
    }
  }
  return { images, labels, size };
}

function concatRecords(parts: Records[]): Records {
  const size = parts.reduce((s, p) => s + p.size, 0);
  const images = new Uint8Array(size * IMAGE_BYTES);
  const labels = new Int32Array(size);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * IMAGE_BYTES);
    labels.set(p.labels, at);
    at += p.size;
  }
  return { images, labels, size };
}

function checkLabels(records: Records, classes: string[], file: string): void {
  const bad = records.labels.findIndex((l) => l >= classes.length);
  if (bad >= 0) {
    throw dataError(displayPath(file), `label ${records.labels[bad]} of record ${bad} is out of range for ${classes.length} classes`);
  }
}

function makeDataset(dir: string, split: Split, files: string[], classes: string[], rec: Records): Dataset {
  return {
    name: path.basename(path.resolve(dir)), split, sources: files, classes, shape: [SIDE, SIDE, 3], size: rec.size,
    images: rec.images, labels: rec.labels,
  };
}

/** The training batch files `data_batch_1.bin … data_batch_k.bin`, which must be numbered without gaps. */
export function cifar10TrainFiles(dir: string): string[] {
  const numbers = fs.readdirSync(dir)
    .map((n) => /^data_batch_(\d+)\.bin$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const gap = numbers.findIndex((n, i) => n !== i + 1);
  if (gap >= 0) {
    throw dataError(
      displayPath(path.join(dir, `data_batch_${gap + 1}.bin`)),
      `missing: found ${numbers.map((n) => `data_batch_${n}.bin`).join(', ')}`,
      'CIFAR-10 training batches are numbered 1 to 5',
    );
  }
  return numbers.map((n) => path.join(dir, `data_batch_${n}.bin`));
}

/** Class names from the batches' own name files, else CIFAR-10's published names or plain indices for CIFAR-100. */
function cifarClasses(dir: string, cifar100: boolean, which: 'fine' | 'coarse'): string[] {
  const file = path.join(dir, cifar100 ? `${which}_label_names.txt` : 'batches.meta.txt');
  if (fs.existsSync(file)) return readNameList(file);
  if (!cifar100) return CIFAR10_CLASSES;
  return Array.from({ length: which === 'fine' ? 100 : 20 }, (_, i) => String(i));
}

export function readCifar10Dir(dir: string, options: LoadOptions = {}): DataSplits {
  const classes = cifarClasses(dir, false, 'fine');
  const testFile = path.join(dir, 'test_batch.bin');
  const result: DataSplits = { format: 'cifar10', path: dir };
  for (const split of options.splits ?? (['train', 'test'] as Split[])) {
    const files = split === 'train' ? cifar10TrainFiles(dir) : fs.existsSync(testFile) ? [testFile] : [];
    if (files.length === 0) continue;
    let remaining = options.limit ?? Infinity;
    const parts: Records[] = [];
    for (const file of files) {
      if (remaining <= 0) break; // --limit: later batches are not even read
      const rec = readRecords(file, 1, 0, remaining);
      checkLabels(rec, classes, file);
      parts.push(rec);
      remaining -= rec.size;
    }
    result[split] = makeDataset(dir, split, files.slice(0, parts.length), classes, concatRecords(parts));
  }
  if (!result.train && !result.test) {
    throw dataError(displayPath(dir), 'no CIFAR-10 batches found', 'expected data_batch_1.bin … data_batch_5.bin and test_batch.bin');
  }
  return result;
}

export function readCifar100Dir(dir: string, options: LoadOptions = {}): DataSplits {
  const result: DataSplits = { format: 'cifar100', path: dir };
  for (const split of options.splits ?? (['train', 'test'] as Split[])) {
    const file = path.join(dir, `${split}.bin`);
    if (fs.existsSync(file)) result[split] = readCifarFile(file, options)[split];
  }
  if (!result.train && !result.test) {
    throw dataError(displayPath(dir), 'no CIFAR-100 files found', 'expected train.bin and test.bin');
  }
  return result;
}

/** True for the names CIFAR-100's binary version uses (CIFAR-10 batches are `data_batch_N.bin`, `test_batch.bin`). */
export function isCifar100FileName(file: string): boolean {
  const base = path.basename(file);
  return base === 'train.bin' || base === 'test.bin';
}

/** One batch file (e.g. `--data test_batch.bin` to evaluate); its split is read from its name. */
export function readCifarFile(file: string, options: LoadOptions = {}): DataSplits {
  const cifar100 = isCifar100FileName(file);
  const which = options.cifar100Label ?? 'fine';
  const split: Split = /test/.test(path.basename(file)) ? 'test' : 'train';
  const dir = path.dirname(file);
  const classes = cifarClasses(dir, cifar100, which);
  const rec = cifar100
    ? readRecords(file, 2, which === 'coarse' ? 0 : 1, options.limit ?? Infinity)
    : readRecords(file, 1, 0, options.limit ?? Infinity);
  checkLabels(rec, classes, file);
  return { format: cifar100 ? 'cifar100' : 'cifar10', path: file, [split]: makeDataset(dir, split, [file], classes, rec) };
}
