import { TrainRule } from './train-rule';

/** multistep needs one factor per milestone. */
export const factorsLength: TrainRule = {
  id: 'factors-length',
  description: 'schedule.factors has one value per milestone.',
  check(c, report, base) {
    const s = c.schedule;
    if (s.type === 'multistep' && s.factors.length !== s.milestones.length) {
      report(`schedule.factors has ${s.factors.length} values but milestones has ${s.milestones.length}`, `${base}/schedule/factors`, 'give one factor per milestone');
    }
  },
};
