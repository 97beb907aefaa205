/**
 * SubsamplePad: the parameter-free "option A" shortcut of He et al. 2015 (§4.2, CIFAR ResNets).
 *
 * Exact semantics (the TypeScript emitter re-creates this class; keep both in step):
 * - y = x[:, ::stride, ::stride, :] — every `stride`-th row and column starting at index 0, so an H×W input gives
 *   ceil(H / stride) × ceil(W / stride);
 * - then the channel axis is zero-padded with `channelsBefore` zero channels in front and `channelsAfter` behind.
 * - No weights. Config: {stride, channelsBefore, channelsAfter}. Registered for save/load as 'SubsamplePad'.
 */
import type { serialization, Shape, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { tf } from '../../../runtime/tf';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface SubsamplePadArgs extends LayerArgs {
  stride: number;
  channelsBefore: number;
  channelsAfter: number;
}

export class SubsamplePad extends tf.layers.Layer {
  static className = 'SubsamplePad';
  readonly stride: number;
  readonly channelsBefore: number;
  readonly channelsAfter: number;

  constructor(args: SubsamplePadArgs) {
    super(args);
    for (const key of ['stride', 'channelsBefore', 'channelsAfter'] as const) {
      const v = args[key];
      if (!Number.isInteger(v) || v < (key === 'stride' ? 1 : 0)) throw new Error(`SubsamplePad: ${key} must be a ${key === 'stride' ? 'positive' : 'non-negative'} integer, got ${v}`);
    }
    this.stride = args.stride;
    this.channelsBefore = args.channelsBefore;
    this.channelsAfter = args.channelsAfter;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, h, w, c] = inputShape as Shape;
    const sub = (v: number | null) => (v === null ? null : Math.ceil(v / this.stride));
    return [n, sub(h), sub(w), c === null ? null : c + this.channelsBefore + this.channelsAfter];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4D;
      const s = this.stride;
      const sub = s === 1 ? x : everyNth(x, s);
      if (this.channelsBefore === 0 && this.channelsAfter === 0) return sub;
      return tf.pad(sub, [[0, 0], [0, 0], [0, 0], [this.channelsBefore, this.channelsAfter]]);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), stride: this.stride, channelsBefore: this.channelsBefore, channelsAfter: this.channelsAfter };
  }
}

/**
 * x[:, ::s, ::s, :] from ops that have gradients (tfjs has none for stridedSlice): pad to a multiple of s, view as
 * [n, h/s, s, w/s, s, c] and keep index 0 of both inner axes.
 */
function everyNth(x: Tensor4D, s: number): Tensor4D {
  const [n, h, w, c] = x.shape;
  const [oh, ow] = [Math.ceil(h / s), Math.ceil(w / s)];
  const padded = oh * s > h || ow * s > w ? tf.pad(x, [[0, 0], [0, oh * s - h], [0, ow * s - w], [0, 0]]) : x;
  const grid = tf.reshape(padded, [n, oh, s, ow, s, c]);
  return tf.reshape(tf.slice(grid, [0, 0, 0, 0, 0, 0], [n, oh, 1, ow, 1, c]), [n, oh, ow, c]);
}

tf.serialization.registerClass(SubsamplePad);
