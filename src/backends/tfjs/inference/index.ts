/**
 * The inference side of a trained or loaded model: what `evaluate`, `predict` and `compile --inference` run.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { foldBatchNorm } from './fold';

export { findFoldGroups, foldBatchNorm, FoldGroup, foldTopology, ModelTopology } from './fold';

/**
 * The model to run for inference: batch norms folded into the convolutions and ReLUs fused (see fold.ts), so each
 * conv–BN–ReLU runs as one fused convolution. Its outputs equal `model.predict`'s within float rounding. The
 * weights are copied when this is called: call it after training or loading, and dispose the result when done.
 */
export function inferenceModel(model: LayersModel): LayersModel {
  return foldBatchNorm(model);
}
