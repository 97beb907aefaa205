/**
 * MaxPoolGrad for the wasm backend, replacing its built-in one, which is wrong (tfjs-backend-wasm 4.22): it seeds
 * the running maximum with `numeric_limits<float>::min()`, the smallest *positive* float, so a window whose values
 * are all ≤ 0 — common after ReLU — sends its gradient to element 0 of the tensor instead of to the window's
 * maximum, and of equal values it picks the last instead of the first.
 *
 * Semantics are TensorFlow's (and tfjs' cpu backend's): each output's gradient goes to the first maximum of its
 * window in row-major order; padding never wins. A scalar loop over the wasm heap: max pooling costs a small
 * fraction of a ResNet step (one 3×3 pool, in the stem), so clarity beats speed here.
 */
import type { MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { HeapBackend } from './heap-backend';

export function maxPoolGradOnHeap(backend: HeapBackend, dy: TensorInfo, input: TensorInfo,
  attrs: MaxPoolGradAttrs): TensorInfo {
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;

  const out = backend.makeOutput(input.shape, 'float32');
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);

  const best = new Float32Array(channels);
  const bestAt = new Int32Array(channels);
  let gAt = 0;
  for (let n = 0; n < batchSize; n++) {
    const xBatch = n * inHeight * inWidth * channels;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padInfo.top;
      const hStart = Math.max(0, h0);
      const hEnd = Math.min(inHeight, h0 + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padInfo.left;
        const wStart = Math.max(0, w0);
        const wEnd = Math.min(inWidth, w0 + filterWidth);
        best.fill(-Infinity);
        bestAt.fill(-1);
        for (let h = hStart; h < hEnd; h++) {
          for (let w = wStart; w < wEnd; w++) {
            const at = xBatch + (h * inWidth + w) * channels;
            for (let c = 0; c < channels; c++) {
              if (x[at + c] > best[c]) {
                best[c] = x[at + c];
                bestAt[c] = at + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++, gAt++) {
          if (bestAt[c] >= 0) dx[bestAt[c]] += g[gAt];
        }
      }
    }
  }
  return out;
}
