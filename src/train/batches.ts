import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../backends/tfjs/tf';
import { Dataset, imageBytes } from './data/types';

/** Changes a float NHWC batch in place: augmentation (training only) or normalisation (always). */
export type BatchTransform = (pixels: Float32Array, count: number, shape: [number, number, number]) => void;

export interface Batch {
  x: Tensor;
  labels: Int32Array;
}

/** Gathers examples `indices` as a float batch in [0, 1], applies the transforms, and uploads it. */
export function makeBatch(ds: Dataset, indices: ArrayLike<number>, transforms: readonly BatchTransform[]): Batch {
  const size = imageBytes(ds.shape);
  const n = indices.length;
  const pixels = new Float32Array(n * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const src = indices[i] * size;
    const dst = i * size;
    for (let j = 0; j < size; j++) pixels[dst + j] = ds.images[src + j] / 255;
    labels[i] = ds.labels[indices[i]];
  }
  for (const t of transforms) t(pixels, n, ds.shape);
  return { x: tf.tensor4d(pixels, [n, ...ds.shape]), labels };
}

/** Consecutive index ranges of `order` of at most `batchSize` (the last batch may be smaller). */
export function batchRanges(total: number, batchSize: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < total; start += batchSize) out.push([start, Math.min(total, start + batchSize)]);
  return out;
}
