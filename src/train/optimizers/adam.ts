/**
 * Adam as tfjs' AdamOptimizer — the same class name, slots (`<variable>/m`, `<variable>/v`), running powers
 * β1^t, β2^t, weights and values — with each variable's update done by one op (../../runtime/ops/optimizer-steps.ts):
 * one pass over memory on the native backends instead of ten elementwise kernels.
 */
import type { Optimizer, Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { adamStep } from '../../runtime/ops/optimizer-steps';
import { tf } from '../../runtime/tf';

interface Slot {
  originalName: string;
  variable: Variable;
}

/** What tfjs' class keeps privately and this subclass reads and writes. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
}

export class Adam extends tf.AdamOptimizer {
  /** tfjs' AdamOptimizer.applyGradients with the per-variable arithmetic as one op. */
  override applyGradients(gradients: Parameters<Optimizer['applyGradients']>[0]): void {
    const s = this as unknown as AdamState;
    const names = Array.isArray(gradients) ? gradients.map((g) => g.name) : Object.keys(gradients);
    tf.tidy(() => {
      const correction1 = tf.sub(1, s.accBeta1) as Scalar;
      const correction2 = tf.sub(1, s.accBeta2) as Scalar;
      const attrs = { beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon, learningRate: s.learningRate };
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient: Tensor | undefined = Array.isArray(gradients) ? gradients[i].tensor : gradients[name];
        if (gradient == null) return;
        const m = s.accumulatedFirstMoment[i].variable;
        const v = s.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = adamStep(value, gradient, m, v, correction1, correction2, attrs);
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.incrementIterations();
  }
}
