import type { serialization } from '@tensorflow/tfjs';
import { Initializer } from '../init';
import { tf } from '../../../runtime/tf';

/** An initializer as Keras' JSON writes it: `{className: 'RandomNormal', config: {mean: 0, stddev: 0.05}}`. */
export interface SerializedInitializer {
  className: string;
  config: serialization.ConfigDict;
}

export function serializeInitializer(init: Initializer): SerializedInitializer {
  return { className: init.getClassName(), config: init.getConfig() };
}

/**
 * Custom layers receive their initializers back as JSON when a saved model loads; tfjs keeps its helper for this
 * private, so the class is looked up in the public serialization registry, where every initializer is registered.
 */
export function toInitializer(value: Initializer | SerializedInitializer): Initializer {
  if (typeof (value as Initializer).apply === 'function') return value as Initializer;
  const { className, config } = value as SerializedInitializer;
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new Error(`unknown initializer class '${className}' in the model's layer config`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config) as Initializer;
}
