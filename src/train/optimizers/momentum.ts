/**
 * SGD with momentum as tfjs' MomentumOptimizer — the same class name, slots (`<variable>/momentum`), weights and
 * values — with each variable's update done by one op (../../runtime/ops/optimizer-steps.ts): one pass over
 * memory on the native backends instead of three elementwise kernels.
 */
import type { Optimizer, Tensor, Variable } from '@tensorflow/tfjs';
import { momentumStep } from '../../runtime/ops/optimizer-steps';
import { tf } from '../../runtime/tf';

/** What tfjs' class keeps privately and this subclass reads and writes. */
interface MomentumState {
  learningRate: number;
  momentum: number;
  useNesterov: boolean;
  accumulations: Array<{ originalName: string; variable: Variable }>;
}

export class Momentum extends tf.MomentumOptimizer {
  /** tfjs' MomentumOptimizer.applyGradients with the per-variable arithmetic as one op. */
  override applyGradients(gradients: Parameters<Optimizer['applyGradients']>[0]): void {
    const s = this as unknown as MomentumState;
    const names = Array.isArray(gradients) ? gradients.map((g) => g.name) : Object.keys(gradients);
    const attrs = { momentum: s.momentum, learningRate: s.learningRate, nesterov: s.useNesterov };
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      s.accumulations[i] ??= { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const gradient: Tensor | undefined = Array.isArray(gradients) ? gradients[i].tensor : gradients[name];
      if (gradient == null) return;
      const accumulation = s.accumulations[i].variable;
      tf.tidy(() => {
        const [newValue, newAccumulation] = momentumStep(value, gradient, accumulation, attrs);
        accumulation.assign(newAccumulation);
        value.assign(newValue);
      });
    });
    this.incrementIterations();
  }
}
