/**
 * GroupedConv2D: a 2-D convolution with `groups` (ResNeXt's cardinality), which tfjs' Conv2D lacks.
 *
 * Exact semantics (the TypeScript emitter re-creates this class; keep both in step):
 * - Input `x` is NHWC with C_in channels; C_in and `filters` must both be divisible by `groups`.
 * - ONE kernel weight `kernel` of shape [kh, kw, C_in / groups, filters] (Keras 3's Conv2D(groups=…) layout; torch's
 *   [filters, C_in / groups, kh, kw] transposed), plus `bias` [filters] when `useBias`.
 * - call(): split `x` into `groups` equal channel slices and the kernel into `groups` equal slices of its last axis;
 *   slice i is convolved with kernel slice i by tf.conv2d (strides, padding 'same' | 'valid' with TensorFlow's
 *   rules, dilation); the results are concatenated along channels in group order; the bias is added last.
 * - Parameters: kh·kw·(C_in / groups)·filters (+ filters), exactly torch's count for the same grouped conv.
 * - Config: Conv2D's keys (filters, kernelSize, strides, padding, dilationRate, useBias, kernelInitializer,
 *   biasInitializer; pairs for the sizes) plus `groups`. Registered for save/load as 'GroupedConv2D'.
 */
import type { LayerVariable, serialization, Shape, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { Initializer } from '../init';
import { groupedConv2dAvailable, groupedConv2dOp } from '../../../runtime/ops/grouped-conv2d';
import { tf } from '../../../runtime/tf';
import { serializeInitializer, SerializedInitializer, toInitializer } from './serialized-initializer';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Pair = [number, number];

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

const pair = (v: number | Pair | undefined, fallback: number): Pair => (Array.isArray(v) ? [v[0], v[1]] : [v ?? fallback, v ?? fallback]);

/** Output length along one axis under TensorFlow's padding rules. */
function outputLength(size: number | null, kernel: number, stride: number, padding: 'same' | 'valid', dilation: number): number | null {
  if (size === null) return null;
  if (padding === 'same') return Math.ceil(size / stride);
  return Math.floor((size - ((kernel - 1) * dilation + 1)) / stride) + 1;
}

export class GroupedConv2D extends tf.layers.Layer {
  static className = 'GroupedConv2D';
  readonly filters: number;
  readonly kernelSize: Pair;
  readonly groups: number;
  readonly strides: Pair;
  readonly padding: 'same' | 'valid';
  readonly dilationRate: Pair;
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private kernel?: LayerVariable;
  private bias?: LayerVariable;

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

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4D;
      const kernel = this.kernel!.read() as Tensor4D;
      if (this.groups > 1 && x.dtype === 'float32' && groupedConv2dAvailable()) {
        // One grouped oneDNN convolution instead of `groups` slices, convolutions and a concat.
        const y = groupedConv2dOp(x, kernel, { strides: this.strides, pad: this.padding, dilations: this.dilationRate, groups: this.groups });
        return this.bias ? tf.add(y, this.bias.read()) : y;
      }
      const xs = tf.split(x, this.groups, 3) as Tensor4D[];
      const ks = tf.split(kernel, this.groups, 3) as Tensor4D[];
      const ys = xs.map((xi, i) => tf.conv2d(xi, ks[i], this.strides, this.padding, 'NHWC', this.dilationRate));
      const y = ys.length === 1 ? ys[0] : tf.concat(ys, 3);
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      groups: this.groups,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer) as unknown as serialization.ConfigDict,
      biasInitializer: serializeInitializer(this.biasInitializer) as unknown as serialization.ConfigDict,
    };
  }
}

tf.serialization.registerClass(GroupedConv2D);
