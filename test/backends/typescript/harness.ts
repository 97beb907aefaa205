/**
 * Shared checks for emitted modules: load emitted source in memory, compare a built model with the IR and with the
 * tfjs backend's model of the same graph, copy weights by layer name, compare outputs.
 */
import * as tf from '@tensorflow/tfjs';
import * as ts from 'typescript';
import { builderName } from '../../../src/backends/typescript';
import { IRGraph } from '../../../src/ir/types';

/**
 * Runs every test file's models on tfjs' cpu backend: deterministic, and always available (importing netspec's
 * backend may register wasm, which needs an asynchronous start).
 */
export function useCpuBackend(): void {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
}

export type Builder = (options?: { inputShape?: [number, number, number]; classes?: number; includeTop?: boolean }) => tf.LayersModel;

/** Runs emitted TypeScript in memory (it may require nothing but @tensorflow/tfjs) and returns its exports. */
export function loadModule(source: string): Record<string, unknown> {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  const requireOnlyTfjs = (id: string) => {
    if (id !== '@tensorflow/tfjs') throw new Error(`emitted module requires ${id}`);
    return tf;
  };
  new Function('require', 'exports', 'module', js)(requireOnlyTfjs, module.exports, module);
  return module.exports;
}

/** The module's builder, found under the name the emitter derives from the spec's name. */
export function builderOf(mod: Record<string, unknown>, graph: IRGraph): Builder {
  const fn = mod[builderName(graph.name)];
  if (typeof fn !== 'function') throw new Error(`module does not export ${builderName(graph.name)}`);
  return fn as Builder;
}

/** Number of values in a weight (its shape is fully known once the layer is built). */
export const size = (w: tf.LayerVariable) => (w.shape as number[]).reduce((a, b) => a * b, 1);

export interface LayerFacts {
  name: string;
  shape: number[];
  trainable: number;
  nonTrainable: number;
}

/** Name, output shape without the batch axis, and parameter counts of each layer, in the model's order. */
export function layerFacts(model: tf.LayersModel): LayerFacts[] {
  return model.layers.map((l) => ({
    name: l.name,
    shape: (l.outputShape as number[]).slice(1),
    trainable: l.trainableWeights.reduce((a, w) => a + size(w), 0),
    nonTrainable: l.nonTrainableWeights.reduce((a, w) => a + size(w), 0),
  }));
}

/** The IR's view of the same facts, sorted by name (tfjs orders layers by depth, the IR by creation). */
export function graphFacts(graph: IRGraph): LayerFacts[] {
  return graph.nodes
    .map((n) => ({ name: n.name, shape: n.shape, trainable: n.params.trainable, nonTrainable: n.params.nonTrainable }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function sortedFacts(model: tf.LayersModel): LayerFacts[] {
  return layerFacts(model).sort((a, b) => a.name.localeCompare(b.name));
}

/** Layer class and configuration, with the layer name that tfjs also writes into `config`. */
export function layerConfigs(model: tf.LayersModel): Array<{ className: string; config: unknown }> {
  return model.layers.map((l) => ({ className: l.getClassName(), config: l.getConfig() }));
}

/**
 * Deterministic, non-trivial weights for everything but the kernels (BN statistics and affine terms, biases), so
 * that BN and bias wiring shows in the outputs. Kernels keep their (He-scaled) initial values; both models then
 * receive them by name.
 */
export function perturbWeights(model: tf.LayersModel, seed = 1): void {
  let s = seed;
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const names = layer.weights.map((w) => w.originalName);
    layer.setWeights(weights.map((w, i) => {
      const n = names[i];
      if (n.endsWith('kernel')) return w;
      s += 1;
      const [lo, hi] = n.endsWith('variance') || n.endsWith('gamma') ? [0.5, 1.5] : [-0.2, 0.2];
      return tf.randomUniform(w.shape, lo, hi, 'float32', s);
    }));
  }
}

/** Copies every weight from `from` to the layer of the same name in `to`. */
export function copyWeightsByName(from: tf.LayersModel, to: tf.LayersModel): void {
  for (const layer of to.layers) {
    const source = from.getLayer(layer.name);
    if (layer.weights.length > 0) layer.setWeights(source.getWeights());
  }
}

/** Outputs of a model on `x` as plain arrays (one per output). */
export function outputsOf(model: tf.LayersModel, x: tf.Tensor): number[][] {
  const y = model.predict(x);
  const list = Array.isArray(y) ? y : [y];
  const out = list.map((t) => Array.from(t.dataSync()));
  tf.dispose(list);
  return out;
}
