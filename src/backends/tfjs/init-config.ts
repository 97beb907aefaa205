/**
 * How each registered initialiser (src/ir/initializers.ts) is written with tfjs' own initializers: shared by the
 * tfjs builder (./init.ts) and the TypeScript emitter, and free of any tfjs import so that emitting code loads none.
 *
 * tfjs' VarianceScaling computes fans as Keras does, but its 'normal' distribution is a normal truncated at 2σ with
 * stddev sqrt(scale / fan), without Keras' correction; the scale handed to it carries the correction instead,
 * scale / 0.8796², so that the drawn variance is Keras' scale / fan. tfjs has no untruncated variance scaling: an
 * untruncated normal (torch's kaiming_normal_) is a RandomNormal whose stddev is computed from the kernel's fan.
 */
import { FanMode, initializers, InitializerName, TRUNCATION_STDDEV } from '../../ir/initializers';

export type TfjsFanMode = 'fanIn' | 'fanOut' | 'fanAvg';

export type TfjsInitializer =
  | { factory: 'varianceScaling'; config: { scale: number; mode: TfjsFanMode; distribution: 'uniform' | 'normal' } }
  /** RandomNormal with stddev sqrt(scale / fan), the fan taken from the kernel's shape. */
  | { factory: 'randomNormal'; scale: number; mode: FanMode }
  | { factory: 'truncatedNormal'; config: { mean: number; stddev: number } }
  | { factory: 'zeros' };

const TFJS_MODE: { readonly [M in FanMode]: TfjsFanMode } = { fan_in: 'fanIn', fan_out: 'fanOut', fan_avg: 'fanAvg' };

export function tfjsInitializer(name: InitializerName): TfjsInitializer {
  const draw = initializers[name].draw;
  switch (draw.distribution) {
    case 'uniform':
      return { factory: 'varianceScaling', config: { scale: draw.scale, mode: TFJS_MODE[draw.mode], distribution: 'uniform' } };
    case 'truncated_normal':
      return { factory: 'varianceScaling', config: { scale: draw.scale / TRUNCATION_STDDEV ** 2, mode: TFJS_MODE[draw.mode], distribution: 'normal' } };
    case 'normal':
      return { factory: 'randomNormal', scale: draw.scale, mode: draw.mode };
    case 'fixed_truncated_normal':
      return { factory: 'truncatedNormal', config: { mean: 0, stddev: draw.stddev } };
    case 'zeros':
      return { factory: 'zeros' };
  }
}
