/**
 * The layers channel attention and stochastic depth need and tfjs lacks, written to ship with a saved model like
 * those of portable.ts (the same rules: self-contained, their source text is part of netspec-layers.js):
 * - GlobalPoolKeepDims: the mean (or max) over height and width, kept as 1×1×C. tfjs' GlobalAveragePooling2D has
 *   no keepDims, and a Reshape after it would add a layer the IR and the torch names do not have; SE's 1×1 convs
 *   read it as torch's `x.mean((2, 3), keepdim=True)`.
 * - DropPath: timm's drop_path. While training each sample's input is zeroed with probability `rate` and the
 *   others scaled by 1 / (1 − rate); at inference it is the identity. The masks are drawn from a seed the trainer
 *   sets before every step (`setDropPathSeed`), per layer, so a resumed run draws the masks an uninterrupted one
 *   would; without a seed (a model trained outside netspec) they come from tfjs' own random state.
 * - ChannelConv1D: ECA's conv across channels. A 1×1×C map is read as a length-C sequence with one channel and
 *   convolved with one k-tap kernel [k, 1, 1], zero-padded to keep C (torch's Conv1d(1, 1, k, padding=(k − 1) / 2,
 *   bias=False)); the kernel starts as torch's default, uniform in ±1/√k (fan-in variance scaling with scale 1/3).
 * The TypeScript emitter re-creates these classes in emitted modules (keep both in step).
 */
import type * as tfjs from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfjs.layers.Layer>[0]>;
type Layer = InstanceType<typeof tfjs.layers.Layer>;

export interface AttentionLayers {
  GlobalPoolKeepDims: { new (args: LayerArgs & { mode: 'avg' | 'max' }): Layer; readonly className: string };
  DropPath: { new (args: LayerArgs & { rate: number }): Layer; readonly className: string };
  ChannelConv1D: { new (args: LayerArgs & { kernelSize: number }): Layer; readonly className: string };
  /** The seed of the next training step's drop-path masks (undefined: unseeded). */
  setDropPathSeed(seed: number | undefined): void;
}

/** Defines and registers the three classes against `tf` (any copy of @tensorflow/tfjs ≥ 3). Self-contained. */
export function defineAttentionLayers(tf: typeof tfjs): AttentionLayers {
  let stepSeed: number | undefined;

  /** A stable 31-bit number per layer name (FNV-1a), so layers of one step draw different masks. */
  const nameHash = (name: string): number => {
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    return (h >>> 0) & 0x7fffffff;
  };

  class GlobalPoolKeepDims extends tf.layers.Layer {
    static className = 'GlobalPoolKeepDims';
    readonly mode: 'avg' | 'max';

    constructor(args: LayerArgs & { mode: 'avg' | 'max' }) {
      super(args);
      this.mode = args.mode;
    }

    override computeOutputShape(inputShape: tfjs.Shape | tfjs.Shape[]): tfjs.Shape {
      const [n, , , c] = inputShape as tfjs.Shape;
      return [n, 1, 1, c];
    }

    override call(inputs: tfjs.Tensor | tfjs.Tensor[]): tfjs.Tensor {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return this.mode === 'avg' ? tf.mean(x, [1, 2], true) : tf.max(x, [1, 2], true);
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), mode: this.mode };
    }
  }

  class DropPath extends tf.layers.Layer {
    static className = 'DropPath';
    readonly rate: number;

    constructor(args: LayerArgs & { rate: number }) {
      super(args);
      if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`DropPath: rate must be in [0, 1), got ${args.rate}`);
      this.rate = args.rate;
    }

    override call(inputs: tfjs.Tensor | tfjs.Tensor[], kwargs: Record<string, unknown>): tfjs.Tensor {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (kwargs.training !== true || this.rate === 0) return x;
      return tf.tidy(() => {
        const keep = 1 - this.rate;
        const seed = stepSeed === undefined ? undefined : (stepSeed + nameHash(this.name)) % 0x7fffffff;
        const mask = tf.floor(tf.add(tf.randomUniform([x.shape[0] ?? 1, 1, 1, 1], 0, 1, 'float32', seed), keep));
        return tf.mul(x, tf.div(mask, keep));
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), rate: this.rate };
    }
  }

  class ChannelConv1D extends tf.layers.Layer {
    static className = 'ChannelConv1D';
    readonly kernelSize: number;
    private kernel?: tfjs.LayerVariable;

    constructor(args: LayerArgs & { kernelSize: number }) {
      super(args);
      this.kernelSize = args.kernelSize;
    }

    override build(): void {
      const init = tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform' });
      this.kernel = this.addWeight('kernel', [this.kernelSize, 1, 1], 'float32', init);
      this.built = true;
    }

    override call(inputs: tfjs.Tensor | tfjs.Tensor[]): tfjs.Tensor {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        const [n, h, w, c] = x.shape as number[];
        const y = tf.conv1d(tf.reshape(x, [n, c, 1]) as tfjs.Tensor3D, this.kernel!.read() as tfjs.Tensor3D, 1, 'same');
        return tf.reshape(y, [n, h, w, c]);
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), kernelSize: this.kernelSize };
    }
  }

  tf.serialization.registerClass(GlobalPoolKeepDims);
  tf.serialization.registerClass(DropPath);
  tf.serialization.registerClass(ChannelConv1D);
  return {
    GlobalPoolKeepDims,
    DropPath,
    ChannelConv1D,
    setDropPathSeed: (seed) => {
      stepSeed = seed;
    },
  };
}

/** The class names this module defines (shipped beside a model that uses one, with portable.ts'). */
export const ATTENTION_CLASS_NAMES: readonly string[] = ['GlobalPoolKeepDims', 'DropPath', 'ChannelConv1D'];
