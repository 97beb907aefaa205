/**
 * CIFAR-10 and CIFAR-100 "binary version" batches (Krizhevsky, https://www.cs.toronto.edu/~kriz/cifar.html).
 * Each record is the label byte(s) then 3,072 pixel bytes stored channel-major: 1,024 red, 1,024 green, 1,024 blue,
 * each 32×32 row-major. We convert to HWC so every dataset shares one layout.
 *   CIFAR-10:  data_batch_1..5.bin, test_batch.bin, batches.meta.txt; record = 1 label + 3,072.
 *   CIFAR-100: train.bin, test.bin, fine_label_names.txt, coarse_label_names.txt; record = coarse + fine + 3,072.
 * The "python version" (what keras.datasets.cifar10/100.load_data() downloads) has the same files without `.bin`,
 * pickled (cifar-python.ts), with the names in `batches.meta` / `meta`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readDataFile } from './bytes';
import { dataError, displayPath } from './errors';
import { readNameList } from './idx';
import { readPythonBatch, readPythonClassNames } from './cifar-python';
import { IMAGE_BYTES, MAX_BATCH_FILE_BYTES, planarToHwc, Records } from './cifar-records';
import { Dataset, DataSplits, LoadOptions, Split } from './types';

export const CIFAR10_CLASSES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

const SIDE = 32;

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
    planarToHwc(bytes, rec + labelBytes, images, r * IMAGE_BYTES);
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

/** `.bin` for the binary version, '' for the python version, from the files the folder holds. */
function batchExt(dir: string, cifar100: boolean): '.bin' | '' {
  const probe = cifar100 ? ['train', 'test'] : ['data_batch_1', 'test_batch'];
  const isFile = (name: string) => fs.statSync(path.join(dir, name), { throwIfNoEntry: false })?.isFile() ?? false;
  return probe.some((n) => isFile(n)) && !probe.some((n) => isFile(`${n}.bin`)) ? '' : '.bin';
}

/** The training batch files `data_batch_1[.bin] … data_batch_k[.bin]`, which must be numbered without gaps. */
function cifar10TrainFiles(dir: string, ext: string): string[] {
  const numbers = fs.readdirSync(dir)
    .map((n) => (ext ? /^data_batch_(\d+)\.bin$/ : /^data_batch_(\d+)$/).exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const gap = numbers.findIndex((n, i) => n !== i + 1);
  if (gap >= 0) {
    throw dataError(
      displayPath(path.join(dir, `data_batch_${gap + 1}${ext}`)),
      `missing: found ${numbers.map((n) => `data_batch_${n}${ext}`).join(', ')}`,
      'CIFAR-10 training batches are numbered 1 to 5',
    );
  }
  return numbers.map((n) => path.join(dir, `data_batch_${n}${ext}`));
}

/** Class names from the batches' own name files, else CIFAR-10's published names or plain indices for CIFAR-100. */
function cifarClasses(dir: string, cifar100: boolean, which: 'fine' | 'coarse', ext: string): string[] {
  const file = path.join(dir, cifar100 ? `${which}_label_names.txt` : 'batches.meta.txt');
  const named = ext ? (fs.existsSync(file) ? readNameList(file) : undefined) : readPythonClassNames(dir, cifar100, which);
  if (named) return named;
  if (!cifar100) return CIFAR10_CLASSES;
  return Array.from({ length: which === 'fine' ? 100 : 20 }, (_, i) => String(i));
}

/** One batch file of either version, its labels checked against the classes. */
function readBatch(file: string, cifar100: boolean, which: 'fine' | 'coarse', classes: string[], limit: number): Records {
  const rec = !file.endsWith('.bin')
    ? readPythonBatch(file, cifar100 ? `${which}_labels` : 'labels', limit)
    : cifar100 ? readRecords(file, 2, which === 'coarse' ? 0 : 1, limit) : readRecords(file, 1, 0, limit);
  checkLabels(rec, classes, file);
  return rec;
}

export function readCifar10Dir(dir: string, options: LoadOptions = {}): DataSplits {
  const ext = batchExt(dir, false);
  const classes = cifarClasses(dir, false, 'fine', ext);
  const testFile = path.join(dir, `test_batch${ext}`);
  const result: DataSplits = { format: 'cifar10', path: dir };
  for (const split of options.splits ?? (['train', 'test'] as Split[])) {
    const files = split === 'train' ? cifar10TrainFiles(dir, ext) : fs.existsSync(testFile) ? [testFile] : [];
    if (files.length === 0) continue;
    let remaining = options.limit ?? Infinity;
    const parts: Records[] = [];
    for (const file of files) {
      if (remaining <= 0) break; // --limit: later batches are not even read
      const rec = readBatch(file, false, 'fine', classes, remaining);
      parts.push(rec);
      remaining -= rec.size;
    }
    result[split] = makeDataset(dir, split, files.slice(0, parts.length), classes, concatRecords(parts));
  }
  if (!result.train && !result.test) {
    throw dataError(displayPath(dir), 'no CIFAR-10 batches found', 'expected data_batch_1.bin … data_batch_5.bin and test_batch.bin (or the python version\'s data_batch_1 … test_batch)');
  }
  return result;
}

export function readCifar100Dir(dir: string, options: LoadOptions = {}): DataSplits {
  const ext = batchExt(dir, true);
  const result: DataSplits = { format: 'cifar100', path: dir };
  for (const split of options.splits ?? (['train', 'test'] as Split[])) {
    const file = path.join(dir, `${split}${ext}`);
    if (fs.existsSync(file)) result[split] = readCifarFile(file, options)[split];
  }
  if (!result.train && !result.test) {
    throw dataError(displayPath(dir), 'no CIFAR-100 files found', 'expected train.bin and test.bin (or the python version\'s train, test and meta)');
  }
  return result;
}

/**
 * True for the names CIFAR-100 uses: `train.bin`, `test.bin`, and the python version's `train`, `test` (CIFAR-10
 * batches are `data_batch_N[.bin]`, `test_batch[.bin]`).
 */
export function isCifar100FileName(file: string): boolean {
  return /^(train|test)(\.bin)?$/.test(path.basename(file));
}

/** True for the python version's batch names: `data_batch_N`, `test_batch`, and CIFAR-100's `train`, `test`. */
export function isCifarPythonFileName(file: string): boolean {
  return /^(data_batch_\d+|test_batch|train|test)$/.test(path.basename(file));
}

/** One batch file (e.g. `--data test_batch.bin` to evaluate); its split is read from its name. */
export function readCifarFile(file: string, options: LoadOptions = {}): DataSplits {
  const cifar100 = isCifar100FileName(file);
  const which = options.cifar100Label ?? 'fine';
  const split: Split = /test/.test(path.basename(file)) ? 'test' : 'train';
  const dir = path.dirname(file);
  const classes = cifarClasses(dir, cifar100, which, file.endsWith('.bin') ? '.bin' : '');
  const rec = readBatch(file, cifar100, which, classes, options.limit ?? Infinity);
  return { format: cifar100 ? 'cifar100' : 'cifar10', path: file, [split]: makeDataset(dir, split, [file], classes, rec) };
}
