import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { tf } from '../runtime/tf';
import { BatchTransform, makeBatch } from './batches';
import { batchRanges } from './data/batch';
import { Dataset } from './data/types';
import { crossEntropy } from './loss';
import { ClassificationMetrics } from './metrics';

/** Number of classes the model's (last) output scores. */
export function outputClasses(model: LayersModel): number {
  return (model.outputs[model.outputs.length - 1].shape as number[]).slice(-1)[0];
}

/**
 * Runs a model in inference mode over a whole dataset and accumulates loss, top-1/top-5 and the confusion matrix:
 * the one evaluation loop behind per-epoch validation and `netspec evaluate`.
 */
export function scoreDataset(model: LayersModel, ds: Dataset, o: { batchSize: number; transform?: BatchTransform; fromLogits: boolean; classes: number }): ClassificationMetrics {
  const metrics = new ClassificationMetrics(o.classes);
  const order = Int32Array.from({ length: ds.size }, (_, i) => i);
  for (const [a, b] of batchRanges(ds.size, o.batchSize)) {
    const batch = makeBatch(ds, order, a, b, o.transform);
    const output = model.predict(batch.x) as Tensor;
    const loss = crossEntropy(output, batch.labels, o.classes, 0, o.fromLogits);
    metrics.update(output.dataSync(), batch.labels, loss.dataSync()[0] * (b - a));
    tf.dispose([batch.x, output, loss]);
  }
  return metrics;
}
