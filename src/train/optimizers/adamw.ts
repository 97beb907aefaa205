/**
 * AdamW (Loshchilov & Hutter): before each Adam step every trained variable shrinks by lr·weightDecay·w, as Keras 3
 * (`variable.assign(variable - variable * wd * lr)` ahead of the update) and PyTorch (`param.mul_(1 - lr * wd)`)
 * both do. Which variables: all that are trained, biases and batch-norm γ/β included; Keras 3 excludes none unless
 * told (`exclude_from_weight_decay`) and PyTorch decays every parameter it is given, so netspec does the same. The
 * Adam step itself is netspec's `adam` (./adam.ts: tfjs' AdamOptimizer, one op per variable).
 */
import type { AdamOptimizer } from '@tensorflow/tfjs';
import { tf } from '../../runtime/tf';
import { Adam } from './adam';

export class AdamW extends Adam {
  static override get className(): string {
    return 'AdamW';
  }

  constructor(learningRate: number, beta1: number, beta2: number, epsilon: number, private readonly weightDecay: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(gradients: Parameters<AdamOptimizer['applyGradients']>[0]): void {
    const names = Array.isArray(gradients) ? gradients.map((g) => g.name) : Object.keys(gradients);
    tf.tidy(() => {
      for (const name of names) {
        const w = tf.engine().registeredVariables[name];
        w.assign(w.sub(w.mul(this.weightDecay * this.learningRate)));
      }
    });
    super.applyGradients(gradients);
  }
}
