/**
 * BatchNormalization whose training mode runs as one op on the wasm backend.
 *
 * tfjs-layers' BatchNormalization normalises a training batch with `moments` + `batchNorm` and lets tfjs-core
 * differentiate that composition: about twenty kernel calls per layer and step, a third of a ResNet-20 step. On
 * wasm the training batch-norm op (`NetspecBatchNormTraining`: oneDNN when the native kernels are loaded, else
 * the portable XNNPACK composition) does the forward in one call and all three gradients in one more.
 *
 * Exact semantics: the same class name, constructor arguments, weights, config and serialisation as tfjs'
 * BatchNormalization (it is registered under that name, so loaded models get it too). Inference mode, other
 * backends, and configurations the op does not cover (a normalised axis other than the last, no gamma or beta,
 * non-float input) run tfjs' own code. In training mode the output is the same up to float rounding, and the
 * moving statistics are updated exactly as tfjs does: moving ← moving − (moving − batch)·(1 − momentum), with the
 * biased batch variance (both in one kernel call: ../../../runtime/ops/moving-average.ts).
 *
 * `trainable: false` means frozen, as in Keras (a BatchNormalization with trainable = False runs in inference
 * mode): it normalises with the moving statistics and leaves them alone. That is how a frozen stage's batch norm
 * comes back from a saved model, which writes it as a standard BatchNormalization with trainable: false.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { batchNormReluAvailable, batchNormTrainingOp } from '../../../runtime/ops/batch-norm-training';
import { movingAverages } from '../../../runtime/ops/moving-average';
import { batchNormTrainingAvailable } from '../../../runtime/wasm/wasm-fallback';
import { tf } from '../../../runtime/tf';

type Layer = InstanceType<typeof tf.layers.Layer>;
type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type Kwargs = Parameters<Layer['call']>[1];

/** What the tfjs class keeps privately and this subclass reads. */
interface BatchNormState {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma?: { read(): Tensor };
  beta?: { read(): Tensor };
  movingMean: { read(): Tensor; write(t: Tensor): void };
  movingVariance: { read(): Tensor; write(t: Tensor): void };
}

/**
 * tfjs exports only a factory; its class is in the serialisation registry, which this module then overwrites
 * under the same name (read first, so this class extends tfjs' own).
 */
const TfjsBatchNormalization = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization[0] as unknown as
  new (args?: BatchNormArgs) => Layer;

export class BatchNormalization extends TfjsBatchNormalization {
  static className = 'BatchNormalization';

  /**
   * Set by the model builder when this layer's only consumer is a ReLU: in training, where the backend fuses the
   * two, this layer then returns relu(bn(x)) and the ReLU after it passes that through (the ReLU of non-negative
   * values is themselves). Not part of the config: a loaded model computes each layer on its own.
   */
  fusesFollowingRelu = false;

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    if (!this.trainable) return super.call(inputs, { ...kwargs, training: false });
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (kwargs.training !== true || !this.runsAsOneOp(x)) return super.call(inputs, kwargs);
    const s = this as unknown as BatchNormState;
    return tf.tidy(() => {
      const fuseRelu = this.fusesFollowingRelu && batchNormReluAvailable();
      const { y, mean, variance } = batchNormTrainingOp(x, s.gamma!.read(), s.beta!.read(), s.epsilon, fuseRelu);
      const [movingMean, movingVariance] = movingAverages(s.movingMean.read(), s.movingVariance.read(), mean, variance, s.momentum);
      s.movingMean.write(movingMean);
      s.movingVariance.write(movingVariance);
      return y;
    });
  }

  private runsAsOneOp(x: Tensor): boolean {
    const s = this as unknown as BatchNormState;
    const lastAxis = s.axis === -1 || s.axis === x.rank - 1;
    return lastAxis && s.center && s.scale && x.dtype === 'float32' && x.rank >= 2 && x.size > 0 &&
      batchNormTrainingAvailable();
  }
}

tf.serialization.registerClass(BatchNormalization as unknown as Parameters<typeof tf.serialization.registerClass>[0]);
