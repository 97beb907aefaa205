/**
 * Batch-norm folding for inference: every Conv2D whose only consumer is a batch norm (and that batch norm's only
 * consumer a ReLU) becomes one Conv2D with the statistics folded into its weights, a bias, and the ReLU fused.
 * tfjs then runs one fused convolution kernel (bias + ReLU in the same pass; oneDNN's when the native kernels are
 * registered) instead of conv, batch norm and ReLU as three passes over memory.
 *
 * With k = gamma / √(moving_variance + ε) per output channel:
 *   kernel' = kernel · k,   bias' = (bias − moving_mean) · k + beta
 * which is the inference batch norm, gamma · (conv(x) + bias − mean) / √(var + ε) + beta, distributed into the conv.
 *
 * The rewrite works on the model's topology (its Keras config, `model.getConfig()`), so it applies to any tfjs LayersModel, built
 * here or loaded from disk, custom layers included; the folded conv keeps its name, the batch-norm and ReLU layers
 * disappear, everything else (names, weights) is unchanged. Weights are folded in float64 and rounded once.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { tf } from '../../../runtime/tf';
import { markAddsBeforeRelu } from '../layers';

/** One inbound tensor reference in a layer's config: [layer name, node index, tensor index, kwargs]. */
type InboundRef = [string, number, number, Record<string, unknown>?];

interface LayerConfig {
  name: string;
  className: string;
  config: Record<string, unknown>;
  inboundNodes: InboundRef[][];
}

/** What `LayersModel.getConfig()` returns and `LayersModel.fromConfig` takes. */
export interface ModelTopology {
  name: string;
  layers: LayerConfig[];
  inputLayers: InboundRef[];
  outputLayers: InboundRef[];
}

const BATCH_NORMS = new Set(['BatchNormalization', 'FrozenBatchNormalization']);

/** A conv, the batch norm after it and the ReLU after that (if any), to become one layer. */
export interface FoldGroup {
  conv: string;
  batchNorm: string;
  relu?: string;
}

function consumersOf(layers: readonly LayerConfig[], outputs: readonly InboundRef[]): Map<string, string[]> {
  const consumers = new Map<string, string[]>(layers.map((l) => [l.name, []]));
  for (const l of layers) {
    for (const node of l.inboundNodes) for (const [from] of node) consumers.get(from)?.push(l.name);
  }
  for (const [from] of outputs) consumers.get(from)?.push('(model output)');
  return consumers;
}

/** Whether `layer` has a single inbound node reading the single output of `from`. */
function readsOnly(layer: LayerConfig, from: string): boolean {
  return layer.inboundNodes.length === 1 && layer.inboundNodes[0].length === 1 && layer.inboundNodes[0][0][0] === from;
}

function isFoldableConv(l: LayerConfig): boolean {
  const c = l.config;
  // A grouped conv (channels-last, no activation of its own) folds per output channel alike; no ReLU to fuse.
  if (l.className === 'GroupedConv2D') return l.inboundNodes.length === 1;
  return l.className === 'Conv2D' && c.dataFormat === 'channelsLast' && c.activation === 'linear' &&
    l.inboundNodes.length === 1;
}

function isChannelsLastBatchNorm(l: LayerConfig): boolean {
  return BATCH_NORMS.has(l.className) && (l.config.axis === -1 || l.config.axis === 3);
}

function isRelu(l: LayerConfig): boolean {
  return l.className === 'Activation' && l.config.activation === 'relu';
}

/** The conv → batch norm (→ ReLU) chains of a topology that can be folded. */
export function findFoldGroups(topology: ModelTopology): FoldGroup[] {
  const { layers, outputLayers: outputs } = topology;
  const byName = new Map(layers.map((l) => [l.name, l]));
  const consumers = consumersOf(layers, outputs);
  const only = (name: string): LayerConfig | undefined => {
    const c = consumers.get(name) ?? [];
    return c.length === 1 ? byName.get(c[0]) : undefined;
  };
  const groups: FoldGroup[] = [];
  for (const conv of layers.filter(isFoldableConv)) {
    const bn = only(conv.name);
    if (bn === undefined || !isChannelsLastBatchNorm(bn) || !readsOnly(bn, conv.name)) continue;
    const relu = only(bn.name);
    const fuseRelu = conv.className === 'Conv2D' && relu !== undefined && isRelu(relu) && readsOnly(relu, bn.name);
    groups.push({ conv: conv.name, batchNorm: bn.name, ...(fuseRelu ? { relu: relu.name } : {}) });
  }
  return groups;
}

/** The topology with each group's batch norm and ReLU removed and their readers reading the conv. */
export function foldTopology(topology: ModelTopology, groups: readonly FoldGroup[]): ModelTopology {
  const removed = new Set<string>();
  const renamed = new Map<string, string>();
  const convs = new Map(groups.map((g) => [g.conv, g]));
  for (const g of groups) {
    removed.add(g.batchNorm);
    if (g.relu !== undefined) removed.add(g.relu);
    renamed.set(g.relu ?? g.batchNorm, g.conv);
  }
  const reroute = (ref: InboundRef): InboundRef => {
    const to = renamed.get(ref[0]);
    return to === undefined ? ref : [to, 0, 0, ...ref.slice(3)] as InboundRef;
  };
  const layers = topology.layers.filter((l) => !removed.has(l.name)).map((l): LayerConfig => {
    const g = convs.get(l.name);
    const activation = l.className === 'Conv2D' ? { activation: g?.relu === undefined ? 'linear' : 'relu' } : {};
    const config = g === undefined ? l.config : { ...l.config, useBias: true, ...activation };
    return { ...l, config, inboundNodes: l.inboundNodes.map((node) => node.map(reroute)) };
  });
  return { ...topology, layers, outputLayers: topology.outputLayers.map(reroute) };
}

/** A layer's weights by their short name (`kernel`, `gamma`, `moving_mean`, …), as they are stored (float32). */
function weightsOf(model: LayersModel, layerName: string): Map<string, { shape: number[]; values: Float32Array }> {
  const layer = model.getLayer(layerName);
  return new Map(layer.weights.map((w) => {
    const value = w.read();
    return [w.originalName.split('/').pop()!, { shape: w.shape as number[], values: value.dataSync() as Float32Array }];
  }));
}

/** kernel' and bias' of one group, from the original model's weights (plain loops: kernels reach 10⁷ values). */
function foldedWeights(model: LayersModel, g: FoldGroup): Tensor[] {
  const conv = weightsOf(model, g.conv);
  const bn = weightsOf(model, g.batchNorm);
  const epsilon = model.getLayer(g.batchNorm).getConfig().epsilon as number;
  const kernel = conv.get('kernel')!;
  const channels = kernel.shape[kernel.shape.length - 1];
  const at = (name: string, c: number, fallback: number) => bn.get(name)?.values[c] ?? fallback;
  const scale = new Float64Array(channels);
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = at('gamma', c, 1) / Math.sqrt(at('moving_variance', c, 1) + epsilon);
    bias[c] = ((conv.get('bias')?.values[c] ?? 0) - at('moving_mean', c, 0)) * scale[c] + at('beta', c, 0);
  }
  // The kernel is channels-last ([k, k, C_in / groups, C_out]): output channel c repeats every `channels` values.
  const source = kernel.values;
  const folded = new Float32Array(source.length);
  for (let i = 0; i < source.length; i += channels) {
    for (let c = 0; c < channels; c++) folded[i + c] = source[i + c] * scale[c];
  }
  return [tf.tensor(folded, kernel.shape), tf.tensor1d(bias)];
}

/**
 * The inference model of `model`: batch norms folded into the convolutions before them, ReLUs fused. Its outputs
 * equal the original's in inference mode up to float rounding (~1e-6 relative). The weights are copied: train or
 * load first, then fold. The original model is left as it was.
 */
export function foldBatchNorm(model: LayersModel): LayersModel {
  const topology = model.getConfig() as unknown as ModelTopology;
  const groups = findFoldGroups(topology);
  const folded = foldTopology(topology, groups);
  const Model = tf.LayersModel as unknown as {
    fromConfig(cls: unknown, config: unknown, customObjects: object, fastWeightInit: boolean): LayersModel;
  };
  // fastWeightInit: every weight is overwritten below, so no random initialisation is drawn.
  const inference = Model.fromConfig(tf.LayersModel, folded, {}, true);
  const byConv = new Map(groups.map((g) => [g.conv, g]));
  for (const layer of inference.layers) {
    const g = byConv.get(layer.name);
    const values = g === undefined ? model.getLayer(layer.name).getWeights() : foldedWeights(model, g);
    if (values.length > 0) layer.setWeights(values);
    if (g !== undefined) tf.dispose(values);
  }
  markAddsBeforeRelu(inference);
  return inference;
}
