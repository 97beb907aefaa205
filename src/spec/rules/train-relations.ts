import { fromWire, TrainingWire } from '../../train/config';
import { SemanticRule } from './rule';
import { runTrainRules } from './train';

/** The spec's own `train:` section (defaults filled by the schema) obeys the train rules, so `validate` sees them. */
export const trainRelations: SemanticRule = {
  id: 'train-relations',
  description: 'The train: section satisfies every rule in src/spec/rules/train.ts.',
  check({ spec, push }) {
    if (!spec.train) return;
    for (const d of runTrainRules(fromWire(spec.train as unknown as TrainingWire))) push(d);
  },
};
