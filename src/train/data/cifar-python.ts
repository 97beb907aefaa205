/**
 * CIFAR's "python version", what `keras.datasets.cifar10.load_data()` and `cifar100.load_data()` download
 * (cifar-10-batches-py/, cifar-100-python/). Each batch is a pickled dict: `data`, a uint8 array (N, 3072) of
 * channel-major rows as in the binary version; `labels` (CIFAR-100: `fine_labels`, `coarse_labels`), a list of N
 * ints; `filenames`, `batch_label`. Class names are in `batches.meta` (`label_names`) or `meta`
 * (`fine_label_names`, `coarse_label_names`). Read with pickle.ts, which runs none of the pickle's globals.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readDataFile } from './bytes';
import { IMAGE_BYTES, MAX_BATCH_FILE_BYTES, planarToHwc, Records } from './cifar-records';
import { dataError, displayPath } from './errors';
import { NdArray, PickleValue, readPickle } from './pickle';

/** The most a meta file may hold: CIFAR-100's is 1.5 KB. */
const MAX_META_BYTES = 1024 ** 2;

function dict(file: string, maxBytes: number): Map<string, PickleValue> {
  const value = readPickle(readDataFile(file, { maxBytes }), file);
  if (!(value instanceof Map)) throw dataError(displayPath(file), 'holds a pickle that is not a dict', 'CIFAR python batches are pickled dicts');
  return value;
}

function entry(d: Map<string, PickleValue>, key: string, file: string): PickleValue {
  if (!d.has(key)) throw dataError(displayPath(file), `has no '${key}' (it holds ${[...d.keys()].join(', ')})`, 'is it a CIFAR python batch?');
  return d.get(key)!;
}

export function readPythonBatch(file: string, labelKey: string, limit: number): Records {
  const d = dict(file, MAX_BATCH_FILE_BYTES);
  const data = entry(d, 'data', file) as NdArray;
  const labels = entry(d, labelKey, file);
  const rows = data !== null && typeof data === 'object' && 'kind' in data && data.kind === 'ndarray' && data.shape.length === 2 && data.shape[1] === IMAGE_BYTES;
  if (!rows) throw dataError(displayPath(file), `'data' is not a uint8 array of shape (N, ${IMAGE_BYTES})`, 'is it a CIFAR python batch?');
  const n = data.shape[0];
  if (!Array.isArray(labels) || labels.length !== n || !labels.every((l) => typeof l === 'number' && Number.isInteger(l) && l >= 0)) {
    throw dataError(displayPath(file), `'${labelKey}' is not a list of ${n} class indices, one per image`);
  }
  const size = Math.min(n, limit);
  const images = new Uint8Array(size * IMAGE_BYTES);
  for (let r = 0; r < size; r++) planarToHwc(data.data, r * IMAGE_BYTES, images, r * IMAGE_BYTES);
  return { images, labels: Int32Array.from(labels.slice(0, size) as number[]), size };
}

/** Class names from `batches.meta` / `meta`, if the folder has it. */
export function readPythonClassNames(dir: string, cifar100: boolean, which: 'fine' | 'coarse'): string[] | undefined {
  const file = path.join(dir, cifar100 ? 'meta' : 'batches.meta');
  if (!fs.existsSync(file)) return undefined;
  const key = cifar100 ? `${which}_label_names` : 'label_names';
  const names = entry(dict(file, MAX_META_BYTES), key, file);
  const text = Array.isArray(names) ? names.map((v) => (typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : undefined)) : [];
  if (text.length === 0 || text.some((t) => t === undefined)) throw dataError(displayPath(file), `'${key}' is not a list of class names`);
  return text as string[];
}
