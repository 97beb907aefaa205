import { Diagnostic, error } from '../../diagnostics/diagnostic';
import type { TrainingConfig } from '../../train/config';
import { checkpointPattern } from './train-checkpoint-pattern';
import { factorsLength } from './train-factors-length';
import { milestonesOrder } from './train-milestones-order';
import { rangeOrder } from './train-range-order';
import { shiftAndPadCrop } from './train-shift-and-pad-crop';
import { TrainRule } from './train-rule';
import { warmupTooLong } from './train-warmup';

/** The `train:` relation rules in the order they run. */
export const trainRules: readonly TrainRule[] = [factorsLength, milestonesOrder, shiftAndPadCrop, rangeOrder, warmupTooLong, checkpointPattern];

/** Every train rule over one config; pointers under `base`, diagnostics unlocated (the caller knows the origins). */
export function runTrainRules(c: TrainingConfig, base = '/train'): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rule of trainRules) {
    rule.check(c, (message, pointer, hint) => out.push(error(`train/${rule.id}`, message, pointer, hint === undefined ? {} : { hint })), base);
  }
  return out;
}
