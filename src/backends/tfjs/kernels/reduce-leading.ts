/**
 * Sum and Mean over the leading axes (batch, height, width of NHWC data: bias and batch-norm gradients, batch
 * statistics) as a matrix product with a row of ones. The wasm backend's own reduction first transposes the
 * reduced axes innermost: 3.3 ms on a 64×32×32×16 activation, against 0.4 ms for the product (XNNPACK).
 * Other reductions go to the built-in kernel unchanged.
 */
import type { SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { KernelScope } from './kernel-scope';

export function reduceLeadingAxes(scope: KernelScope, kernelName: 'Sum' | 'Mean', x: TensorInfo,
  attrs: SumAttrs): TensorInfo {
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  if (!leading || x.dtype !== 'float32') return scope.run(kernelName, { x }, attrs as unknown as Record<string, never>);

  const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
  const kept = x.shape.slice(axes.length);
  const cols = kept.reduce((a, b) => a * b, 1);
  const matrix = scope.run('Reshape', { x }, { shape: [1, rows, cols] });
  const weights = scope.run('Fill', {}, { shape: [1, 1, rows], value: kernelName === 'Mean' ? 1 / rows : 1, dtype: 'float32' });
  const product = scope.run('BatchMatMul', { a: weights, b: matrix }, { transposeA: false, transposeB: false });
  const outShape = attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept;
  return scope.run('Reshape', { x: product }, { shape: outShape });
}
