/**
 * IR node → ONNX nodes, one lowering per op kind (a missing kind does not compile). The ONNX graph runs NCHW, so
 * kernels are transposed from tfjs' HWIO to OIHW; every padding is written as explicit `pads`, computed with
 * TensorFlow's 'same' rule (total = max((⌈n/s⌉ − 1)·s + (k − 1)·d + 1 − n, 0), the smaller half first), never as
 * `auto_pad`, whose SAME_UPPER is the same split but is read differently by some converters.
 */
import { invariant } from '../../diagnostics/diagnostic';
import { IRNode, NodeOf, OpKind, Shape } from '../../ir/types';
import { GraphBuilder } from './builder';
import { LayerWeights, Weight } from './weights';

export interface LowerContext {
  b: GraphBuilder;
  /** IR shape (no batch axis, HWC) of a node's output, by name. */
  shapeOf(name: string): Shape;
  layer(name: string): LayerWeights | undefined;
}

type Lowering<K extends OpKind> = (node: NodeOf<K>, inputs: string[], cx: LowerContext) => string;

function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** ONNX `pads` [top, left, bottom, right] of a 2-D window op over the input of `node`. */
function windowPads(cx: LowerContext, node: IRNode, kernel: number, stride: number, dilation: number, padding: 'same' | 'valid'): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const [h, w] = cx.shapeOf(node.inputs[0]);
  const [top, bottom] = samePads(h, kernel, stride, dilation);
  const [left, right] = samePads(w, kernel, stride, dilation);
  return [top, left, bottom, right];
}

function weight(cx: LowerContext, node: IRNode, key: string): Weight {
  const w = cx.layer(node.name)?.weights.get(key);
  invariant(w !== undefined, `the model has no weight ${node.name}/${key} for the IR's ${node.op} node`);
  return w;
}

/** HWIO → OIHW. */
function oihw({ shape: [kh, kw, ci, co], values }: Weight): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    out[((o * ci + i) * kh + y) * kw + x] = values[((y * kw + x) * ci + i) * co + o];
  }
  return out;
}

/** A layer the model does not have was folded into the op before it: its output is its input's. */
const foldedAway = (cx: LowerContext, node: IRNode) => cx.layer(node.name) === undefined;

export const lowerings: { readonly [K in OpKind]: Lowering<K> } = {
  input: (node) => {
    invariant(false, `input '${node.name}' is lowered by the exporter`);
  },

  conv2d: (node, [x], cx) => {
    const a = node.attrs;
    const kernel = weight(cx, node, 'kernel');
    const inputs = [x, cx.b.float(`${node.name}/kernel`, [kernel.shape[3], kernel.shape[2], kernel.shape[0], kernel.shape[1]], oihw(kernel))];
    const bias = cx.layer(node.name)!.weights.get('bias');
    if (bias) inputs.push(cx.b.float(`${node.name}/bias`, bias.shape, bias.values));
    const relu = cx.layer(node.name)!.activation === 'relu';
    const y = cx.b.op('Conv', inputs, relu ? `${node.name}/conv` : node.name, {
      kernel_shape: [a.kernel, a.kernel], strides: [a.strides, a.strides], dilations: [a.dilation, a.dilation],
      group: a.groups, pads: windowPads(cx, node, a.kernel, a.strides, a.dilation, a.padding),
    });
    return relu ? cx.b.op('Relu', [y], node.name) : y;
  },

  zero_pad: (node, [x], cx) => {
    const [[top, bottom], [left, right]] = node.attrs.padding;
    return cx.b.op('Pad', [x, cx.b.int64(`${node.name}/pads`, [0, 0, top, left, 0, 0, bottom, right])], node.name);
  },

  batch_norm: (node, [x], cx) => {
    if (foldedAway(cx, node)) return x;
    const params = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((k) => {
      const w = weight(cx, node, k);
      return cx.b.float(`${node.name}/${k}`, w.shape, w.values);
    });
    return cx.b.op('BatchNormalization', [x, ...params], node.name, { epsilon: { float: node.attrs.epsilon } });
  },

  relu: (node, [x], cx) => (foldedAway(cx, node) ? x : cx.b.op('Relu', [x], node.name)),

  max_pool: (node, [x], cx) => cx.b.op('MaxPool', [x], node.name, {
    kernel_shape: [node.attrs.size, node.attrs.size], strides: [node.attrs.strides, node.attrs.strides],
    pads: windowPads(cx, node, node.attrs.size, node.attrs.strides, 1, node.attrs.padding),
  }),

  // tfjs averages over in-bounds pixels only (TensorFlow's rule): count_include_pad = 0.
  avg_pool: (node, [x], cx) => cx.b.op('AveragePool', [x], node.name, {
    kernel_shape: [node.attrs.size, node.attrs.size], strides: [node.attrs.strides, node.attrs.strides],
    pads: windowPads(cx, node, node.attrs.size, node.attrs.strides, 1, node.attrs.padding), count_include_pad: 0,
  }),

  // [N, C, 1, 1]; flattened to [N, C] (the IR's and Keras' head shape) unless the node keeps the dimensions (SE).
  global_pool: (node, [x], cx) => {
    const pool = node.attrs.mode === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool';
    if (node.attrs.keepDims) return cx.b.op(pool, [x], node.name);
    return cx.b.op('Flatten', [cx.b.op(pool, [x], `${node.name}/pool`)], node.name, { axis: 1 });
  },

  sigmoid: (node, [x], cx) => cx.b.op('Sigmoid', [x], node.name),

  // [N, C, H, W] · [N, C, 1, 1]: ONNX broadcasting is numpy's, as the attention gate needs.
  multiply: (node, inputs, cx) => cx.b.op('Mul', inputs, node.name),

  // Stochastic depth is the identity at inference, the only mode an exported graph runs in.
  drop_path: (node, [x], cx) => cx.b.op('Identity', [x], node.name),

  // ECA: the [N, C, 1, 1] descriptor as a length-C sequence with one channel, one k-tap Conv1d zero-padded to keep
  // C (tfjs' 'same' for odd k), and back. The tfjs kernel is [k, 1, 1] (width, in, out); ONNX wants [1, 1, k].
  channel_conv: (node, [x], cx) => {
    const k = node.attrs.kernel;
    const kernel = weight(cx, node, 'kernel');
    const c = cx.shapeOf(node.inputs[0])[2];
    const seq = cx.b.op('Reshape', [x, cx.b.int64(`${node.name}/seq_shape`, [0, 1, c])], `${node.name}/seq`);
    const pad = (k - 1) / 2;
    const y = cx.b.op('Conv', [seq, cx.b.float(`${node.name}/kernel`, [1, 1, k], kernel.values)], `${node.name}/conv`, {
      kernel_shape: [k], strides: [1], dilations: [1], group: 1, pads: [Math.floor(pad), Math.ceil(pad)],
    });
    return cx.b.op('Reshape', [y, cx.b.int64(`${node.name}/map_shape`, [0, c, 1, 1])], node.name);
  },

  add: (node, inputs, cx) => cx.b.op('Add', inputs, node.name),

  // x[:, :, ::s, ::s] (Slice with steps), then zero channels before and after.
  subsample_pad: (node, [x], cx) => {
    const { stride: s, channelsBefore, channelsAfter } = node.attrs;
    const [h, w] = cx.shapeOf(node.inputs[0]);
    const i64 = (key: string, v: number[]) => cx.b.int64(`${node.name}/${key}`, v);
    const sub = s === 1 ? x : cx.b.op('Slice', [x, i64('starts', [0, 0]), i64('ends', [h, w]), i64('axes', [2, 3]), i64('steps', [s, s])], `${node.name}/slice`);
    return cx.b.op('Pad', [sub, i64('pads', [0, channelsBefore, 0, 0, 0, channelsAfter, 0, 0])], node.name);
  },

  // Keras flattens NHWC: transpose back before flattening a feature map so the dense kernel's rows line up.
  flatten: (node, [x], cx) => {
    if (cx.shapeOf(node.inputs[0]).length !== 3) return cx.b.op('Identity', [x], node.name);
    return cx.b.op('Flatten', [cx.b.op('Transpose', [x], `${node.name}/nhwc`, { perm: [0, 2, 3, 1] })], node.name, { axis: 1 });
  },

  dropout: (node, [x], cx) => cx.b.op('Identity', [x], node.name),

  dense: (node, [x], cx) => {
    const kernel = weight(cx, node, 'kernel');
    const inputs = [x, cx.b.float(`${node.name}/kernel`, kernel.shape, kernel.values)];
    const bias = cx.layer(node.name)!.weights.get('bias');
    if (bias) inputs.push(cx.b.float(`${node.name}/bias`, bias.shape, bias.values));
    const activation = node.attrs.activation;
    const y = cx.b.op('Gemm', inputs, activation === 'linear' ? node.name : `${node.name}/linear`);
    if (activation === 'softmax') return cx.b.op('Softmax', [y], node.name, { axis: -1 });
    if (activation === 'sigmoid') return cx.b.op('Sigmoid', [y], node.name);
    if (activation === 'relu') return cx.b.op('Relu', [y], node.name);
    return y;
  },

  // tfjs' UpSampling2D resizes without half-pixel offsets or aligned corners: ONNX's `asymmetric` transform
  // (x_in = x_out / scale); nearest takes the floor, so an integer factor repeats each pixel. No roi: ''.
  resize: (node, [x], cx) => {
    const [fh, fw] = node.attrs.factor;
    const scales = cx.b.float(`${node.name}/scales`, [4], Float32Array.from([1, 1, fh, fw]));
    const nearest = node.attrs.interpolation === 'nearest';
    return cx.b.op('Resize', [x, '', scales], node.name, {
      mode: nearest ? 'nearest' : 'linear', coordinate_transformation_mode: 'asymmetric',
      ...(nearest ? { nearest_mode: 'floor' } : {}),
    });
  },
};

export function lowerNode(node: IRNode, inputs: string[], cx: LowerContext): string {
  return (lowerings[node.op] as Lowering<OpKind>)(node, inputs, cx);
}
