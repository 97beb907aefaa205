import { OpAttrs, ParamCounts, Shape } from './types';

/**
 * Parameters and multiply-accumulates of one layer, from its attributes and shapes. Counted the way Keras/tfjs
 * `countParams()` does: BN has trainable gamma/beta and non-trainable moving mean/variance.
 */
export function countLayer(node: OpAttrs, inputShape: Shape, outputShape: Shape): { params: ParamCounts; macs: number } {
  switch (node.op) {
    case 'conv2d': {
      const { kernel, filters, groups, useBias } = node.attrs;
      const perOutput = kernel * kernel * (inputShape[2] / groups);
      const weights = perOutput * filters + (useBias ? filters : 0);
      return { params: { trainable: weights, nonTrainable: 0 }, macs: outputShape[0] * outputShape[1] * filters * perOutput };
    }
    case 'batch_norm': {
      const c = inputShape[inputShape.length - 1];
      return { params: { trainable: 2 * c, nonTrainable: 2 * c }, macs: 0 };
    }
    case 'dense': {
      const inputs = inputShape[inputShape.length - 1];
      const { units, useBias } = node.attrs;
      return { params: { trainable: inputs * units + (useBias ? units : 0), nonTrainable: 0 }, macs: inputs * units };
    }
    case 'channel_conv': {
      const k = node.attrs.kernel;
      return { params: { trainable: k, nonTrainable: 0 }, macs: inputShape[inputShape.length - 1] * k };
    }
    default:
      return { params: { trainable: 0, nonTrainable: 0 }, macs: 0 };
  }
}
