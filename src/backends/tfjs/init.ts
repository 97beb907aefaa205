/**
 * Initial weights, chosen once for every model netspec builds (the TypeScript emitter writes the same):
 *
 * - Conv kernels: He normal in torchvision's fan-out mode, `kaiming_normal_(mode='fan_out', nonlinearity='relu')`,
 *   i.e. N(0, σ²) with σ = sqrt(2 / (k·k·filters)), untruncated. Fan-out counts the filters a group writes, so grouped
 *   convs get the same σ as in torch. Keras' applications leave glorot_uniform here; training from scratch with BN
 *   after every conv, the fan-out He init is what the torchvision/timm recipes were tuned with.
 * - A conv with `zeroInit` (last conv of a pre-activation block under zero_init_residual) starts at zero.
 * - Conv biases: zeros. BN: gamma 1 (0 with `gammaZero`), beta 0, moving mean 0, moving variance 1.
 * - Dense: Keras' defaults, glorot_uniform kernel and zero bias.
 */
import { Conv2DAttrs } from '../../ir/types';
import { tf } from './tf';

/** tfjs keeps the Initializer base class out of its public exports; every factory returns one. */
export type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** σ of the conv kernel init: sqrt(2 / fan_out), fan_out = k·k·filters. */
export function convKernelStddev(attrs: Pick<Conv2DAttrs, 'kernel' | 'filters'>): number {
  return Math.sqrt(2 / (attrs.kernel * attrs.kernel * attrs.filters));
}

export function convKernelInitializer(attrs: Pick<Conv2DAttrs, 'kernel' | 'filters' | 'zeroInit'>): Initializer {
  return attrs.zeroInit ? tf.initializers.zeros() : tf.initializers.randomNormal({ mean: 0, stddev: convKernelStddev(attrs) });
}

export function gammaInitializer(gammaZero: boolean): Initializer {
  return gammaZero ? tf.initializers.zeros() : tf.initializers.ones();
}

export function denseKernelInitializer(): Initializer {
  return tf.initializers.glorotUniform({});
}
