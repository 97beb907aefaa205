import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import { invariant } from '../../diagnostics/diagnostic';
import { IRGraph } from '../../ir/types';
import { layerSeed } from './init';
import { BatchNormalization, markAddsBeforeRelu } from './layers';
import { lowerNode } from './lower';
import { redrawKernels } from './seed';
import { tf } from '../../runtime/tf';

/**
 * IR graph → tfjs LayersModel through the functional API. Nodes arrive in topological order, so every input of a
 * node is already lowered when it is reached; the model's outputs are the graph's (several with `out_indices`).
 * Weights are initialised as described in ./init; with the spec's `initializer.seed`, every layer draws from a seed
 * derived from it and the layer's name, so that two builds give the same weights.
 */
export function buildLayersModel(graph: IRGraph): LayersModel {
  const tensors = new Map<string, SymbolicTensor>();
  let input: SymbolicTensor | undefined;
  const seed = graph.settings.initializer.seed;
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => {
      const t = tensors.get(name);
      invariant(t, `node ${node.name} reads ${name} before it is defined`);
      return t;
    });
    const out = lowerNode(node, inputs, seed === null ? undefined : layerSeed(seed, node.name));
    if (node.op === 'input') input = out;
    tensors.set(node.name, out);
  }
  invariant(input, `graph ${graph.name} has no input node`);
  const outputs = graph.outputs.map((name) => {
    const t = tensors.get(name);
    invariant(t, `graph output ${name} is not a node`);
    return t;
  });
  const model = tf.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0] : outputs, name: graph.name });
  // ECA's portable layer draws its kernel itself, unseeded.
  if (seed !== null) redrawKernels(model, graph, seed, new Set(['channel_conv']));
  markFusedRelus(model, graph);
  markAddsBeforeRelu(model);
  return model;
}

/** Batch norms whose only consumer is a ReLU may return relu(bn(x)) in training (see layers/batch-norm.ts). */
function markFusedRelus(model: LayersModel, graph: IRGraph): void {
  const consumers = new Map<string, IRGraph['nodes']>();
  for (const node of graph.nodes) {
    for (const name of node.inputs) consumers.set(name, [...(consumers.get(name) ?? []), node]);
  }
  for (const node of graph.nodes) {
    const readers = consumers.get(node.name) ?? [];
    if (node.op !== 'batch_norm' || graph.outputs.includes(node.name) || readers.length !== 1 || readers[0].op !== 'relu') continue;
    const layer = model.getLayer(node.name);
    if (layer instanceof BatchNormalization) layer.fusesFollowingRelu = true;
  }
}
