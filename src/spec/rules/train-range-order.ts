import { TrainRule } from './train-rule';

/** Random erasing samples area, aspect and a uniform fill from [lo, hi]; an inverted range has nothing to sample from. */
export const rangeOrder: TrainRule = {
  id: 'range-order',
  description: 'augment.erasing.area, .aspect and .range are [low, high].',
  check(c, report, base) {
    for (const key of ['area', 'aspect', 'range'] as const) {
      const [lo, hi] = c.augment.erasing[key];
      if (lo > hi) report(`augment.erasing.${key} is [${lo}, ${hi}]: the lower bound is above the upper one`, `${base}/augment/erasing/${key}`);
    }
  },
};
