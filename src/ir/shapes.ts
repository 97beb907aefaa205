import { OpAttrs, Shape } from './types';

/** Output size of a window op along one axis, with TensorFlow's 'same' / 'valid' rules. */
export function windowOutput(size: number, kernel: number, stride: number, padding: 'same' | 'valid', dilation = 1): number {
  if (padding === 'same') return Math.ceil(size / stride);
  const effective = (kernel - 1) * dilation + 1;
  return Math.floor((size - effective) / stride) + 1;
}

/** Total padding 'same' adds along one axis (TensorFlow puts the odd pixel at the end). */
export function samePadding(size: number, kernel: number, stride: number, dilation = 1): number {
  const effective = (kernel - 1) * dilation + 1;
  return Math.max((Math.ceil(size / stride) - 1) * stride + effective - size, 0);
}

/** Output shape of an op given its input shapes. */
export function inferShape(node: OpAttrs, inputs: Shape[]): Shape {
  const [x] = inputs;
  switch (node.op) {
    case 'input':
      return x;
    case 'conv2d': {
      const { kernel, strides, padding, dilation, filters } = node.attrs;
      return [windowOutput(x[0], kernel, strides, padding, dilation), windowOutput(x[1], kernel, strides, padding, dilation), filters];
    }
    case 'zero_pad': {
      const [[top, bottom], [left, right]] = node.attrs.padding;
      return [x[0] + top + bottom, x[1] + left + right, x[2]];
    }
    case 'max_pool':
    case 'avg_pool': {
      const { size, strides, padding } = node.attrs;
      return [windowOutput(x[0], size, strides, padding), windowOutput(x[1], size, strides, padding), x[2]];
    }
    case 'global_pool':
      return node.attrs.keepDims ? [1, 1, x[2]] : [x[2]];
    case 'subsample_pad': {
      const { stride, channelsBefore, channelsAfter } = node.attrs;
      return [Math.ceil(x[0] / stride), Math.ceil(x[1] / stride), x[2] + channelsBefore + channelsAfter];
    }
    case 'flatten':
      return [x.reduce((a, b) => a * b, 1)];
    case 'dense':
      return [...x.slice(0, -1), node.attrs.units];
    case 'resize':
      return [x[0] * node.attrs.factor[0], x[1] * node.attrs.factor[1], x[2]];
    case 'batch_norm':
    case 'relu':
    case 'dropout':
    case 'add':
    case 'sigmoid':
    case 'channel_conv':
    case 'multiply':
    case 'drop_path':
      return x;
  }
}
