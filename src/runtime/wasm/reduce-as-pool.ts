/**
 * Sum and Mean over a block of adjacent axes that is not innermost — batch, height and width of NHWC data (bias
 * and batch-norm gradients, batch statistics), or height and width (global average pooling) — as an average
 * pool over the flattened block. The wasm backend's own reduction first transposes the reduced axes innermost:
 * 3.5 ms on a 64×32×32×16 activation, against 0.5–0.7 ms for XNNPACK's pooling. (A matrix product with a row of
 * ones is no better: the wasm backend packs the large operand as weights on every call.) Other reductions go to
 * the built-in kernel unchanged.
 */
import type { SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { KernelScope } from './kernel-scope';

export function reduceAsAvgPool(scope: KernelScope, kernelName: 'Sum' | 'Mean', x: TensorInfo,
  attrs: SumAttrs): TensorInfo {
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
  const first = axes[0];
  const last = axes[axes.length - 1];
  const contiguous = axes.length > 0 && axes.every((a, i) => a === first + i);
  const empty = x.shape.some((d) => d === 0);
  if (!contiguous || last === rank - 1 || x.dtype !== 'float32' || empty) {
    return scope.run(kernelName, { x }, attrs as unknown as Record<string, never>);
  }
  const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
  const outer = size(x.shape.slice(0, first));
  const reduced = size(x.shape.slice(first, last + 1));
  const inner = size(x.shape.slice(last + 1));
  const image = scope.run('Reshape', { x }, { shape: [outer, reduced, 1, inner] });
  let result = scope.run('AvgPool', { x: image }, { filterSize: [reduced, 1], strides: 1, pad: 'valid' });
  if (kernelName === 'Sum') {
    const count = scope.run('Fill', {}, { shape: [], value: reduced, dtype: 'float32' });
    result = scope.run('Multiply', { a: result, b: count });
  }
  const outShape = attrs.keepDims
    ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d))
    : x.shape.filter((_, i) => i < first || i > last);
  return scope.run('Reshape', { x: result }, { shape: outShape });
}
