/**
 * The layers a saved netspec model needs beyond stock tfjs, written so that they also ship with the model.
 *
 * Why custom classes remain (a standard tfjs/Keras layer with the same computation and parameters was looked for):
 * - Option A (SubsamplePad) is x[:, ::s, ::s, :] plus zero channels. tfjs-layers has no strided-slice layer and no
 *   channel padding (ZeroPadding2D pads rows and columns only); a 1×1 stride-s Conv2D with a fixed identity kernel
 *   computes the same values but adds C·(C + pad) weights, which changes the parameter count and the file.
 * - Grouped convolution (GroupedConv2D): tfjs' Conv2D has no `groups`, DepthwiseConv2D covers only groups = C, and
 *   splitting into per-group convs would need a split layer tfjs lacks and would change the weight layout.
 *
 * `definePortableLayers` is self-contained on purpose: it reads nothing outside its own body but the `tf` it is
 * given, so its source text (`Function.prototype.toString`) is the body of `netspec-layers.js` and
 * `netspec-layers.umd.js`, which `saveModel` writes next to a model.json that uses these classes. netspec's own
 * classes are the ones this function returns, so the shipped code and the code tested here are one source.
 *
 * Exact semantics (the TypeScript emitter re-creates both classes; keep both in step):
 * SubsamplePad — y = x[:, ::stride, ::stride, :] (rows and columns 0, s, 2s…, so H×W gives ceil(H/s)×ceil(W/s)),
 *   then `channelsBefore` zero channels in front and `channelsAfter` behind. No weights. Config {stride,
 *   channelsBefore, channelsAfter}.
 * GroupedConv2D — NHWC input with C_in channels, C_in and `filters` divisible by `groups`; ONE kernel [kh, kw,
 *   C_in / groups, filters] (Keras 3's Conv2D(groups=…) layout; torch's [filters, C_in / groups, kh, kw]
 *   transposed) and `bias` [filters] when `useBias`. Input slice i is convolved with kernel slice i (tf.conv2d:
 *   strides, 'same' | 'valid' with TensorFlow's rules, dilation); results are concatenated in group order, bias
 *   added last. Parameters kh·kw·(C_in / groups)·filters (+ filters), torch's count. Config: Conv2D's keys plus
 *   `groups`. Where the backend in use has a kernel named 'NetspecGroupedConv2D' (netspec's onednn runtime), the
 *   same computation runs as that one kernel.
 */
import type * as tfjs from '@tensorflow/tfjs';

type Pair = [number, number];
type Shape = tfjs.Shape;
type Tensor4D = tfjs.Tensor4D;
type LayerArgs = NonNullable<ConstructorParameters<typeof tfjs.layers.Layer>[0]>;
type Initializer = ReturnType<typeof tfjs.initializers.zeros>;

/** An initializer as Keras' JSON writes it: `{className: 'RandomNormal', config: {mean: 0, stddev: 0.05}}`. */
export interface SerializedInitializer {
  className: string;
  config: tfjs.serialization.ConfigDict;
}

export interface SubsamplePadArgs extends LayerArgs {
  stride: number;
  channelsBefore: number;
  channelsAfter: number;
}

export interface GroupedConv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | Pair;
  groups: number;
  strides?: number | Pair;
  padding?: 'same' | 'valid';
  dilationRate?: number | Pair;
  useBias?: boolean;
  kernelInitializer?: Initializer | SerializedInitializer;
  biasInitializer?: Initializer | SerializedInitializer;
}

type Layer = InstanceType<typeof tfjs.layers.Layer>;

export interface SubsamplePadLayer extends Layer {
  readonly stride: number;
}

/** Its settings are read through getConfig(), as for tfjs' own layers. */
export interface GroupedConv2DLayer extends Layer {
  readonly groups: number;
}

/** The two classes, typed by what callers use (an anonymous class type cannot be exported with tfjs' privates). */
export interface PortableLayers {
  SubsamplePad: { new (args: SubsamplePadArgs): SubsamplePadLayer; readonly className: string };
  GroupedConv2D: { new (args: GroupedConv2DArgs): GroupedConv2DLayer; readonly className: string };
}

/** Defines and registers both classes against `tf` (any copy of @tensorflow/tfjs ≥ 3). Self-contained: see above. */
export function definePortableLayers(tf: typeof tfjs): PortableLayers {
  const pair = (v: number | Pair | undefined, fallback: number): Pair => (Array.isArray(v) ? [v[0], v[1]] : [v ?? fallback, v ?? fallback]);

  /** Custom layers receive their initializers back as JSON; tfjs' own helper for this is private. */
  const toInitializer = (value: Initializer | SerializedInitializer): Initializer => {
    if (typeof (value as Initializer).apply === 'function') return value as Initializer;
    const { className, config } = value as SerializedInitializer;
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
    if (!entry) throw new Error(`unknown initializer class '${className}' in the model's layer config`);
    return entry[1](entry[0], config) as Initializer;
  };
  const serializeInitializer = (init: Initializer) =>
    ({ className: init.getClassName(), config: init.getConfig() }) as unknown as tfjs.serialization.ConfigDict;

  /**
   * x[:, ::s, ::s, :] from ops that have gradients (tfjs has none for stridedSlice): pad to a multiple of s, view
   * as [n, h/s, s, w/s, s, c] and keep index 0 of both inner axes.
   */
  const everyNth = (x: Tensor4D, s: number): Tensor4D => {
    const [n, h, w, c] = x.shape;
    const [oh, ow] = [Math.ceil(h / s), Math.ceil(w / s)];
    const padded = oh * s > h || ow * s > w ? tf.pad(x, [[0, 0], [0, oh * s - h], [0, ow * s - w], [0, 0]]) : x;
    const grid = tf.reshape(padded, [n, oh, s, ow, s, c]);
    return tf.reshape(tf.slice(grid, [0, 0, 0, 0, 0, 0], [n, oh, 1, ow, 1, c]), [n, oh, ow, c]);
  };

  class SubsamplePad extends tf.layers.Layer {
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

    override call(inputs: tfjs.Tensor | tfjs.Tensor[]): tfjs.Tensor {
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4D;
        const sub = this.stride === 1 ? x : everyNth(x, this.stride);
        if (this.channelsBefore === 0 && this.channelsAfter === 0) return sub;
        return tf.pad(sub, [[0, 0], [0, 0], [0, 0], [this.channelsBefore, this.channelsAfter]]);
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), stride: this.stride, channelsBefore: this.channelsBefore, channelsAfter: this.channelsAfter };
    }
  }

  /** Output length along one axis under TensorFlow's padding rules. */
  const outputLength = (size: number | null, kernel: number, stride: number, padding: 'same' | 'valid', dilation: number): number | null => {
    if (size === null) return null;
    if (padding === 'same') return Math.ceil(size / stride);
    return Math.floor((size - ((kernel - 1) * dilation + 1)) / stride) + 1;
  };

  /**
   * The name under which a runtime registers a grouped-convolution kernel (netspec's: src/runtime/ops/grouped-
   * conv2d.ts, GROUPED_CONV2D). Spelled out rather than imported so that this function stays self-contained.
   */
  const GROUPED_KERNEL = 'NetspecGroupedConv2D';

  class GroupedConv2D extends tf.layers.Layer {
    static className = 'GroupedConv2D';
    readonly filters: number;
    readonly kernelSize: Pair;
    readonly groups: number;
    readonly strides: Pair;
    readonly padding: 'same' | 'valid';
    readonly dilationRate: Pair;
    readonly useBias: boolean;
    readonly kernelInitializer: Initializer;
    readonly biasInitializer: Initializer;
    kernel?: tfjs.LayerVariable;
    bias?: tfjs.LayerVariable;

    constructor(args: GroupedConv2DArgs) {
      super(args);
      if (!Number.isInteger(args.groups) || args.groups < 1) throw new Error(`GroupedConv2D: groups must be a positive integer, got ${args.groups}`);
      if (args.filters % args.groups !== 0) throw new Error(`GroupedConv2D: filters (${args.filters}) must be divisible by groups (${args.groups})`);
      this.filters = args.filters;
      this.kernelSize = pair(args.kernelSize, 1);
      this.groups = args.groups;
      this.strides = pair(args.strides, 1);
      this.padding = args.padding ?? 'valid';
      this.dilationRate = pair(args.dilationRate, 1);
      this.useBias = args.useBias ?? true;
      this.kernelInitializer = toInitializer(args.kernelInitializer ?? tf.initializers.glorotUniform({}));
      this.biasInitializer = toInitializer(args.biasInitializer ?? tf.initializers.zeros());
    }

    override build(inputShape: Shape | Shape[]): void {
      const channels = (inputShape as Shape)[3];
      if (channels === null || channels % this.groups !== 0) {
        throw new Error(`GroupedConv2D '${this.name}': input channels (${channels}) must be divisible by groups (${this.groups})`);
      }
      const kernelShape = [...this.kernelSize, channels / this.groups, this.filters];
      this.kernel = this.addWeight('kernel', kernelShape, 'float32', this.kernelInitializer, undefined, true);
      if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInitializer, undefined, true);
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [n, h, w] = inputShape as Shape;
      const out = (size: number | null, axis: 0 | 1) => outputLength(size, this.kernelSize[axis], this.strides[axis], this.padding, this.dilationRate[axis]);
      return [n, out(h, 0), out(w, 1), this.filters];
    }

    override call(inputs: tfjs.Tensor | tfjs.Tensor[]): tfjs.Tensor {
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4D;
        const kernel = this.kernel!.read() as Tensor4D;
        if (this.groups > 1 && x.dtype === 'float32' && tf.getKernel(GROUPED_KERNEL, tf.getBackend()) !== undefined) {
          // One grouped convolution (oneDNN's grouped primitive, gradient included) instead of `groups` slices,
          // convolutions and a concat. Stock tfjs has no such kernel and takes the split path below.
          const attrs = { strides: this.strides, pad: this.padding, dilations: this.dilationRate, groups: this.groups };
          const y = tf.engine().runKernel(GROUPED_KERNEL, { x, filter: kernel }, attrs as unknown as tfjs.NamedAttrMap) as Tensor4D;
          return this.bias ? tf.add(y, this.bias.read()) : y;
        }
        const xs = tf.split(x, this.groups, 3) as Tensor4D[];
        const ks = tf.split(kernel, this.groups, 3) as Tensor4D[];
        const ys = xs.map((xi, i) => tf.conv2d(xi, ks[i], this.strides, this.padding, 'NHWC', this.dilationRate));
        const y = ys.length === 1 ? ys[0] : tf.concat(ys, 3);
        return this.bias ? tf.add(y, this.bias.read()) : y;
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return {
        ...super.getConfig(),
        filters: this.filters,
        kernelSize: this.kernelSize,
        groups: this.groups,
        strides: this.strides,
        padding: this.padding,
        dilationRate: this.dilationRate,
        useBias: this.useBias,
        kernelInitializer: serializeInitializer(this.kernelInitializer),
        biasInitializer: serializeInitializer(this.biasInitializer),
      };
    }
  }

  tf.serialization.registerClass(SubsamplePad);
  tf.serialization.registerClass(GroupedConv2D);
  return { SubsamplePad, GroupedConv2D };
}

/** The class names the shipped module defines: a saved model that uses one of them gets the module beside it. */
export const PORTABLE_CLASS_NAMES: readonly string[] = ['SubsamplePad', 'GroupedConv2D'];
