/**
 * The data of a training run, as both engines read it (the tfjs trainer and the torch engine's preparation): the
 * splits of `train.data` (with `validation_split` carved out of the training images), fitted to the model input by
 * `train.data.adapt`, and checked against the classifier's width.
 */
import { classesHint, classifierOf } from '../ir/describe';
import { IRGraph } from '../ir/types';
import { TrainingConfig } from './config';
import { adaptDataset } from './data/adapt';
import { dataError } from './data/errors';
import { loadDataAsync } from './data/load';
import { DataSplits, Dataset, ImageShape } from './data/types';
import { unitsFit } from './head-loss';

export interface RunData {
  splits: DataSplits & { train: Dataset };
  train: Dataset;
  test?: Dataset;
  /** `data.validation_split` and the seed that chose the subset, for run.json. */
  validation?: { fraction: number; seed: number };
}

/** `syntheticClasses`: how many classes `--data synthetic` generates. */
export async function loadRunData(graph: IRGraph, config: TrainingConfig, dataPath: string, syntheticClasses: number): Promise<RunData> {
  const input = graph.input as ImageShape;
  const validation = config.data.validationSplit ? { fraction: config.data.validationSplit, seed: config.seed } : undefined;
  const splits = await loadDataAsync(dataPath, {
    format: config.data.format,
    limit: config.data.limit ?? undefined,
    cifar100Label: config.data.cifar100Label,
    validation,
    synthetic: { shape: input, classes: syntheticClasses },
  });
  if (!splits.train) throw dataError(dataPath, 'has no training split', 'point --data at a folder with training files');
  const adapt = { spatial: config.data.adapt.spatial ?? undefined, channels: config.data.adapt.channels ?? undefined };
  const train = adaptDataset(splits.train, input, adapt);
  const test = splits.test ? adaptDataset(splits.test, input, adapt) : undefined;
  const head = classifierOf(graph);
  if (head && !unitsFit(head.attrs.units, train.classes.length)) {
    throw dataError(dataPath, `has ${train.classes.length} classes but the model's classifier has ${head.attrs.units}`, classesHint(graph, train.classes.length));
  }
  return { splits: { ...splits, train: splits.train }, train, test, validation };
}
