/**
 * Kernel initialisers, as data: what each name draws, in Keras' and torch's words. The tfjs builder, the TypeScript
 * emitter and the PyTorch emitter all read this table; none of them re-derives a formula. Biases start at zero in
 * every backend (Keras' default; torch's Linear/Conv2d would draw them from U(±1/√fan_in), which netspec does not
 * reproduce).
 *
 * Fans are computed from the kernel's shape as Keras (and torch) do: receptive field r = k·k, fan_in = r·C_in/groups,
 * fan_out = r·C_out (for a grouped conv too, as torch computes it from the weight tensor); a dense kernel has r = 1.
 *
 * Keras' `truncated_normal` variance scaling (he_normal, glorot_normal, lecun_normal) draws from a normal cut at two
 * standard deviations whose stddev is sqrt(scale / fan) / 0.87962566103423978, the factor that makes the variance of
 * the truncated draw scale / fan again (Keras 3 initializers/random_initializers.py). torch's kaiming_normal_ is an
 * untruncated normal.
 */
export const INITIALIZER_NAMES = [
  'glorot_uniform', 'glorot_normal', 'he_normal', 'he_uniform', 'kaiming_normal_fan_out', 'kaiming_uniform_fan_out',
  'truncated_normal', 'lecun_normal', 'torch_default', 'zeros',
] as const;

export type InitializerName = typeof INITIALIZER_NAMES[number];
export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';

/** Variance scaling: the drawn values have variance scale / fan, in the given distribution. */
export interface ScaledInitializer {
  distribution: 'uniform' | 'normal' | 'truncated_normal';
  scale: number;
  mode: FanMode;
}

/** A normal with a fixed stddev (before truncation), cut at two standard deviations (Keras' TruncatedNormal). */
export interface FixedTruncatedNormal {
  distribution: 'fixed_truncated_normal';
  stddev: number;
}

export type InitializerDraw = ScaledInitializer | FixedTruncatedNormal | { distribution: 'zeros' };

export interface InitializerEntry {
  draw: InitializerDraw;
  /** What Keras calls it (`kernel_initializer=`). */
  keras: string;
  /** The torch statement that draws it into the weight `w` (torch 1.13 and 2.x). */
  torch: string;
  /** One line for documentation and emitted comments. */
  summary: string;
}

/** 1 / the stddev of a unit normal truncated at ±2: Keras' correction for truncated variance scaling. */
export const TRUNCATION_STDDEV = 0.87962566103423978;

export const initializers: { readonly [N in InitializerName]: InitializerEntry } = {
  glorot_uniform: {
    draw: { distribution: 'uniform', scale: 1, mode: 'fan_avg' },
    keras: 'glorot_uniform',
    torch: 'nn.init.xavier_uniform_(w)',
    summary: "Keras' default: U(±sqrt(6 / (fan_in + fan_out)))",
  },
  glorot_normal: {
    draw: { distribution: 'truncated_normal', scale: 1, mode: 'fan_avg' },
    keras: 'glorot_normal',
    torch: 'truncated_variance_scaling_(w, 1.0, "fan_avg")',
    summary: "Keras' glorot_normal: a normal truncated at 2σ with variance 2 / (fan_in + fan_out)",
  },
  he_normal: {
    draw: { distribution: 'truncated_normal', scale: 2, mode: 'fan_in' },
    keras: 'he_normal',
    torch: 'truncated_variance_scaling_(w, 2.0, "fan_in")',
    summary: "Keras' he_normal (the Keras CIFAR-10 example's): a normal truncated at 2σ with variance 2 / fan_in",
  },
  he_uniform: {
    draw: { distribution: 'uniform', scale: 2, mode: 'fan_in' },
    keras: 'he_uniform',
    torch: 'nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu")',
    summary: "Keras' he_uniform: U(±sqrt(6 / fan_in))",
  },
  kaiming_normal_fan_out: {
    draw: { distribution: 'normal', scale: 2, mode: 'fan_out' },
    keras: 'VarianceScaling(scale=2.0, mode="fan_out", distribution="untruncated_normal")',
    torch: 'nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")',
    summary: "torchvision's ResNet convs: N(0, 2 / fan_out), untruncated",
  },
  kaiming_uniform_fan_out: {
    draw: { distribution: 'uniform', scale: 2, mode: 'fan_out' },
    keras: 'VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform")',
    torch: 'nn.init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu")',
    // tfjs draws uniforms 2.8× faster than normals: ResNet-152 builds in 1.9 s instead of 5.4 s (cpu backend).
    summary: "torchvision's variance 2 / fan_out drawn uniformly, U(±sqrt(6 / fan_out))",
  },
  truncated_normal: {
    draw: { distribution: 'fixed_truncated_normal', stddev: 0.05 },
    keras: 'truncated_normal',
    torch: 'nn.init.trunc_normal_(w, std=0.05, a=-0.1, b=0.1)',
    summary: "Keras' TruncatedNormal(): stddev 0.05 before truncation at 2σ",
  },
  lecun_normal: {
    draw: { distribution: 'truncated_normal', scale: 1, mode: 'fan_in' },
    keras: 'lecun_normal',
    torch: 'truncated_variance_scaling_(w, 1.0, "fan_in")',
    summary: "Keras' lecun_normal: a normal truncated at 2σ with variance 1 / fan_in",
  },
  torch_default: {
    draw: { distribution: 'uniform', scale: 1 / 3, mode: 'fan_in' },
    keras: 'VarianceScaling(scale=1/3, mode="fan_in", distribution="uniform")',
    torch: 'nn.init.kaiming_uniform_(w, a=math.sqrt(5))',
    summary: "PyTorch's Linear/Conv2d default, kaiming_uniform(a=√5): U(±1 / sqrt(fan_in))",
  },
  zeros: {
    draw: { distribution: 'zeros' },
    keras: 'zeros',
    torch: 'nn.init.zeros_(w)',
    summary: 'all zeros',
  },
};

/** Whether a torch statement uses the emitted `truncated_variance_scaling_` helper. */
export function needsTruncatedHelper(name: InitializerName): boolean {
  return initializers[name].torch.startsWith('truncated_variance_scaling_');
}

/** fan_in and fan_out of a kernel shaped as tfjs stores it: [k, k, C_in/groups, C_out] or [in, out]. */
export function kernelFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

/** The fan a variance-scaling mode divides by (at least 1, as Keras and tfjs clamp it). */
export function modeFan(mode: FanMode, fans: { fanIn: number; fanOut: number }): number {
  const fan = mode === 'fan_in' ? fans.fanIn : mode === 'fan_out' ? fans.fanOut : (fans.fanIn + fans.fanOut) / 2;
  return Math.max(1, fan);
}
