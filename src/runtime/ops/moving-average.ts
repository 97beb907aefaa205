/**
 * A batch norm's moving statistics updated in one kernel call (`NetspecMovingAverage`): mean and variance together.
 *
 * tfjs-layers updates each statistic as moving − (moving − batch)·(1 − momentum): three kernels and a scalar
 * tensor per statistic, six kernels per layer and step. Run inside a training step's gradient tape, each of them
 * is also recorded there and clones its inputs for a backward pass that never reaches them: about 400 kernel calls
 * of a ResNet-20 step's 1,000, for vectors of 16 to 64 numbers. Here the kernel has no gradient (the statistics are
 * not differentiated), so the tape saves nothing for it.
 *
 * Same numbers: the loop evaluates the composition's three float32 operations in its order, each correctly
 * rounded, as every tfjs backend does. Backend-neutral: it reads and makes tensors through the backend's own
 * `readSync` and `write` (vectors this small cost nothing to copy), and is registered on first use for
 * the active backend.
 */
import type { DataId, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';

export const MOVING_AVERAGE = 'NetspecMovingAverage';

const f = Math.fround;

/** What every tfjs backend has (cpu, wasm, webgl, tensorflow): `write` stores values as a new tensor's data. */
interface Backend {
  readSync(dataId: DataId): unknown;
  write(values: Float32Array, shape: number[], dtype: 'float32'): DataId;
}

/** moving − (moving − batch)·(1 − momentum), each operation rounded to float32 as tfjs' kernels round it. */
export function movingAverageValues(moving: ArrayLike<number>, batch: ArrayLike<number>, momentum: number): Float32Array {
  const decay = f(1 - momentum);
  const out = new Float32Array(moving.length);
  for (let i = 0; i < out.length; i++) out[i] = f(moving[i] - f(f(moving[i] - batch[i]) * decay));
  return out;
}

function ensureKernel(backendName: string): void {
  if (tf.getKernel(MOVING_AVERAGE, backendName) !== undefined) return;
  tf.registerKernel({
    kernelName: MOVING_AVERAGE,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as unknown as Backend;
      const { movingMean, movingVariance, mean, variance } = inputs as Record<string, TensorInfo>;
      const momentum = (attrs as { momentum: number }).momentum;
      const read = (t: TensorInfo) => b.readSync(t.dataId) as ArrayLike<number>;
      return [[movingMean, mean], [movingVariance, variance]].map(([moving, batch]): TensorInfo => {
        const values = movingAverageValues(read(moving), read(batch), momentum);
        return { dataId: b.write(values, moving.shape, 'float32'), shape: moving.shape, dtype: 'float32' };
      });
    },
  });
}

/**
 * The updated [moving mean, moving variance] of a batch norm after a training batch with these statistics, as
 * tfjs-layers computes them. Inputs other than float32 vectors of one length take tfjs' composition, op for op.
 */
export function movingAverages(movingMean: Tensor, movingVariance: Tensor, mean: Tensor, variance: Tensor, momentum: number): [Tensor, Tensor] {
  const all = [movingMean, movingVariance, mean, variance];
  if (all.every((t) => t.dtype === 'float32' && t.rank === 1 && t.size === movingMean.size)) {
    ensureKernel(tf.getBackend());
    return tf.engine().runKernel(MOVING_AVERAGE, { movingMean, movingVariance, mean, variance }, { momentum }) as [Tensor, Tensor];
  }
  // tfjs-layers' doMovingAverage, term for term.
  const update = (moving: Tensor, batch: Tensor) => tf.sub(moving, tf.mul(tf.sub(moving, batch), 1 - momentum));
  return [update(movingMean, mean), update(movingVariance, variance)];
}
