/**
 * FrozenBatchNormalization: the batch norm of a frozen stage (`frozen_stages`).
 *
 * Exact semantics (the TypeScript emitter re-creates this class; keep both in step):
 * - A subclass of tfjs' BatchNormalization with the same constructor arguments, weights (gamma, beta, moving_mean,
 *   moving_variance), config and parameter count; only `call` differs: it always normalises with the moving
 *   statistics and never updates them, whatever `training` says.
 * - Built with `trainable: false`, so gamma and beta are non-trainable too: this is torchvision's
 *   FrozenBatchNorm2d, and what Keras does for a BatchNormalization with `trainable = False` (inference mode).
 *   tfjs' own BatchNormalization ignores `trainable` here: in `fit` it would still normalise with batch statistics
 *   and overwrite the moving ones, so a frozen stage would drift.
 * - Saved as the standard 'BatchNormalization' with trainable: false (io/stock.ts), so stock tfjs loads it;
 *   netspec's BatchNormalization gives `trainable: false` this class's semantics, so loading keeps them. The class
 *   stays registered under its own name for models saved before.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../../../runtime/tf';

type Layer = InstanceType<typeof tf.layers.Layer>;
type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type Kwargs = Parameters<Layer['call']>[1];

/** tfjs exports only a factory for BatchNormalization; the class itself is in the serialization registry. */
const BatchNormalization = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization[0] as unknown as new (args?: BatchNormArgs) => Layer;

export class FrozenBatchNormalization extends BatchNormalization {
  static className = 'FrozenBatchNormalization';

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    return super.call(inputs, { ...kwargs, training: false });
  }
}

// The cast restores the static fromConfig that the registry lookup's type above does not carry.
tf.serialization.registerClass(FrozenBatchNormalization as unknown as Parameters<typeof tf.serialization.registerClass>[0]);
