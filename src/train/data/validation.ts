/**
 * `data.validation_split`: a held-out share of a dataset that has no test split of its own, with the semantics of
 * Keras' `image_dataset_from_directory(validation_split=…, seed=…)`: the examples are shuffled with the seed, then
 * the last `int(fraction · n)` are the validation subset and the rest train. The same seed gives the same subsets in
 * `train`, `evaluate` and on resume, and the two never overlap. (The permutation is netspec's own seeded one, not
 * numpy's RandomState, so the members differ from Keras' while the sizes agree.)
 */
import { Rng } from '../rng';
import { dataError, displayPath } from './errors';
import { Dataset, DataSplits, imageBytes } from './types';

export interface ValidationSplit {
  /** In (0, 0.5]. */
  fraction: number;
  seed: number;
}

function pick(ds: Dataset, indices: Int32Array, split: Dataset['split']): Dataset {
  const bytes = imageBytes(ds.shape);
  const images = new Uint8Array(indices.length * bytes);
  const labels = new Int32Array(indices.length);
  indices.forEach((n, i) => {
    images.set(ds.images.subarray(n * bytes, (n + 1) * bytes), i * bytes);
    labels[i] = ds.labels[n];
  });
  return { ...ds, split, size: indices.length, images, labels };
}

/** Splits the training split of `splits` into train and test (validation); a dataset with a test split is refused. */
export function splitValidation(splits: DataSplits, v: ValidationSplit): DataSplits {
  const where = displayPath(splits.path);
  if (splits.test) {
    throw dataError(where, `has a test split of its own (${splits.test.size} images), and train.data.validation_split is ${v.fraction}`,
      'remove validation_split to evaluate on the test split, or point --data at the training images alone');
  }
  const train = splits.train;
  if (!train) throw dataError(where, 'has no training split to take a validation subset from');
  const count = Math.floor(v.fraction * train.size);
  if (count === 0) {
    throw dataError(where, `validation_split ${v.fraction} of ${train.size} images is no image`, 'use more images or a larger validation_split');
  }
  const order = Rng.fromSeed(v.seed, 'data/validation_split').permutation(train.size);
  return { ...splits, train: pick(train, order.subarray(0, train.size - count), 'train'), test: pick(train, order.subarray(train.size - count), 'test') };
}
