import { IRGraph, IRNode, OpKind } from './types';

/** The Keras class each IR op becomes: the vocabulary of `model.summary()` that ML engineers read. */
export const kerasLayerType: Readonly<Record<OpKind, string>> = {
  input: 'InputLayer',
  conv2d: 'Conv2D',
  zero_pad: 'ZeroPadding2D',
  batch_norm: 'BatchNormalization',
  relu: 'Activation',
  max_pool: 'MaxPooling2D',
  avg_pool: 'AveragePooling2D',
  global_pool: 'GlobalPooling2D',
  add: 'Add',
  sigmoid: 'Activation',
  multiply: 'Multiply',
  drop_path: 'DropPath',
  subsample_pad: 'SubsamplePad',
  flatten: 'Flatten',
  dropout: 'Dropout',
  dense: 'Dense',
};

export function layerType(node: IRNode): string {
  if (node.op === 'global_pool') return node.attrs.mode === 'avg' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
  return kerasLayerType[node.op];
}

export function nodeParams(node: IRNode): number {
  return node.params.trainable + node.params.nonTrainable;
}

/** The `netspec inspect --json` contract. */
export function inspectJson(graph: IRGraph) {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const part = (p: 'stem' | 'head') => {
    const nodes = graph.nodes.filter((n) => n.scope.part === p);
    return { params: nodes.reduce((a, n) => a + nodeParams(n), 0), macs: nodes.reduce((a, n) => a + n.macs, 0) };
  };
  const last = byName.get(graph.outputs[graph.outputs.length - 1]);
  return {
    name: graph.name,
    input: graph.input,
    output: last?.shape ?? [],
    outputs: graph.outputs.map((name) => ({ name, shape: byName.get(name)?.shape ?? [] })),
    params: { total: graph.params.total, trainable: graph.params.trainable, nonTrainable: graph.params.nonTrainable },
    macs: graph.macs,
    stem: part('stem'),
    stages: graph.stages.map((s) => ({
      name: s.name,
      blocks: s.blocks,
      params: s.params.trainable + s.params.nonTrainable,
      trainableParams: s.params.trainable,
      macs: s.macs,
      outputShape: s.outputShape,
    })),
    head: part('head'),
    layers: graph.nodes.map((n) => ({ name: n.name, type: layerType(n), outputShape: n.shape, params: nodeParams(n), inputs: n.inputs })),
  };
}
