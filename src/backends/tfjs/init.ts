/**
 * Initial weights of every model netspec builds (the TypeScript emitter writes the same):
 *
 * - Conv and dense kernels: the IR node's `kernelInitializer`, a name of src/ir/initializers.ts drawn as
 *   ./init-config.ts writes it with tfjs' initializers. A conv with `zeroInit` (last conv of a pre-activation block
 *   under zero_init_residual) starts at zero.
 * - Biases: zeros. BN: gamma 1 (0 with `gammaZero`), beta 0, moving mean 0, moving variance 1.
 * - ECA's conv across channels: torch's Conv1d default, U(±1/√k), i.e. VarianceScaling {scale: 1/3, fanIn, uniform}.
 *
 * A layer's seed is derived from a network seed and the layer's name (`layerSeed`), so that one seed gives the same
 * weights whatever the layer order or the machine: the spec's `initializer.seed` at build, or a training run's seed.
 */
import { InitializerName, kernelFans, modeFan } from '../../ir/initializers';
import { Conv2DAttrs, DenseAttrs } from '../../ir/types';
import { tf } from '../../runtime/tf';
import { tfjsInitializer } from './init-config';

/** tfjs keeps the Initializer base class out of its public exports; every factory returns one. */
export type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** A kernel initializer for a kernel of `shape` (the fan of an untruncated normal is taken from it). */
export function kernelInitializer(name: InitializerName, shape: readonly number[], seed?: number): Initializer {
  const t = tfjsInitializer(name);
  switch (t.factory) {
    case 'varianceScaling':
      return tf.initializers.varianceScaling({ ...t.config, seed });
    case 'randomNormal':
      return tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(t.scale / modeFan(t.mode, kernelFans(shape))), seed });
    case 'truncatedNormal':
      return tf.initializers.truncatedNormal({ ...t.config, seed });
    case 'zeros':
      return tf.initializers.zeros();
  }
}

/** tfjs' (and Keras') conv kernel layout: [k, k, C_in / groups, filters], one kernel for a grouped conv too. */
export function convKernelShape(attrs: Pick<Conv2DAttrs, 'kernel' | 'groups' | 'filters'>, inChannels: number): number[] {
  return [attrs.kernel, attrs.kernel, inChannels / attrs.groups, attrs.filters];
}

export function convKernelInitializer(attrs: Conv2DAttrs, inChannels: number, seed?: number): Initializer {
  return attrs.zeroInit ? tf.initializers.zeros() : kernelInitializer(attrs.kernelInitializer, convKernelShape(attrs, inChannels), seed);
}

export function denseKernelInitializer(attrs: DenseAttrs, inUnits: number, seed?: number): Initializer {
  return kernelInitializer(attrs.kernelInitializer, [inUnits, attrs.units], seed);
}

export function gammaInitializer(gammaZero: boolean): Initializer {
  return gammaZero ? tf.initializers.zeros() : tf.initializers.ones();
}

export function channelConvInitializer(seed?: number): Initializer {
  return tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed });
}

/** A layer's own seed from the network's: FNV-1a of `${seed}:${name}`, a stable 32-bit number. */
export function layerSeed(seed: number, name: string): number {
  const text = `${seed}:${name}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
