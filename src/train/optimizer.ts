import type { Optimizer } from '@tensorflow/tfjs';
import { tf } from '../runtime/tf';

export interface OptimizerSettings {
  kind: 'sgd' | 'adam';
  /** SGD momentum (0 = plain SGD). */
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export function makeOptimizer(s: OptimizerSettings, learningRate: number): Optimizer {
  if (s.kind === 'adam') return tf.train.adam(learningRate, s.beta1, s.beta2, s.epsilon);
  if (s.momentum > 0) return tf.train.momentum(learningRate, s.momentum, s.nesterov);
  return tf.train.sgd(learningRate);
}

/** tfjs' SGD caches its rate as a tensor (hence setLearningRate); Adam reads the field on every step. */
export function setLearningRate(optimizer: Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}
