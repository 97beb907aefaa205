/**
 * IR node → tfjs layer, one generic lowering per op kind. Nothing here knows about architectures: every spec reaches
 * tfjs through this table. Layers take the IR node's name unchanged (names are the contract with weight files) and
 * its `trainable` flag (frozen stages).
 */
import type { SymbolicTensor } from '@tensorflow/tfjs';
import { IRNode, NodeOf, OpKind } from '../../ir/types';
import { convKernelInitializer, denseKernelInitializer, gammaInitializer } from './init';
import { Add, BatchNormalization, ChannelConv1D, Conv2D, DropPath, FrozenBatchNormalization, GlobalPoolKeepDims, GroupedConv2D, SubsamplePad } from './layers';
import { tf } from '../../runtime/tf';

type Layer = InstanceType<typeof tf.layers.Layer>;
/** `seed`: the layer's seed for its random initial weights (none: a fresh draw). */
export type Lowering<K extends OpKind> = (node: NodeOf<K>, inputs: SymbolicTensor[], seed?: number) => SymbolicTensor;

const common = (node: IRNode) => ({ name: node.name, trainable: node.trainable });

/** The last axis of a symbolic tensor: the channels an NHWC conv reads, the units a dense layer reads. */
function channels(x: SymbolicTensor): number {
  return x.shape[x.shape.length - 1] as number;
}

/** Applies a layer to one input or, for merge layers, to the list. */
function apply(layer: Layer, inputs: SymbolicTensor[]): SymbolicTensor {
  return layer.apply(inputs.length === 1 ? inputs[0] : inputs) as SymbolicTensor;
}

export const lowerings: { readonly [K in OpKind]: Lowering<K> } = {
  input: (node) => tf.input({ shape: node.shape, name: node.name }),

  conv2d: (node, inputs, seed) => {
    const a = node.attrs;
    const args = {
      ...common(node),
      filters: a.filters,
      kernelSize: a.kernel,
      strides: a.strides,
      padding: a.padding,
      dilationRate: a.dilation,
      useBias: a.useBias,
      kernelInitializer: convKernelInitializer(a, channels(inputs[0]), seed),
      biasInitializer: tf.initializers.zeros(),
    };
    // tfjs' Conv2D has no `groups`; a grouped conv keeps one kernel in its own layer class (see GroupedConv2D).
    return apply(a.groups > 1 ? new GroupedConv2D({ ...args, groups: a.groups }) : new Conv2D(args), inputs);
  },

  zero_pad: (node, inputs) => apply(tf.layers.zeroPadding2d({ ...common(node), padding: node.attrs.padding }), inputs),

  batch_norm: (node, inputs) => {
    const args = {
      ...common(node),
      axis: -1,
      epsilon: node.attrs.epsilon,
      momentum: node.attrs.momentum,
      gammaInitializer: gammaInitializer(node.attrs.gammaZero),
    };
    // A frozen stage's BN keeps its statistics even while the rest trains (see FrozenBatchNormalization); a
    // training one runs as one op on wasm (see layers/batch-norm.ts).
    return apply(node.trainable ? new BatchNormalization(args) : new FrozenBatchNormalization(args), inputs);
  },

  relu: (node, inputs) => apply(tf.layers.activation({ ...common(node), activation: 'relu' }), inputs),

  max_pool: (node, inputs) => apply(tf.layers.maxPooling2d({
    ...common(node), poolSize: node.attrs.size, strides: node.attrs.strides, padding: node.attrs.padding,
  }), inputs),

  // tfjs averages over the window's in-bounds pixels only, as TensorFlow does (timm's count_include_pad=False).
  avg_pool: (node, inputs) => apply(tf.layers.averagePooling2d({
    ...common(node), poolSize: node.attrs.size, strides: node.attrs.strides, padding: node.attrs.padding,
  }), inputs),

  global_pool: (node, inputs) => {
    const { mode, keepDims } = node.attrs;
    if (keepDims) return apply(new GlobalPoolKeepDims({ ...common(node), mode }), inputs);
    return apply(mode === 'avg' ? tf.layers.globalAveragePooling2d(common(node)) : tf.layers.globalMaxPooling2d(common(node)), inputs);
  },

  add: (node, inputs) => apply(new Add(common(node)), inputs),

  // The portable layer draws its own kernel (./init's channelConvInitializer); a seeded build redraws it (./seed.ts).
  channel_conv: (node, inputs) => apply(new ChannelConv1D({ ...common(node), kernelSize: node.attrs.kernel }), inputs),

  sigmoid: (node, inputs) => apply(tf.layers.activation({ ...common(node), activation: 'sigmoid' }), inputs),

  // tfjs' Multiply broadcasts the 1×1×C gate over the feature map.
  multiply: (node, inputs) => apply(tf.layers.multiply(common(node)), inputs),

  drop_path: (node, inputs) => apply(new DropPath({ ...common(node), rate: node.attrs.rate }), inputs),

  subsample_pad: (node, inputs) => apply(new SubsamplePad({ ...common(node), ...node.attrs }), inputs),

  flatten: (node, inputs) => apply(tf.layers.flatten(common(node)), inputs),

  dropout: (node, inputs) => apply(tf.layers.dropout({ ...common(node), rate: node.attrs.rate }), inputs),

  // Stock Keras' UpSampling2D: an integer factor per axis, nearest or (TensorFlow 1's) bilinear resize.
  resize: (node, inputs) => apply(tf.layers.upSampling2d({
    ...common(node), size: node.attrs.factor, interpolation: node.attrs.interpolation,
  }), inputs),

  dense: (node, inputs, seed) => apply(tf.layers.dense({
    ...common(node),
    units: node.attrs.units,
    activation: node.attrs.activation,
    useBias: node.attrs.useBias,
    kernelInitializer: denseKernelInitializer(node.attrs, channels(inputs[0]), seed),
    biasInitializer: tf.initializers.zeros(),
  }), inputs),
};

/** Lowers one node given the tensors of its inputs. */
export function lowerNode(node: IRNode, inputs: SymbolicTensor[], seed?: number): SymbolicTensor {
  return (lowerings[node.op] as Lowering<OpKind>)(node, inputs, seed);
}
