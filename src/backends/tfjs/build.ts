import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import { invariant } from '../../diagnostics/diagnostic';
import { IRGraph } from '../../ir/types';
import { lowerNode } from './lower';
import { tf } from '../../runtime/tf';

/**
 * IR graph → tfjs LayersModel through the functional API. Nodes arrive in topological order, so every input of a
 * node is already lowered when it is reached; the model's outputs are the graph's (several with `out_indices`).
 * Weights are initialised as described in ./init.
 */
export function buildLayersModel(graph: IRGraph): LayersModel {
  const tensors = new Map<string, SymbolicTensor>();
  let input: SymbolicTensor | undefined;
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => {
      const t = tensors.get(name);
      invariant(t, `node ${node.name} reads ${name} before it is defined`);
      return t;
    });
    const out = lowerNode(node, inputs);
    if (node.op === 'input') input = out;
    tensors.set(node.name, out);
  }
  invariant(input, `graph ${graph.name} has no input node`);
  const outputs = graph.outputs.map((name) => {
    const t = tensors.get(name);
    invariant(t, `graph output ${name} is not a node`);
    return t;
  });
  return tf.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0] : outputs, name: graph.name });
}
