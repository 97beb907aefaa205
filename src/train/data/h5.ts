/**
 * SIGNS-style HDF5 datasets, as the deeplearning.ai course ships them (train_signs.h5 / test_signs.h5, and the
 * cat/non-cat files of the same layout): `train_set_x` (N, H, W, C) uint8, `train_set_y` (N,) integers and
 * `list_classes` (K,) in the training file, `test_set_x` / `test_set_y` in the test_*.h5 beside it. Read with h5wasm.
 *
 * A file is untrusted: every dataset's type and shape are checked before a value is read, so a dataset declared
 * far larger than its (compressed) file is refused before anything is allocated for it, and `--limit` reads only
 * the rows it keeps.
 */
import * as fs from 'fs';
import * as path from 'path';
import { H5Dataset, H5File, isDataset, withHdf5Sync } from '../../backends/tfjs/keras-weights/hdf5';
import { formatBytes } from '../../io/read';
import { MAX_DATA_FILE_BYTES, readDataFile } from './bytes';
import { dataError, displayPath } from './errors';
import { Dataset, DataSplits, ImageShape, LoadOptions, Split } from './types';

const H5_FILE = /\.(h5|hdf5)$/i;
const LAYOUT_HINT = 'SIGNS-style files hold train_set_x (N, H, W, C uint8), train_set_y (N,) and list_classes; test_*.h5 holds test_set_x and test_set_y';
/** h5wasm's type classes (HDF5's H5T_class_t): the only ones a dataset of images, labels or names may have. */
const H5T_INTEGER = 0;
const H5T_STRING = 3;

export function isH5FileName(file: string): boolean {
  return H5_FILE.test(file);
}

/** The split a file holds, from its name: `train_signs.h5` → train, `test_signs.h5` → test. */
function splitOf(file: string): Split | undefined {
  const base = path.basename(file).toLowerCase();
  return base.startsWith('train') ? 'train' : base.startsWith('test') ? 'test' : undefined;
}

/** The train_*.h5 and test_*.h5 of a folder; more than one of a kind is ambiguous. */
export function h5Files(dir: string): Partial<Record<Split, string>> {
  const found: Partial<Record<Split, string>> = {};
  for (const name of fs.readdirSync(dir).filter((n) => isH5FileName(n)).sort()) {
    const split = splitOf(name);
    if (!split) continue;
    if (found[split]) {
      throw dataError(displayPath(dir), `holds two ${split} files, ${path.basename(found[split]!)} and ${name}`, `pass one of them as --data`);
    }
    found[split] = path.join(dir, name);
  }
  return found;
}

function dataset(root: H5File, name: string, file: string): H5Dataset {
  const node = root.get(name);
  if (!isDataset(node)) {
    throw dataError(displayPath(file), `has no dataset '${name}' (it holds ${root.keys().join(', ') || 'nothing'})`, LAYOUT_HINT);
  }
  return node;
}

function describe(ds: H5Dataset): string {
  let dtype: string;
  try {
    dtype = String(ds.dtype);
  } catch {
    dtype = `type class ${ds.metadata.type}`;
  }
  return `${dtype} of shape (${(ds.shape ?? []).join(', ')})`;
}

/** Images: uint8, (N, H, W, C) with C = 1 or 3, or (N, H, W) grey; never more than a data file may hold. */
function imageShape(x: H5Dataset, name: string, file: string): { n: number; shape: ImageShape } {
  const s = x.shape ?? [];
  const m = x.metadata;
  const uint8 = m.type === H5T_INTEGER && m.size === 1 && !m.signed;
  const shaped = (s.length === 4 && (s[3] === 1 || s[3] === 3)) || s.length === 3;
  if (!uint8 || !shaped || s.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw dataError(displayPath(file), `${name} is ${describe(x)}, expected uint8 images of shape (N, H, W, 3), (N, H, W, 1) or (N, H, W)`, LAYOUT_HINT);
  }
  const bytes = s.reduce((a, d) => a * d, 1);
  if (bytes > MAX_DATA_FILE_BYTES) {
    throw dataError(displayPath(file), `${name} declares ${formatBytes(bytes)} of images, more than the ${formatBytes(MAX_DATA_FILE_BYTES)} netspec reads from one data file`, 'is it the right file?');
  }
  return { n: s[0], shape: [s[1], s[2], s[3] ?? 1] };
}

/** Labels: integers of shape (N,) or (1, N) (the course's load_dataset reshapes them to (1, N)). */
function labelCount(y: H5Dataset, name: string, file: string): number {
  const s = y.shape ?? [];
  const vector = s.length === 1 || (s.length === 2 && s[0] === 1);
  if (y.metadata.type !== H5T_INTEGER || y.metadata.size > 8 || !vector) {
    throw dataError(displayPath(file), `${name} is ${describe(y)}, expected integer class labels of shape (N,)`, LAYOUT_HINT);
  }
  return s[s.length - 1];
}

/** The first `n` rows of a dataset (all of them when `n` is its length): `slice` reads no further. */
function rows(ds: H5Dataset, n: number): ArrayLike<number | bigint> {
  const s = ds.shape ?? [];
  const all = s.length === 2 && s[0] === 1 ? s[1] : s[0];
  if (n >= all) return ds.value as ArrayLike<number | bigint>;
  const ranges = s.length === 2 && s[0] === 1 ? [[0, 1], [0, n]] : [[0, n]];
  return (ds as unknown as { slice(r: number[][]): ArrayLike<number | bigint> }).slice(ranges);
}

/** `list_classes`: integers (SIGNS: 0 … 5) or byte strings (cat/non-cat: b'non-cat', b'cat'), one per class. */
function classNames(root: H5File, file: string): string[] | undefined {
  if (!root.keys().includes('list_classes')) return undefined;
  const c = dataset(root, 'list_classes', file);
  const s = c.shape ?? [];
  const ok = (c.metadata.type === H5T_INTEGER || c.metadata.type === H5T_STRING) && s.length === 1 && s[0] >= 1 && s[0] <= 100_000;
  if (!ok) throw dataError(displayPath(file), `list_classes is ${describe(c)}, expected one integer or string per class`, LAYOUT_HINT);
  return Array.from(c.value as ArrayLike<unknown>, (v) => String(v));
}

/** HDF5's signature, at the start of the file or after a user block of 512 · 2^k bytes. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function hasSignature(bytes: Uint8Array): boolean {
  for (let at = 0; at + HDF5_SIGNATURE.length <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

function readSplit(file: string, split: Split, classes: string[] | undefined, limit: number): { ds: Dataset; classes: string[] } {
  const bytes = readDataFile(file);
  // Checked here rather than left to HDF5, which would print its error stack on stderr before failing.
  if (!hasSignature(bytes)) throw dataError(displayPath(file), 'is not an HDF5 file (no HDF5 signature)', 'is it the right file? SIGNS files are HDF5, written by h5py');
  const unreadable = (message: string) => dataError(displayPath(file), `is not a readable HDF5 file (${message})`, 'is it the right file? it may be truncated');
  return withHdf5Sync(bytes, unreadable, (root) => {
    const xName = `${split}_set_x`;
    const yName = `${split}_set_y`;
    const x = dataset(root, xName, file);
    const y = dataset(root, yName, file);
    const { n, shape } = imageShape(x, xName, file);
    const labelsFound = labelCount(y, yName, file);
    if (labelsFound !== n) {
      throw dataError(displayPath(file), `${yName} has ${labelsFound} labels but ${xName} has ${n} images`, 'the two datasets must have one label per image');
    }
    const size = Math.min(n, limit);
    const images = Uint8Array.from(rows(x, size) as ArrayLike<number>);
    const raw = rows(y, size);
    const labels = Int32Array.from({ length: size }, (_, i) => Number(raw[i]));
    const names = classes ?? classNames(root, file) ?? Array.from({ length: Math.max(0, ...labels) + 1 }, (_, i) => String(i));
    const bad = labels.findIndex((l) => !(l >= 0 && l < names.length));
    if (bad >= 0) {
      throw dataError(displayPath(file), `label ${labels[bad]} of image ${bad} in ${yName} is out of range for ${names.length} classes (list_classes: ${names.join(', ')})`);
    }
    const name = path.basename(file).replace(H5_FILE, '').replace(/^(train|test)[_-]?/i, '') || 'h5';
    return { ds: { name, split, sources: [file], classes: names, shape, size, images, labels }, classes: names };
  });
}

/** A folder holding train_*.h5 (and test_*.h5), or one such file (its partner beside it is read too). */
export function readH5(p: string, options: LoadOptions = {}): DataSplits {
  let files: Partial<Record<Split, string>>;
  if (fs.statSync(p).isDirectory()) {
    files = h5Files(p);
  } else {
    const split = splitOf(p);
    if (!split) throw dataError(displayPath(p), 'is not named train_*.h5 or test_*.h5, so its split is unknown', 'name the files as the course does: train_signs.h5, test_signs.h5');
    const partner = path.join(path.dirname(p), path.basename(p).replace(/^(train|test)/i, split === 'train' ? 'test' : 'train'));
    files = { [split]: p, ...(fs.existsSync(partner) ? { [split === 'train' ? 'test' : 'train']: partner } : {}) };
  }
  if (!files.train && !files.test) throw dataError(displayPath(p), 'holds no train_*.h5 or test_*.h5 file', LAYOUT_HINT);
  const result: DataSplits = { format: 'h5', path: p };
  const limit = options.limit ?? Infinity;
  // The training file names the classes; the test split uses its names (it has no list_classes of its own in SIGNS).
  const train = files.train ? readSplit(files.train, 'train', undefined, limit) : undefined;
  for (const split of options.splits ?? (['train', 'test'] as Split[])) {
    if (split === 'train' && train) result.train = train.ds;
    if (split === 'test' && files.test) result.test = readSplit(files.test, 'test', train?.classes, limit).ds;
  }
  return result;
}
