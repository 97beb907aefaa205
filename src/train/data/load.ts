/** One entry point for every data source: detect the format of a `--data` path and read it. */
import * as fs from 'fs';
import * as path from 'path';
import { errnoFailure, fileKind } from '../../io/read';
import { isCifar100FileName, isCifarPythonFileName, readCifar100Dir, readCifar10Dir, readCifarFile } from './cifar';
import { dataError, displayPath } from './errors';
import { looksLikeImageFolder, readImageFolder } from './folder';
import { h5Files, isH5FileName, readH5 } from './h5';
import { findIdxFiles, readIdxDir } from './idx';
import { hdf5Ready } from '../../backends/tfjs/keras-weights/hdf5';
import { syntheticData } from './synthetic';
import { splitValidation } from './validation';
import { DATA_FORMATS, DataFormat, DataSplits, LoadOptions, Split } from './types';

/** The value of `--data` that selects generated data instead of files. */
export const SYNTHETIC_PATH = 'synthetic';

const IDX_FILE = /^(train|t10k|test)[-_.](images|labels)[-_.]idx\d[-_.]ubyte(\.gz)?$/;

const EXPECTED =
  'expected idx files (train-images-idx3-ubyte[.gz] …), CIFAR-10 batches (data_batch_1.bin … test_batch.bin, or the ' +
  'python version\'s data_batch_1 … test_batch), CIFAR-100 (train.bin, test.bin, or train, test, meta), SIGNS-style HDF5 (train_signs.h5, test_signs.h5) or an image folder (one sub-folder of PNG/JPEG files per class)';

export interface Detected {
  format: DataFormat;
  /** The path to read: the given one, or its single sub-folder (an unpacked archive, e.g. cifar-10-batches-bin/). */
  path: string;
}

function detectDir(dir: string): DataFormat | undefined {
  const names = new Set(fs.readdirSync(dir));
  if (Object.keys(findIdxFiles(dir)).length > 0) return 'idx';
  if (names.has('data_batch_1.bin') || names.has('test_batch.bin')) return 'cifar10';
  if (names.has('train.bin') || names.has('test.bin')) return 'cifar100';
  // The python version (cifar-10-batches-py, cifar-100-python); `train`/`test` only as files beside `meta`, never
  // an image folder's train/ and test/.
  const isFile = (name: string) => names.has(name) && fs.statSync(path.join(dir, name)).isFile();
  if (isFile('data_batch_1') || isFile('test_batch')) return 'cifar10';
  if (isFile('meta') && (isFile('train') || isFile('test'))) return 'cifar100';
  const h5 = h5Files(dir);
  if (h5.train || h5.test) return 'h5';
  if (looksLikeImageFolder(dir)) return 'folder';
  return undefined;
}

/** A data path must be a regular file or a folder: `/dev/zero` or a FIFO would be read forever or block. */
function statOrThrow(p: string): fs.Stats {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw errnoFailure(e, (problem, hint) => dataError(displayPath(p), problem, hint));
    throw dataError(displayPath(p), 'no such file or directory', `pass a data folder or file, or --data ${SYNTHETIC_PATH}`);
  }
  if (!stats.isFile() && !stats.isDirectory()) {
    throw dataError(displayPath(p), `is ${fileKind(stats)}, not a data file or folder`, 'give a regular file or a folder');
  }
  return stats;
}

/** Works out what kind of data `p` holds, from file names and folder layout (contents are checked when read). */
export function detectFormat(p: string): Detected {
  if (p === SYNTHETIC_PATH) return { format: 'synthetic', path: p };
  if (statOrThrow(p).isFile()) {
    const base = path.basename(p);
    if (IDX_FILE.test(base)) return { format: 'idx', path: p };
    if (base.endsWith('.bin') || isCifarPythonFileName(p)) return { format: isCifar100FileName(p) ? 'cifar100' : 'cifar10', path: p };
    if (isH5FileName(base)) return { format: 'h5', path: p };
    throw dataError(displayPath(p), 'unrecognised data file', EXPECTED);
  }
  const format = detectDir(p);
  if (format) return { format, path: p };
  const children = fs.readdirSync(p, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  if (children.length === 1 && children[0].isDirectory()) {
    const inner = path.join(p, children[0].name);
    const innerFormat = detectDir(inner);
    if (innerFormat) return { format: innerFormat, path: inner };
  }
  throw dataError(displayPath(p), 'no dataset found in this folder', EXPECTED);
}

/** The split a single data file belongs to, from its name (`t10k-…`, `test_batch.bin`, `test.bin` are test). */
function splitOfFile(file: string): Split {
  return /^(t10k|test)/.test(path.basename(file)) ? 'test' : 'train';
}

/**
 * Reads the data at `p` (auto-detected unless `options.format` says otherwise). With `options.validation`, the
 * training split is read whole (after `limit`) and divided into train and test, whichever splits were asked for.
 */
export function loadData(p: string, options: LoadOptions = {}): DataSplits {
  if (options.format && options.format !== 'auto' && !DATA_FORMATS.includes(options.format)) {
    throw dataError(p, `unknown data format '${options.format}'`, `use one of: auto, ${DATA_FORMATS.join(', ')}`);
  }
  // `--data synthetic` means generated data whatever the spec's data.format says (a spec written for CIFAR files).
  const detected = !options.format || options.format === 'auto' || p === SYNTHETIC_PATH ? detectFormat(p) : { format: options.format, path: p };
  if (!options.validation) return read(detected, options);
  const splits = splitValidation(read(detected, { ...options, splits: undefined }), options.validation);
  const wanted = options.splits ?? ['train', 'test'];
  return { format: splits.format, path: splits.path, ...(wanted.includes('train') ? { train: splits.train } : {}), ...(wanted.includes('test') ? { test: splits.test } : {}) };
}

/**
 * `loadData` for the commands: HDF5 is read through h5wasm, whose WebAssembly module instantiates asynchronously
 * (once, about 0.5 s), so it is made ready here when the data is HDF5 and not otherwise.
 */
export async function loadDataAsync(p: string, options: LoadOptions = {}): Promise<DataSplits> {
  const format = !options.format || options.format === 'auto' || p === SYNTHETIC_PATH ? detectFormat(p).format : options.format;
  if (format === 'h5') await hdf5Ready();
  return loadData(p, options);
}

function read(detected: Detected, options: LoadOptions): DataSplits {
  const target = detected.path;
  const isFile = detected.format !== 'synthetic' && statOrThrow(target).isFile();
  switch (detected.format) {
    case 'synthetic':
      return syntheticData(options);
    case 'idx':
      return isFile
        ? { ...readIdxDir(path.dirname(target), { ...options, splits: [splitOfFile(target)] }), path: target }
        : readIdxDir(target, options);
    case 'cifar10':
      return isFile ? readCifarFile(target, options) : readCifar10Dir(target, options);
    case 'cifar100':
      return isFile ? readCifarFile(target, options) : readCifar100Dir(target, options);
    case 'folder':
      return readImageFolder(target, options);
    case 'h5':
      return readH5(target, options);
  }
}
