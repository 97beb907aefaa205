import { normalize } from './augment';
import { adaptDataset } from './data/adapt';
import { dataError } from './data/errors';
import { loadData } from './data/load';
import { confusionReport, ConfusionReport } from './metrics';
import { scoreDataset } from './score';
import { ServedModel } from './served-model';

export interface EvaluationReport {
  data: string;
  examples: number;
  loss: number;
  top1: number;
  top5: number;
  confusion: ConfusionReport;
}

/** Loss, top-1/top-5 accuracy and the confusion matrix on the test split of `dataPath` (the run's data by default). */
export function evaluate(served: ServedModel, options: { data?: string; limit?: number; batchSize?: number }): EvaluationReport {
  const dataPath = options.data ?? served.run?.data.path;
  if (!dataPath) throw dataError(served.run?.name ?? 'model', 'no data to evaluate on', 'pass --data <path>');
  const splits = loadData(dataPath, { limit: options.limit, splits: ['test'], synthetic: { shape: served.input, classes: served.classes?.length } });
  const raw = splits.test ?? splits.train;
  if (!raw) throw dataError(dataPath, 'has no test split');
  const adapt = served.run?.data.adapt;
  const ds = adaptDataset(raw, served.input, { spatial: adapt?.spatial as 'pad' | 'resize' | undefined, channels: adapt?.channels as 'repeat' | 'luma' | undefined });
  const classes = served.classes ?? ds.classes;
  const metrics = scoreDataset(served.model, ds, {
    batchSize: options.batchSize ?? 128,
    transform: (x) => normalize(x, served.normalization),
    fromLogits: served.fromLogits,
    loss: served.loss,
    classes: classes.length,
  });
  const s = metrics.summary();
  return { data: dataPath, examples: s.examples, loss: s.loss, top1: s.accuracy, top5: s.top5, confusion: confusionReport(metrics.confusion, classes) };
}
