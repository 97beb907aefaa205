/**
 * Optimizer updates as one op per variable (`NetspecAdamStep`, `NetspecMomentumStep`). tfjs' AdamOptimizer
 * composes each variable's step from ten elementwise ops — ten passes over memory and nine temporary tensors —
 * and its MomentumOptimizer from three: on ResNet-50 (25.6 M parameters) Adam's ops took 250 ms of a 1.4 s
 * training step where PyTorch's whole Adam step takes 50. A runtime that registers these kernels (the oneDNN
 * ones: ../onednn/optimizer.ts) does each step in one pass; elsewhere the op is tfjs' own composition, op for op.
 *
 * Same numbers either way: the kernels evaluate the composition's float32 operations in its order (+, −, ×, ÷
 * and √ are correctly rounded in float32 whether a loop or a tensor op computes them), so an optimizer using
 * these ops gives the values tfjs' gives.
 */
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import { tf } from '../tf';

export const ADAM_STEP = 'NetspecAdamStep';
export const MOMENTUM_STEP = 'NetspecMomentumStep';

export interface AdamStepAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

export interface MomentumStepAttrs {
  momentum: number;
  learningRate: number;
  nesterov: boolean;
}

/** The float32 scalars the Adam composition multiplies and divides by, in the order the kernels take them. */
export function adamConstants(a: AdamStepAttrs, correction1: number, correction2: number): Float32Array {
  return Float32Array.of(a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, correction1, correction2, a.epsilon, -a.learningRate);
}

/** The same for momentum SGD: μ, −lr, and 1 for Nesterov. */
export function momentumConstants(a: MomentumStepAttrs): Float32Array {
  return Float32Array.of(a.momentum, -a.learningRate, a.nesterov ? 1 : 0);
}

function fused(kernelName: string, tensors: readonly Tensor[]): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined && tensors.every((t) => t.dtype === 'float32');
}

/**
 * One Adam step of one variable: [new value, new m, new v]. `correction1` and `correction2` are the scalars
 * 1 − β1^t and 1 − β2^t.
 */
export function adamStep(value: Tensor, gradient: Tensor, m: Tensor, v: Tensor, correction1: Scalar, correction2: Scalar,
  attrs: AdamStepAttrs): [Tensor, Tensor, Tensor] {
  if (fused(ADAM_STEP, [value, gradient, m, v, correction1, correction2])) {
    return tf.engine().runKernel(ADAM_STEP, { value, gradient, m, v, correction1, correction2 },
      attrs as unknown as Record<string, number>) as [Tensor, Tensor, Tensor];
  }
  // tfjs' AdamOptimizer.applyGradients, term for term.
  return tf.tidy(() => {
    const newM = tf.add(tf.mul(m, attrs.beta1), tf.mul(gradient, 1 - attrs.beta1));
    const newV = tf.add(tf.mul(v, attrs.beta2), tf.mul(tf.square(gradient), 1 - attrs.beta2));
    const mHat = tf.div(newM, correction1);
    const vHat = tf.div(newV, correction2);
    const newValue = tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), attrs.epsilon)), -attrs.learningRate), value);
    return [newValue, newM, newV];
  });
}

/** One momentum-SGD step of one variable: [new value, new accumulation]. */
export function momentumStep(value: Tensor, gradient: Tensor, accumulation: Tensor, attrs: MomentumStepAttrs): [Tensor, Tensor] {
  if (fused(MOMENTUM_STEP, [value, gradient, accumulation])) {
    return tf.engine().runKernel(MOMENTUM_STEP, { value, gradient, accumulation },
      attrs as unknown as Record<string, number>) as [Tensor, Tensor];
  }
  // tfjs' MomentumOptimizer.applyGradients, term for term.
  return tf.tidy(() => {
    const newAccumulation = tf.add(tf.mul(attrs.momentum, accumulation), gradient);
    const step = attrs.nesterov ? tf.add(gradient, tf.mul(newAccumulation, attrs.momentum)) : newAccumulation;
    return [tf.add(tf.mul(-attrs.learningRate, step), value), newAccumulation];
  });
}
