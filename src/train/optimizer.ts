import type { Optimizer, Tensor, Variable } from '@tensorflow/tfjs';
import { tf } from '../runtime/tf';
import { OptimizerConfig } from './config';
import { Adam } from './optimizers/adam';
import { AdamW } from './optimizers/adamw';
import { Momentum } from './optimizers/momentum';
import { KerasRmsprop } from './optimizers/keras-rmsprop';

export function makeOptimizer(s: OptimizerConfig, learningRate: number): Optimizer {
  switch (s.type) {
    case 'adam': return new Adam(learningRate, s.beta1, s.beta2, s.epsilon);
    case 'adamw': return new AdamW(learningRate, s.beta1, s.beta2, s.epsilon, s.weightDecay);
    case 'rmsprop': return new KerasRmsprop(learningRate, s);
    case 'sgd': return s.momentum > 0 ? new Momentum(learningRate, s.momentum, s.nesterov) : tf.train.sgd(learningRate);
  }
}

/** tfjs' SGD caches its rate as a tensor (hence setLearningRate); Adam, AdamW and RMSprop read the field every step. */
export function setLearningRate(optimizer: Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}

export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** Adam's running powers β1^t and β2^t: state tfjs' getWeights leaves out (names chosen not to clash with slots). */
const ADAM_POWERS = ['adam/acc_beta1', 'adam/acc_beta2'] as const;

interface AdamInternals {
  accBeta1: Variable;
  accBeta2: Variable;
}

function adamInternals(optimizer: Optimizer): AdamInternals | undefined {
  const o = optimizer as unknown as Partial<AdamInternals>;
  return o.accBeta1 && o.accBeta2 ? (o as AdamInternals) : undefined;
}

/**
 * Everything an optimizer carries between steps. tfjs' `getWeights` holds the iteration count and the slots
 * (momentum accumulations; Adam's m and v) but not Adam's β1^t, β2^t: its `setWeights` recomputes them as
 * pow(β, t + 1), which differs from the product the uninterrupted run accumulated in the last bits, and that
 * difference grew to 0.1 in the weights after 16 more steps. So they are saved as they are.
 */
export async function optimizerState(optimizer: Optimizer): Promise<NamedTensor[]> {
  const slots: NamedTensor[] = await optimizer.getWeights();
  const adam = adamInternals(optimizer);
  return adam ? [...slots, { name: ADAM_POWERS[0], tensor: adam.accBeta1 }, { name: ADAM_POWERS[1], tensor: adam.accBeta2 }] : slots;
}

/** Restores what `optimizerState` saved. */
export async function restoreOptimizerState(optimizer: Optimizer, state: NamedTensor[]): Promise<void> {
  const powers = state.filter((s) => (ADAM_POWERS as readonly string[]).includes(s.name));
  await optimizer.setWeights(state.filter((s) => !powers.includes(s)));
  const adam = adamInternals(optimizer);
  if (adam && powers.length === 2) {
    adam.accBeta1.assign(powers.find((p) => p.name === ADAM_POWERS[0])!.tensor);
    adam.accBeta2.assign(powers.find((p) => p.name === ADAM_POWERS[1])!.tensor);
  }
}
