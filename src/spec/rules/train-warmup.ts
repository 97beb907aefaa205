import { TrainRule } from './train-rule';

/** A warm-up longer than the run never reaches the base learning rate. */
export const warmupTooLong: TrainRule = {
  id: 'warmup-too-long',
  description: 'warmup.epochs is at most epochs.',
  check(c, report, base) {
    if (c.warmup.epochs > c.epochs) report(`warmup.epochs (${c.warmup.epochs}) is longer than the run (${c.epochs} epochs)`, `${base}/warmup/epochs`);
  },
};
