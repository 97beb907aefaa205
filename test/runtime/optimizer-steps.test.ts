/**
 * The one-op optimizer steps (src/runtime/ops/optimizer-steps.ts) against tfjs' own AdamOptimizer and
 * MomentumOptimizer on the cpu backend: netspec's Adam, AdamW's Adam part and Momentum must take the very same
 * steps, bit for bit, on every backend — the native kernels of the `onednn` backend and of wasm + oneDNN (one
 * thread and many: variables from 32 k elements are split across threads), the JavaScript loop the kernels fall
 * back to, and the plain composition where no kernel is registered.
 */
import type { Optimizer, Tensor, Variable } from '@tensorflow/tfjs';
import { tf } from '../../src/runtime/tf';
import { loadNativeAddon } from '../../src/runtime/onednn/addon';
import { ONEDNN, tryRegisterOnednnBackend } from '../../src/runtime/onednn/backend';
import { selectBackend } from '../../src/runtime/backend';
import { nativeOptimizerKernels } from '../../src/runtime/onednn/optimizer';
import { cpuStore, TensorStore } from '../../src/runtime/onednn/store';
import { ADAM_STEP, MOMENTUM_STEP } from '../../src/runtime/ops/optimizer-steps';
import { Adam } from '../../src/train/optimizers/adam';
import { Momentum } from '../../src/train/optimizers/momentum';
import { seeded } from '../backends/tfjs/kernels-helpers';

/** A bias, a ResNet kernel (one thread) and a kernel big enough to be split across threads. */
const SHAPES = [[16], [3, 3, 32, 32], [3, 3, 64, 96]];
const STEPS = 4;

type MakeOptimizer = () => Optimizer;

const CASES: Array<{ name: string; ours: MakeOptimizer; tfjs: MakeOptimizer }> = [
  { name: 'Adam', ours: () => new Adam(1e-3, 0.9, 0.999, 1e-7), tfjs: () => tf.train.adam(1e-3, 0.9, 0.999, 1e-7) },
  { name: 'Adam (β1 0.5, β2 0.9, lr 0.1)', ours: () => new Adam(0.1, 0.5, 0.9, 1e-3), tfjs: () => tf.train.adam(0.1, 0.5, 0.9, 1e-3) },
  { name: 'momentum SGD', ours: () => new Momentum(0.05, 0.9, false), tfjs: () => tf.train.momentum(0.05, 0.9, false) },
  { name: 'Nesterov momentum SGD', ours: () => new Momentum(0.05, 0.9, true), tfjs: () => tf.train.momentum(0.05, 0.9, true) },
];

/** The variables after STEPS steps of `make` on `backend`, from the same start and gradients. */
function trainedValues(backend: string, make: MakeOptimizer): Float32Array[] {
  tf.setBackend(backend);
  const variables: Variable[] = SHAPES.map((shape, i) =>
    tf.variable(tf.tensor(seeded(tf.util.sizeFromShape(shape), 10 + i), shape), true, `w${i}_${backend}_${Math.random()}`));
  const optimizer = make();
  for (let step = 0; step < STEPS; step++) {
    tf.tidy(() => {
      const gradients = variables.map((v, i) => ({
        name: v.name, tensor: tf.tensor(seeded(v.size, 100 * step + i, 0.5), v.shape) as Tensor,
      }));
      optimizer.applyGradients(gradients);
    });
  }
  const values = variables.map((v) => v.dataSync() as Float32Array);
  optimizer.dispose();
  variables.forEach((v) => v.dispose());
  return values;
}

const built = 'addon' in loadNativeAddon();

describe.each(CASES)('$name', ({ ours, tfjs }) => {
  let expected: Float32Array[];
  beforeAll(() => {
    expected = trainedValues('cpu', tfjs);
  });

  test('where no kernel is registered (the cpu backend) it is tfjs\' composition', () => {
    expect(tf.getKernel(ADAM_STEP, 'cpu')).toBeUndefined();
    expect(trainedValues('cpu', ours)).toEqual(expected);
  });

  if (!built) {
    test('native kernels', () => {
      console.warn(`native optimizer steps not tested: ${(loadNativeAddon() as { reason: string }).reason}`);
    });
    return;
  }

  test.each([1, 2])('the onednn backend\'s kernels, %i thread(s), give the same values', (threads) => {
    expect(tryRegisterOnednnBackend({ threads })).toEqual({ ok: true });
    expect(tf.getKernel(ADAM_STEP, ONEDNN)).toBeDefined();
    expect(trainedValues(ONEDNN, ours)).toEqual(expected);
  });

  test('wasm + oneDNN gives the same values', async () => {
    expect(await selectBackend({ backend: 'wasm', threads: 2 })).toMatchObject({ name: 'wasm+onednn' });
    expect(tf.getKernel(MOMENTUM_STEP, 'wasm')).toBeDefined();
    expect(trainedValues('wasm', ours)).toEqual(expected);
  });

  test('the kernels\' JavaScript loop (for memory the store cannot lend) gives the same values', () => {
    expect(tryRegisterOnednnBackend({ threads: 1 })).toEqual({ ok: true });
    const addon = (loadNativeAddon() as { addon: Parameters<typeof nativeOptimizerKernels>[0] }).addon;
    const lendsNothing: TensorStore = { ...cpuStore, readable: () => false };
    const portable = nativeOptimizerKernels(addon, lendsNothing);
    const saved = portable.map((k) => tf.getKernel(k.kernelName, ONEDNN)!);
    try {
      for (const k of portable) {
        tf.unregisterKernel(k.kernelName, ONEDNN);
        tf.registerKernel(k);
      }
      expect(trainedValues(ONEDNN, ours)).toEqual(expected);
    } finally {
      for (const k of saved) {
        tf.unregisterKernel(k.kernelName, ONEDNN);
        tf.registerKernel(k);
      }
    }
  });
});
