/**
 * One in-memory form for every data source. Images stay uint8 NHWC (a full Fashion-MNIST train split is 47 MB, CIFAR
 * 150 MB), labels are class indices; batches are converted to float only when they are drawn (see `batch.ts`).
 */
import type { ValidationSplit } from './validation';

export type Split = 'train' | 'test';

export type DataFormat = 'idx' | 'cifar10' | 'cifar100' | 'folder' | 'h5' | 'synthetic';

export const DATA_FORMATS: readonly DataFormat[] = ['idx', 'cifar10', 'cifar100', 'folder', 'h5', 'synthetic'];

/** Height, width, channels. */
export type ImageShape = [number, number, number];

export interface Dataset {
  /** Short name for messages and run files, e.g. `fashion-mnist`, `cifar-10-batches-bin`. */
  name: string;
  split: Split;
  /** The files this split was read from (or a description for synthetic data). */
  sources: string[];
  /** Class names, indexed by label. */
  classes: string[];
  shape: ImageShape;
  /** Number of examples. */
  size: number;
  /** `size × h × w × c` bytes, row-major NHWC. */
  images: Uint8Array;
  /** One class index per example, each in `[0, classes.length)`. */
  labels: Int32Array;
}

export interface DataSplits {
  format: DataFormat;
  /** The path the user gave (after auto-detection descended into a single sub-folder, that folder). */
  path: string;
  train?: Dataset;
  test?: Dataset;
}

export interface LoadOptions {
  /** `auto` (default) inspects the path. */
  format?: DataFormat | 'auto';
  /** Keep only the first N examples of each split (smoke runs, tests). */
  limit?: number;
  /** Which splits to read; default both that exist. */
  splits?: readonly Split[];
  /** Image folders: resize every image to [h, w] (bilinear). Without it all images must share one size. */
  resize?: [number, number];
  /** Image folders: force 1 (luma) or 3 (RGB) channels. Default: 1 if every image is grey, else 3. */
  channels?: 1 | 3;
  /** CIFAR-100: which label to train on. Default `fine` (100 classes). */
  cifar100Label?: 'fine' | 'coarse';
  /** Hold out a seeded share of a dataset without a test split as its test split (`data.validation_split`). */
  validation?: ValidationSplit;
  /** Synthetic data (format `synthetic`); see `synthetic.ts` for defaults. */
  synthetic?: SyntheticOptions;
}

export interface SyntheticOptions {
  classes?: number;
  shape?: ImageShape;
  trainSize?: number;
  testSize?: number;
  seed?: number;
}

export function imageBytes(shape: ImageShape): number {
  return shape[0] * shape[1] * shape[2];
}

/** The first `limit` examples (the same arrays viewed, not copied). */
export function limitDataset(ds: Dataset, limit: number | undefined): Dataset {
  if (limit === undefined || limit >= ds.size) return ds;
  const n = Math.max(0, Math.floor(limit));
  return { ...ds, size: n, images: ds.images.subarray(0, n * imageBytes(ds.shape)), labels: ds.labels.subarray(0, n) };
}

/** Examples per class, e.g. to check balance or print a data summary. */
export function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(ds.classes.length).fill(0);
  for (const label of ds.labels) counts[label]++;
  return counts;
}
