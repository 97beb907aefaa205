import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../runtime/tf';
import { gatherBatch } from './data/batch';
import { Dataset } from './data/types';

/** Changes a float NHWC batch in place: augmentation + normalisation for training, normalisation for evaluation. */
export type BatchTransform = (pixels: Float32Array, count: number, shape: [number, number, number]) => void;

export interface Batch {
  x: Tensor;
  labels: Int32Array;
}

/** Examples `order[start…end)` as a transformed float tensor and their labels. */
export function makeBatch(ds: Dataset, order: ArrayLike<number>, start: number, end: number, transform?: BatchTransform): Batch {
  const batch = gatherBatch(ds, order, start, end);
  transform?.(batch.x, batch.size, ds.shape);
  return { x: tf.tensor4d(batch.x, [batch.size, ...ds.shape]), labels: batch.y };
}
