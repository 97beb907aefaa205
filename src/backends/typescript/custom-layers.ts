/**
 * Source text of the custom layers an emitted module may need. The module imports nothing but tfjs, so it carries
 * its own copies of src/backends/tfjs/layers/{subsample-pad,grouped-conv2d,frozen-batch-norm}.ts: same class names
 * (so saved models load with either), same config keys, same computation. Keep them in step with those files.
 */

export const layerArgsType = 'type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;';

export const subsamplePadClass = `/**
 * SubsamplePad: option A of He et al. (2015): keep every \`stride\`-th row and column, then zero-pad the channel axis
 * (\`channelsBefore\` zero channels in front, \`channelsAfter\` behind). No weights.
 */
class SubsamplePad extends tf.layers.Layer {
  static className = 'SubsamplePad';
  readonly stride: number;
  readonly channelsBefore: number;
  readonly channelsAfter: number;

  constructor(args: LayerArgs & { stride: number; channelsBefore: number; channelsAfter: number }) {
    super(args);
    this.stride = args.stride;
    this.channelsBefore = args.channelsBefore;
    this.channelsAfter = args.channelsAfter;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = inputShape as tf.Shape;
    const sub = (v: number | null) => (v === null ? null : Math.ceil(v / this.stride));
    return [n, sub(h), sub(w), c === null ? null : c + this.channelsBefore + this.channelsAfter];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const sub = this.stride === 1 ? x : everyNth(x, this.stride);
      if (this.channelsBefore === 0 && this.channelsAfter === 0) return sub;
      return tf.pad(sub, [[0, 0], [0, 0], [0, 0], [this.channelsBefore, this.channelsAfter]]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stride: this.stride, channelsBefore: this.channelsBefore, channelsAfter: this.channelsAfter };
  }
}
tf.serialization.registerClass(SubsamplePad);

/**
 * x[:, ::s, ::s, :] from ops that have gradients (tfjs has none for stridedSlice): pad to a multiple of s, view as
 * [n, h/s, s, w/s, s, c] and keep index 0 of both inner axes.
 */
function everyNth(x: tf.Tensor4D, s: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [oh, ow] = [Math.ceil(h / s), Math.ceil(w / s)];
  const padded = oh * s > h || ow * s > w ? tf.pad(x, [[0, 0], [0, oh * s - h], [0, ow * s - w], [0, 0]]) : x;
  const grid = tf.reshape(padded, [n, oh, s, ow, s, c]);
  return tf.reshape(tf.slice(grid, [0, 0, 0, 0, 0, 0], [n, oh, 1, ow, 1, c]), [n, oh, ow, c]);
}`;

export const frozenBatchNormClass = `type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;

/** tfjs exports only a factory for BatchNormalization; the class itself is in the serialization registry. */
const BatchNormalization = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization[0] as unknown as
  new (args?: BatchNormArgs) => tf.layers.Layer;

/**
 * FrozenBatchNormalization: the batch norm of a frozen stage, torchvision's FrozenBatchNorm2d. It always normalises
 * with the moving statistics and never updates them, whatever \`training\` says (tfjs' own BatchNormalization would
 * still use batch statistics in \`fit\` although it is not trainable).
 */
class FrozenBatchNormalization extends BatchNormalization {
  static className = 'FrozenBatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Parameters<tf.layers.Layer['call']>[1]): tf.Tensor | tf.Tensor[] {
    return super.call(inputs, { ...kwargs, training: false });
  }
}
tf.serialization.registerClass(FrozenBatchNormalization as unknown as Parameters<typeof tf.serialization.registerClass>[0]);`;

export const groupedConvClass = `type Initializer = ReturnType<typeof tf.initializers.zeros>;
type SerializedInitializer = { className: string; config: tf.serialization.ConfigDict };

/** An initializer from a saved config, looked up in tfjs' serialization registry. */
function toInitializer(value: Initializer | SerializedInitializer): Initializer {
  if (typeof (value as Initializer).apply === 'function') return value as Initializer;
  const { className, config } = value as SerializedInitializer;
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new Error(\`unknown initializer class '\${className}'\`);
  return entry[1](entry[0], config) as Initializer;
}

interface GroupedConv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number;
  groups: number;
  strides?: number;
  padding?: 'same' | 'valid';
  dilationRate?: number;
  useBias?: boolean;
  kernelInitializer?: Initializer | SerializedInitializer;
  biasInitializer?: Initializer | SerializedInitializer;
}

/**
 * GroupedConv2D: a conv with \`groups\` (ResNeXt's cardinality), which tfjs' Conv2D lacks. One kernel of shape
 * [k, k, C_in / groups, filters] (Keras 3's layout); the input's channels and the kernel's last axis are split into
 * \`groups\` slices, slice i convolved with kernel slice i, the results concatenated in order, the bias added last.
 */
class GroupedConv2D extends tf.layers.Layer {
  static className = 'GroupedConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly groups: number;
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid';
  readonly dilationRate: [number, number];
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: GroupedConv2DArgs) {
    super(args);
    const pair = (v: number | number[] | undefined, fallback: number): [number, number] =>
      Array.isArray(v) ? [v[0], v[1]] : [v ?? fallback, v ?? fallback];
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

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = (inputShape as tf.Shape)[3] as number;
    const kernelShape = [...this.kernelSize, channels / this.groups, this.filters];
    this.kernel = this.addWeight('kernel', kernelShape, 'float32', this.kernelInitializer, undefined, true);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInitializer, undefined, true);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = inputShape as tf.Shape;
    const out = (size: number | null, axis: 0 | 1) => {
      if (size === null) return null;
      if (this.padding === 'same') return Math.ceil(size / this.strides[axis]);
      return Math.floor((size - ((this.kernelSize[axis] - 1) * this.dilationRate[axis] + 1)) / this.strides[axis]) + 1;
    };
    return [n, out(h, 0), out(w, 1), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const xs = tf.split(x, this.groups, 3) as tf.Tensor4D[];
      const ks = tf.split(this.kernel!.read() as tf.Tensor4D, this.groups, 3) as tf.Tensor4D[];
      const ys = xs.map((xi, i) => tf.conv2d(xi, ks[i], this.strides, this.padding, 'NHWC', this.dilationRate));
      const y = ys.length === 1 ? ys[0] : tf.concat(ys, 3);
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const initializer = (init: Initializer) => ({ className: init.getClassName(), config: init.getConfig() });
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      groups: this.groups,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      useBias: this.useBias,
      kernelInitializer: initializer(this.kernelInitializer),
      biasInitializer: initializer(this.biasInitializer),
    };
  }
}
tf.serialization.registerClass(GroupedConv2D);`;

/** Copy of GlobalPoolKeepDims (src/backends/tfjs/layers/channel-ops.ts): the 1×1×C squeeze of squeeze-and-excitation. */
export const globalPoolKeepDimsClass = `/** The mean (or max) over height and width, kept as 1×1×C (the squeeze of squeeze-and-excitation). */
class GlobalPoolKeepDims extends tf.layers.Layer {
  static className = 'GlobalPoolKeepDims';
  readonly mode: 'avg' | 'max';

  constructor(args: LayerArgs & { mode: 'avg' | 'max' }) {
    super(args);
    this.mode = args.mode;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, , , c] = inputShape as tf.Shape;
    return [n, 1, 1, c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return this.mode === 'avg' ? tf.mean(x, [1, 2], true) : tf.max(x, [1, 2], true);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(GlobalPoolKeepDims);`;

/** Copy of DropPath (src/backends/tfjs/layers/channel-ops.ts): timm's stochastic depth. */
export const dropPathClass = `/**
 * Stochastic depth (timm's drop_path): while training, zero each sample's branch with probability \`rate\` and scale
 * the kept ones by 1 / (1 - rate); the identity at inference.
 */
class DropPath extends tf.layers.Layer {
  static className = 'DropPath';
  readonly rate: number;

  constructor(args: LayerArgs & { rate: number }) {
    super(args);
    this.rate = args.rate;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (kwargs.training !== true || this.rate === 0) return x;
    return tf.tidy(() => {
      const keep = 1 - this.rate;
      const mask = tf.floor(tf.add(tf.randomUniform([x.shape[0] ?? 1, 1, 1, 1]), keep));
      return tf.mul(x, tf.div(mask, keep));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
tf.serialization.registerClass(DropPath);`;
