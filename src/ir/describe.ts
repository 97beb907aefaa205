import { IRGraph, IRNode, NodeOf, OpKind } from './types';

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
  channel_conv: 'ChannelConv1D',
  multiply: 'Multiply',
  drop_path: 'DropPath',
  subsample_pad: 'SubsamplePad',
  flatten: 'Flatten',
  dropout: 'Dropout',
  dense: 'Dense',
  resize: 'UpSampling2D',
};

/** The classifier: the last dense layer (a `head.layers` head may have others before it); none without a top. */
export function classifierOf(graph: Pick<IRGraph, 'nodes'>): NodeOf<'dense'> | undefined {
  return graph.nodes.filter((n): n is NodeOf<'dense'> => n.op === 'dense').pop();
}

/** How to give the classifier `classes` outputs: head.classes, or the last dense item of head.layers. */
export function classesHint(graph: Pick<IRGraph, 'nodes'>, classes: number): string {
  const fc = classifierOf(graph);
  return fc?.scope.role.kind === 'head_layer'
    ? `set units: ${classes} on the last dense layer of head.layers (item ${fc.scope.role.index})`
    : `add --set head.classes=${classes}`;
}

export function layerType(node: IRNode): string {
  if (node.op === 'global_pool') return node.attrs.mode === 'avg' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
  return kerasLayerType[node.op];
}

export function nodeParams(node: IRNode): number {
  return node.params.trainable + node.params.nonTrainable;
}

/** The `netspec inspect --json` contract. */
export function inspectJson(graph: IRGraph, batchSize = 1) {
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
    layers: graph.nodes.map((n) => ({ name: n.name, type: layerType(n), outputShape: n.shape, params: nodeParams(n), macs: n.macs, inputs: n.inputs })),
    memory: memoryEstimate(graph, batchSize),
  };
}

/** Bytes per stored number: netspec builds float32 models. */
const FLOAT32_BYTES = 4;

/**
 * Memory as torchinfo estimates it, in MB of 1e6 bytes:
 * - input: batch × input elements × 4 bytes;
 * - forward/backward: the output of every layer with parameters is kept for the backward pass and gets a gradient
 *   of the same size, so batch × Σ output elements × 2 × 4 bytes (torchinfo counts only layers with parameters:
 *   ReLU, pooling and add outputs are left out, which is how torchvision's resnet50 reads 177.83 MB);
 * - params: the learned weights × 4 bytes (102.23 MB for resnet50); batch-norm moving statistics are buffers
 *   (torch's word), reported apart and, as in torchinfo, not in the total.
 * It is an estimate: framework workspace, optimizer state and allocator slack are not in it.
 */
export function memoryEstimate(graph: IRGraph, batchSize: number) {
  const elements = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const mb = (count: number) => (count * FLOAT32_BYTES) / 1e6;
  const buffers = graph.nodes.reduce((a, n) => a + (n.op === 'batch_norm' ? 2 * n.shape[n.shape.length - 1] : 0), 0);
  const outputs = graph.nodes.reduce((a, n) => a + (nodeParams(n) > 0 ? elements(n.shape) : 0), 0);
  const inputMB = mb(batchSize * elements(graph.input));
  const forwardBackwardMB = mb(batchSize * outputs * 2);
  const paramsMB = mb(graph.params.total - buffers);
  const buffersMB = mb(buffers);
  return { batchSize, inputMB, forwardBackwardMB, paramsMB, buffersMB, totalMB: inputMB + forwardBackwardMB + paramsMB };
}
