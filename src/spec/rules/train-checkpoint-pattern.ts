import { patternProblems } from '../../train/snapshot-name';
import { TrainRule } from './train-rule';

/** The snapshot pattern is a file name inside checkpoints/ that no two epochs share (src/train/snapshot-name.ts). */
export const checkpointPattern: TrainRule = {
  id: 'checkpoint-pattern',
  description: 'checkpoint.pattern is a plain .ckpt file name with {epoch}, in the Keras filepath format subset.',
  check(c, report, base) {
    for (const p of patternProblems(c.checkpoint.pattern)) report(p.message, `${base}/checkpoint/pattern`, p.hint);
  },
};
