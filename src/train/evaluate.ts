import { normalize } from './augment';
import { adaptDataset } from './data/adapt';
import { dataError } from './data/errors';
import { loadDataAsync } from './data/load';
import { limitDataset } from './data/types';
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
export async function evaluate(served: ServedModel, options: { data?: string; limit?: number; batchSize?: number }): Promise<EvaluationReport> {
  const dataPath = options.data ?? served.run?.data.path;
  if (!dataPath) throw dataError(served.run?.name ?? 'model', 'no data to evaluate on', 'pass --data <path>');
  // The run's own data held out by validation_split: the same subset again (same seed, same --limit).
  const validation = options.data === undefined ? served.run?.data.validation : undefined;
  const splits = await loadDataAsync(dataPath, {
    limit: validation ? served.run?.settings.data.limit ?? undefined : options.limit, splits: ['test'], validation,
    synthetic: { shape: served.input, classes: served.classes?.length },
  });
  const found = splits.test ?? splits.train;
  const raw = found && validation ? limitDataset(found, options.limit) : found;
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
