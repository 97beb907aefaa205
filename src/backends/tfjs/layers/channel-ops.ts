/**
 * The parameter-free layers squeeze-and-excitation and stochastic depth need and tfjs lacks:
 * - GlobalPoolKeepDims: the mean (or max) over height and width, kept as 1×1×C (tfjs' GlobalAveragePooling2D has
 *   no keepDims), so the 1×1 convs of SE read it as torch's `x.mean((2, 3), keepdim=True)`.
 * - DropPath: timm's drop_path. While training, each sample's input is zeroed with probability `rate` and the
 *   others scaled by 1 / (1 − rate); at inference it is the identity.
 * Both are registered for save/load; the TypeScript emitter re-creates them (keep both in step).
 */
import type { serialization, Shape, Tensor } from '@tensorflow/tfjs';
import { tf } from '../../../runtime/tf';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export class GlobalPoolKeepDims extends tf.layers.Layer {
  static className = 'GlobalPoolKeepDims';
  readonly mode: 'avg' | 'max';

  constructor(args: LayerArgs & { mode: 'avg' | 'max' }) {
    super(args);
    this.mode = args.mode;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, , , c] = inputShape as Shape;
    return [n, 1, 1, c];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return this.mode === 'avg' ? tf.mean(x, [1, 2], true) : tf.max(x, [1, 2], true);
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}

export class DropPath extends tf.layers.Layer {
  static className = 'DropPath';
  readonly rate: number;

  constructor(args: LayerArgs & { rate: number }) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`DropPath: rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (kwargs.training !== true || this.rate === 0) return x;
    return tf.tidy(() => {
      const keep = 1 - this.rate;
      const mask = tf.floor(tf.add(tf.randomUniform([x.shape[0] ?? 1, 1, 1, 1]), keep));
      return tf.mul(x, tf.div(mask, keep));
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}

tf.serialization.registerClass(GlobalPoolKeepDims);
tf.serialization.registerClass(DropPath);
