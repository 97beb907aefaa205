/**
 * The training batch-norm op (`NetspecBatchNormTraining`): forward statistics and output in one kernel call, all
 * three gradients in one more. Backend-neutral: the names, the gradient and the op live here; each runtime supplies
 * kernels under these names (oneDNN in ../onednn/batch-norm.ts, the portable XNNPACK composition in
 * ../wasm/portable-batch-norm-training.ts).
 */
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import { tf } from '../tf';

export const BATCH_NORM_TRAINING = 'NetspecBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'NetspecBatchNormTrainingGrad';

/**
 * The gradient of the forward kernel: one backward kernel call yields all three gradients. The batch mean and
 * variance outputs are statistics for the moving averages; gradient flowing into them is not propagated.
 */
const gradient: GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale', 'offset'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const dy = (dys as Tensor[])[0];
    const [x, scale, offset, mean, variance] = saved;
    const [dx, dscale, doffset] = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD,
      { x, dy, scale, offset, mean, variance }, attrs) as Tensor[];
    return { x: () => dx, scale: () => dscale, offset: () => doffset };
  },
};

let gradientRegistered = false;

/** Registers the gradient once (tfjs' gradient registry is global and has no unregister). */
export function registerBatchNormGradient(): void {
  if (gradientRegistered) return;
  tf.registerGradient(gradient);
  gradientRegistered = true;
}

export interface BatchNormTrainingResult {
  /** gamma · (x − mean) / √(variance + ε) + beta, differentiable in x, gamma and beta. */
  y: Tensor;
  /** Per-channel batch mean (over every axis but the last). */
  mean: Tensor;
  /** Per-channel biased batch variance, as tf.moments computes it. */
  variance: Tensor;
}

/**
 * Training batch norm over every axis but the last (channels-last). Only valid while a runtime has registered its
 * kernels and the wasm backend is active: see `batchNormTrainingAvailable` in ../wasm/wasm-fallback.ts.
 */
export function batchNormTrainingOp(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): BatchNormTrainingResult {
  const channels = x.shape[x.shape.length - 1];
  if (x.rank < 2 || x.dtype !== 'float32') {
    throw new Error(`nativeBatchNormTraining: x must be a float32 tensor of rank >= 2, got ${x.dtype} [${x.shape}]`);
  }
  for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t.rank !== 1 || t.size !== channels || t.dtype !== 'float32') {
      throw new Error(`nativeBatchNormTraining: ${name} must be float32 [${channels}], got ${t.dtype} [${t.shape}]`);
    }
  }
  if (!(epsilon > 0)) throw new Error(`nativeBatchNormTraining: epsilon must be > 0, got ${epsilon}`);
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING,
    { x, scale: gamma, offset: beta },
    { varianceEpsilon: epsilon }) as Tensor[];
  return { y, mean, variance };
}
