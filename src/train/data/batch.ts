/** Drawing a batch: uint8 NHWC examples picked by index, as float32 in [0, 1] (the Keras example's `x / 255`). */
import { Dataset, imageBytes } from './types';

export interface Batch {
  /** `size × h × w × c`, values in [0, 1] until normalised. */
  x: Float32Array;
  /** Class indices. */
  y: Int32Array;
  size: number;
}

/** Examples `order[start] … order[end - 1]` of `ds` (pass an epoch permutation as `order`). */
export function gatherBatch(ds: Dataset, order: ArrayLike<number>, start: number, end: number): Batch {
  const bytes = imageBytes(ds.shape);
  const size = Math.max(0, Math.min(end, order.length) - start);
  const x = new Float32Array(size * bytes);
  const y = new Int32Array(size);
  for (let b = 0; b < size; b++) {
    const n = order[start + b];
    const src = n * bytes;
    const dst = b * bytes;
    for (let i = 0; i < bytes; i++) x[dst + i] = ds.images[src + i] / 255;
    y[b] = ds.labels[n];
  }
  return { x, y, size };
}

/** The batches of one epoch as [start, end) ranges; the last one may be smaller (as in Keras `fit`). */
export function batchRanges(size: number, batchSize: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = 0; start < size; start += batchSize) ranges.push([start, Math.min(start + batchSize, size)]);
  return ranges;
}
