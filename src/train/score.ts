import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { tf } from '../runtime/tf';
import { BatchTransform, makeBatch } from './batches';
import { batchRanges } from './data/batch';
import { Dataset } from './data/types';
import { LossConfig } from './config';
import { batchLoss, probabilities } from './loss';
import { ClassificationMetrics } from './metrics';

/** Number of classes the model's (last) output scores. */
export function outputClasses(model: LayersModel): number {
  return (model.outputs[model.outputs.length - 1].shape as number[]).slice(-1)[0];
}

/**
 * Runs a model in inference mode over a whole dataset and accumulates loss, top-1/top-5 and the confusion matrix:
 * the one evaluation loop behind per-epoch validation and `netspec evaluate`.
 */
export function scoreDataset(
  model: LayersModel, ds: Dataset, o: { batchSize: number; transform?: BatchTransform; fromLogits: boolean; loss?: LossConfig['type']; classes: number },
): ClassificationMetrics {
  const twoClass = outputClasses(model) === 1;
  const metrics = new ClassificationMetrics(twoClass ? 2 : o.classes);
  const loss = { type: o.loss ?? 'categorical_crossentropy', fromLogits: o.fromLogits, smoothing: 0 } as const;
  const order = Int32Array.from({ length: ds.size }, (_, i) => i);
  for (const [a, b] of batchRanges(ds.size, o.batchSize)) {
    const batch = makeBatch(ds, order, a, b, o.transform);
    const output = model.predict(batch.x) as Tensor;
    const value = batchLoss(output, batch.labels, o.classes, loss);
    const scores = probabilities(output, o.fromLogits, loss.type);
    metrics.update(scores.dataSync(), batch.labels, value.dataSync()[0] * (b - a));
    tf.dispose([batch.x, output, value, scores]);
  }
  return metrics;
}
