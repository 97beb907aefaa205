/**
 * The training batch-norm op of native-batch-norm.ts (`NetspecBatchNormTraining` and its gradient kernel) for the
 * plain wasm backend, composed from XNNPACK passes. tfjs' own route — `moments` then `batchNorm`, differentiated
 * op by op in tfjs-core — makes some twenty passes over the activation per layer and step; this makes three
 * forward (mean, centred square, affine) and seven backward, and cut a ResNet-20 step by a third. When the oneDNN
 * kernels load they replace these two under the same names; the gradient registration is shared.
 *
 * Forward, over all axes but the last (R values per channel):
 *   mean = Σx / R,  var = Σ(x − mean)² / R (biased, as tf.moments),  k = γ / √(var + ε),  y = (x − mean)·k + β
 * Backward, with xc = x − mean:
 *   dβ = Σdy,  dγ = Σ(dy·xc) / √(var + ε),
 *   dx = k·dy − k·dβ/R − xc · k·Σ(dy·xc) / (R·(var + ε))
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { channelAffine } from './batch-norm';
import type { KernelScope } from './kernel-scope';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../ops/batch-norm-training';

interface Attrs {
  varianceEpsilon: number;
}

interface Geometry {
  channels: number;
  rows: number;
}

function geometry(x: TensorInfo): Geometry {
  const channels = x.shape[x.shape.length - 1];
  return { channels, rows: x.shape.reduce((a, b) => a * b, 1) / channels };
}

/** Per-channel mean of x (or sum, times `factor`), as a fresh [C] buffer. */
function channelMean(scope: KernelScope, x: TensorInfo, g: Geometry, factor = 1): TensorInfo {
  const image = scope.run('Reshape', { x }, { shape: [1, g.rows, 1, g.channels] });
  const pooled = scope.run('AvgPool', { x: image }, { filterSize: [g.rows, 1], strides: 1, pad: 'valid' });
  const flat = scope.run('Reshape', { x: pooled }, { shape: [g.channels] });
  return factor === 1 ? scope.run('Identity', { x: flat }) : scope.run('Multiply', { a: flat, b: scalar(scope, factor) });
}

function scalar(scope: KernelScope, value: number): TensorInfo {
  return scope.run('Fill', {}, { shape: [], value, dtype: 'float32' });
}

function vector(scope: KernelScope, g: Geometry, value: number): TensorInfo {
  return scope.run('Fill', {}, { shape: [g.channels], value, dtype: 'float32' });
}

/** x − mean, in one depthwise pass. */
function centre(scope: KernelScope, x: TensorInfo, mean: TensorInfo, g: Geometry): TensorInfo {
  return channelAffine(scope, x, vector(scope, g, 1), scope.run('Neg', { x: mean }));
}

function rsqrtPlus(scope: KernelScope, variance: TensorInfo, epsilon: number): TensorInfo {
  return scope.run('Rsqrt', { x: scope.run('Add', { a: variance, b: scalar(scope, epsilon) }) });
}

export function batchNormTrainingForward(scope: KernelScope, inputs: Record<string, TensorInfo>,
  attrs: Attrs): TensorInfo[] {
  const { x, scale, offset } = inputs;
  const g = geometry(x);
  const mean = channelMean(scope, x, g);
  const centred = centre(scope, x, mean, g);
  const variance = channelMean(scope, scope.run('Square', { x: centred }), g);
  const k = scope.run('Multiply', { a: scale, b: rsqrtPlus(scope, variance, attrs.varianceEpsilon) });
  const y = channelAffine(scope, centred, k, offset);
  return [y, mean, variance];
}

export function batchNormTrainingBackward(scope: KernelScope, inputs: Record<string, TensorInfo>,
  attrs: Attrs): TensorInfo[] {
  const { x, dy, scale, mean, variance } = inputs;
  const g = geometry(x);
  const mul = (a: TensorInfo, b: TensorInfo) => scope.run('Multiply', { a, b });
  const rstd = rsqrtPlus(scope, variance, attrs.varianceEpsilon);
  const dOffset = channelMean(scope, dy, g, g.rows);
  const centred = centre(scope, x, mean, g);
  const dyDotCentred = channelMean(scope, mul(dy, centred), g, g.rows);
  const dScale = mul(dyDotCentred, rstd);
  const k = mul(scale, rstd);
  const perRow = scalar(scope, -1 / g.rows);
  // dx = k·dy + (−k·dβ/R) + xc·(−k·rstd²·Σ(dy·xc)/R)
  const fromDy = channelAffine(scope, dy, k, mul(mul(k, dOffset), perRow));
  const fromCentred = channelAffine(scope, centred, mul(mul(mul(k, rstd), mul(rstd, dyDotCentred)), perRow),
    vector(scope, g, 0));
  return [scope.run('Add', { a: fromDy, b: fromCentred }), dScale, dOffset];
}

export function portableBatchNormTrainingKernels(
  composed: (body: (scope: KernelScope, inputs: Record<string, TensorInfo>, attrs: Attrs) => TensorInfo[]) =>
    KernelConfig['kernelFunc'],
): KernelConfig[] {
  return [
    { kernelName: BATCH_NORM_TRAINING, backendName: 'wasm', kernelFunc: composed(batchNormTrainingForward) },
    { kernelName: BATCH_NORM_TRAINING_GRAD, backendName: 'wasm', kernelFunc: composed(batchNormTrainingBackward) },
  ];
}
