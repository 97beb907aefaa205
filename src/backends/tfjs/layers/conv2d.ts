/**
 * Conv2D whose training-mode gradient computes only what is asked for.
 *
 * tfjs-layers' Conv2D always calls `tf.fused.conv2d`, and while gradients are recorded that op's custom gradient
 * computes the input's and the filter's gradients together, whether or not the input needs one. The stem's input
 * is the data batch: its gradient is thrown away, and on ResNet-50 at 224² it was the most expensive convolution
 * of the step (a 7×7 stride-2 backward pass from 64 channels to 3, 46 ms of 1.3 s). Under a gradient tape this
 * class runs the plain `tf.conv2d`, whose registered gradient evaluates each input's part only when that input
 * is on the path to a trained variable; the bias and activation follow as their own ops. Same kernels, same
 * values.
 *
 * Exact semantics otherwise: the same class name, constructor arguments, weights, config and serialisation as
 * tfjs' Conv2D (it is registered under that name, so loaded models get it too). Outside a gradient tape
 * (inference, evaluate, predict), and for what the plain op cannot differentiate (dilation), tfjs' own code runs.
 */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { tf } from '../../../runtime/tf';

type Layer = InstanceType<typeof tf.layers.Layer>;
type ConvArgs = NonNullable<Parameters<typeof tf.layers.conv2d>[0]>;
type Kwargs = Parameters<Layer['call']>[1];

/** What the tfjs class keeps privately and this subclass reads. */
interface ConvState {
  rank: number;
  strides: [number, number];
  padding: 'same' | 'valid' | 'causal';
  dataFormat: 'channelsFirst' | 'channelsLast';
  dilationRate: number | number[];
  kernel: { read(): Tensor };
  bias?: { read(): Tensor } | null;
  activation?: { apply(t: Tensor): Tensor };
}

const TfjsConv2D = tf.serialization.SerializationMap.getMap().classNameMap.Conv2D[0] as unknown as
  new (args: ConvArgs) => Layer;

/** Whether gradients are being recorded: tfjs fuses only outside them (tfjs-core's `shouldFuse`). */
function recordingGradients(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}

export class Conv2D extends TfjsConv2D {
  static className = 'Conv2D';

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const s = this as unknown as ConvState;
    const dilations = typeof s.dilationRate === 'number' ? [s.dilationRate] : s.dilationRate;
    const plain = recordingGradients() && s.rank === 2 && s.dataFormat === 'channelsLast' && s.padding !== 'causal' &&
      dilations.every((d) => d === 1);
    if (!plain) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4D;
      let y: Tensor = tf.conv2d(x, s.kernel.read() as Tensor4D, s.strides, s.padding as 'same' | 'valid', 'NHWC');
      if (s.bias != null) y = tf.add(y, s.bias.read());
      return s.activation != null ? s.activation.apply(y) : y;
    });
  }
}

tf.serialization.registerClass(Conv2D as unknown as Parameters<typeof tf.serialization.registerClass>[0]);
