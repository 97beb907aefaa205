/**
 * Initial weights, chosen once for every model netspec builds (the TypeScript emitter writes the same):
 *
 * - Conv kernels: He init in torchvision's fan-out mode, variance 2 / fan_out with fan_out = k·k·filters (for a
 *   grouped conv too, as in torch), drawn uniformly: U(±sqrt(6 / fan_out)), i.e. tfjs' VarianceScaling
 *   {scale: 2, mode: 'fanOut', distribution: 'uniform'}. torchvision draws the same variance from a normal; tfjs
 *   draws normals one Box-Muller pair at a time, which makes initialisation the larger part of building a big net
 *   (2.5× slower than uniform for ResNet-152), and with BN after every conv the shape of the distribution does not
 *   matter, its variance does. (Keras' applications leave Conv2D's default glorot_uniform.)
 * - A conv with `zeroInit` (last conv of a pre-activation block under zero_init_residual) starts at zero.
 * - Conv biases: zeros. BN: gamma 1 (0 with `gammaZero`), beta 0, moving mean 0, moving variance 1.
 * - Dense: Keras' defaults, glorot_uniform kernel and zero bias.
 * - ECA's conv across channels: torch's Conv1d default, U(±1/√k), i.e. VarianceScaling {scale: 1/3, fanIn, uniform}.
 */
import { Conv2DAttrs } from '../../ir/types';
import { tf } from '../../runtime/tf';

/** tfjs keeps the Initializer base class out of its public exports; every factory returns one. */
export type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** The conv kernel initializer's config, for code that writes it out (the TypeScript emitter). */
export const CONV_KERNEL_INIT = { scale: 2, mode: 'fanOut', distribution: 'uniform' } as const;

/** `seed` makes the draw reproducible (a training run's seed); without it every build differs. */
export function convKernelInitializer(attrs: Pick<Conv2DAttrs, 'zeroInit'>, seed?: number): Initializer {
  return attrs.zeroInit ? tf.initializers.zeros() : tf.initializers.varianceScaling({ ...CONV_KERNEL_INIT, seed });
}

export function gammaInitializer(gammaZero: boolean): Initializer {
  return gammaZero ? tf.initializers.zeros() : tf.initializers.ones();
}

export function denseKernelInitializer(seed?: number): Initializer {
  return tf.initializers.glorotUniform({ seed });
}

export function channelConvInitializer(seed?: number): Initializer {
  return tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed });
}
