import { TrainRule } from './train-rule';

/** Milestones are epochs at which factors start; a repeat or a step back would make a factor never apply. */
export const milestonesOrder: TrainRule = {
  id: 'milestones-order',
  description: 'schedule.milestones increase.',
  check(c, report, base) {
    const s = c.schedule;
    if (s.type !== 'multistep') return;
    const bad = s.milestones.findIndex((m, i) => i > 0 && m <= s.milestones[i - 1]);
    if (bad > 0) report(`schedule.milestones must increase: ${s.milestones[bad]} follows ${s.milestones[bad - 1]}`, `${base}/schedule/milestones/${bad}`);
  },
};
