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
 * The same with the ReLU that follows fused in (`relu(bn(x))`), where a runtime registers it (the native
 * backends). Its fourth output is the workspace: where the output is positive, for the gradient.
 */
export const BATCH_NORM_RELU_TRAINING = 'NetspecBatchNormReluTraining';
export const BATCH_NORM_RELU_TRAINING_GRAD = 'NetspecBatchNormReluTrainingGrad';

/**
 * The gradient of a forward kernel: one backward kernel call yields all three gradients. The batch mean and
 * variance outputs are statistics for the moving averages; gradient flowing into them is not propagated. The fused
 * op also saves its workspace, with which its backward kernel masks dy.
 */
function gradientOf(forward: string, backward: string, fusedRelu: boolean): GradConfig {
  return {
    kernelName: forward,
    inputsToSave: ['x', 'scale', 'offset'],
    outputsToSave: fusedRelu ? [false, true, true, true] : [false, true, true],
    gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const dy = (dys as Tensor[])[0];
      const [x, scale, offset, mean, variance, workspace] = saved;
      const [dx, dscale, doffset] = tf.engine().runKernel(backward,
        { x, dy, scale, offset, mean, variance, ...(fusedRelu ? { workspace } : {}) }, attrs) as Tensor[];
      return { x: () => dx, scale: () => dscale, offset: () => doffset };
    },
  };
}

let gradientRegistered = false;

/** Registers the gradients once (tfjs' gradient registry is global and has no unregister). */
export function registerBatchNormGradient(): void {
  if (gradientRegistered) return;
  tf.registerGradient(gradientOf(BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD, false));
  tf.registerGradient(gradientOf(BATCH_NORM_RELU_TRAINING, BATCH_NORM_RELU_TRAINING_GRAD, true));
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
 * Training batch norm over every axis but the last (channels-last); with `fuseRelu`, relu of it. Only valid while a runtime has registered its
 * kernels and the wasm backend is active: see `batchNormTrainingAvailable` in ../wasm/wasm-fallback.ts.
 */
export function batchNormTrainingOp(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number, fuseRelu = false): BatchNormTrainingResult {
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
  const fused = fuseRelu && batchNormReluAvailable();
  const [y, mean, variance, workspace] = tf.engine().runKernel(fused ? BATCH_NORM_RELU_TRAINING : BATCH_NORM_TRAINING,
    { x, scale: gamma, offset: beta },
    { varianceEpsilon: epsilon }) as Tensor[];
  // The workspace lives on as the gradient's saved copy; the op's own output is not needed.
  workspace?.dispose();
  return { y: fuseRelu && !fused ? tf.relu(y) : y, mean, variance };
}

/** Whether the active backend has the fused batch norm + ReLU (else `fuseRelu` runs the ReLU as its own op). */
export function batchNormReluAvailable(): boolean {
  return tf.getKernel(BATCH_NORM_RELU_TRAINING, tf.getBackend()) !== undefined;
}
