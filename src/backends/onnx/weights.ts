/** The weights ONNX export reads: a tfjs LayersModel's, by layer name and short weight name (kernel, gamma, …). */
import type { LayersModel } from '@tensorflow/tfjs';

export interface Weight {
  shape: number[];
  values: Float32Array;
}

export interface LayerWeights {
  weights: Map<string, Weight>;
  /** The layer's fused activation (`relu` on a conv that a batch norm and ReLU were folded into). */
  activation?: string;
}

/**
 * Layer name → its weights. A layer of the IR that the model lacks was folded away (`--inference`: the batch norm
 * and ReLU after a conv), which the exporter follows.
 */
export function modelWeights(model: LayersModel): Map<string, LayerWeights> {
  const out = new Map<string, LayerWeights>();
  for (const layer of model.layers) {
    const values = layer.getWeights();
    const weights = new Map(layer.weights.map((w, i): [string, Weight] => [
      w.originalName.split('/').pop()!, { shape: w.shape as number[], values: values[i].dataSync() as Float32Array },
    ]));
    const activation = layer.getConfig().activation;
    out.set(layer.name, { weights, ...(typeof activation === 'string' ? { activation } : {}) });
  }
  return out;
}
