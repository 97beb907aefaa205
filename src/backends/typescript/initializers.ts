/**
 * The tfjs source text of a kernel initializer: the same tfjs initializer the tfjs backend builds for the name
 * (src/backends/tfjs/init-config.ts reads src/ir/initializers.ts), written as code.
 */
import { initializers, InitializerName, TRUNCATION_STDDEV } from '../../ir/initializers';
import { tfjsInitializer } from '../tfjs/init-config';
import { literal, objectLiteral, stringLiteral } from './code';

/** Source expressions of the kernel's fans, read only where the initializer needs them. */
export interface FanSources {
  fanIn: () => string;
  fanOut: () => string;
}

export function initializerSource(name: InitializerName, fans: FanSources): string {
  const t = tfjsInitializer(name);
  const draw = initializers[name].draw;
  switch (t.factory) {
    case 'varianceScaling': {
      // Keras' truncated normals: the scale carries Keras' correction for the truncation at 2σ.
      const scale = draw.distribution === 'truncated_normal' ? `${literal(draw.scale)} / ${TRUNCATION_STDDEV} ** 2` : literal(t.config.scale);
      return `tf.initializers.varianceScaling(${objectLiteral([['scale', scale], ['mode', stringLiteral(t.config.mode)], ['distribution', stringLiteral(t.config.distribution)]])})`;
    }
    case 'randomNormal': {
      const fan = t.mode === 'fan_in' ? fans.fanIn() : t.mode === 'fan_out' ? fans.fanOut() : `(${fans.fanIn()} + ${fans.fanOut()}) / 2`;
      return `tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(${literal(t.scale)} / (${fan})) })`;
    }
    case 'truncatedNormal':
      return `tf.initializers.truncatedNormal({ mean: 0, stddev: ${literal(t.config.stddev)} })`;
    case 'zeros':
      return 'tf.initializers.zeros()';
  }
}

/** The comment line that says what the initializer draws. */
export function initializerSummary(name: InitializerName): string {
  return `${name}, ${initializers[name].summary}`;
}
