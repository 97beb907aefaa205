/**
 * The portable training batch-norm op on plain wasm against tfjs' composition on cpu (moments, then batchNorm,
 * differentiated by tfjs-core): outputs, batch statistics and all three gradients.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../../../src/runtime/tf';
import {
  batchNormTrainingAvailable,
  registerPortableBatchNormTraining,
  registerWasmFallbackKernels,
} from '../../../src/runtime/wasm/wasm-fallback';
import { batchNormTrainingOp } from '../../../src/runtime/ops/batch-norm-training';
import { relativeError } from './kernels-helpers';

test('the op is not available before its kernels are registered', async () => {
  registerWasmFallbackKernels();
  await tf.setBackend('wasm');
  expect(batchNormTrainingAvailable()).toBe(false);
  registerPortableBatchNormTraining();
});

function ramp(size: number, scale: number, shift: number, seed: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => ((((i + seed) * 29) % 23) / 23 - 0.5) * scale + shift);
}

const EPSILON = 1.001e-5;

interface Result {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
}

async function run(backend: string, shape: number[], shift: number): Promise<Result> {
  await tf.setBackend(backend);
  const channels = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const x = tf.tensor(ramp(size, 2, shift, 1), shape);
    const gamma = tf.tensor(ramp(channels, 1, 1, 2));
    const beta = tf.tensor(ramp(channels, 1, 0.2, 3));
    const weights = tf.tensor(ramp(size, 3, 0.1, 4), shape);
    const axes = shape.slice(0, -1).map((_, i) => i);
    const forward = (xx: Tensor, g: Tensor, b: Tensor) => {
      if (backend === 'wasm') return batchNormTrainingOp(xx, g, b, EPSILON);
      const { mean, variance } = tf.moments(xx, axes);
      return { y: tf.batchNorm(xx, mean, variance, b, g, EPSILON), mean, variance };
    };
    const { y, mean, variance } = forward(x, gamma, beta);
    const [dx, dGamma, dBeta] = tf.grads((xx: Tensor, g: Tensor, b: Tensor) =>
      tf.sum(tf.mul(forward(xx, g, b).y, weights)))([x, gamma, beta]);
    const read = (t: Tensor) => t.dataSync() as Float32Array;
    return { y: read(y), mean: read(mean), variance: read(variance), dx: read(dx), dGamma: read(dGamma), dBeta: read(dBeta) };
  });
}

test('the op is available on wasm once its kernels are registered, not on cpu', async () => {
  await tf.setBackend('cpu');
  expect(batchNormTrainingAvailable()).toBe(false);
  await tf.setBackend('wasm');
  expect(batchNormTrainingAvailable()).toBe(true);
});

describe('training batch norm on wasm matches moments + batchNorm on cpu', () => {
  const cases: Array<[string, number[], number]> = [
    ['NHWC activation', [4, 5, 6, 3], 0],
    ['batch 64, 5 channels', [64, 3, 3, 5], 0.5],
    ['rank 2 (dense features)', [9, 7], 0],
    ['large mean, small spread', [4, 4, 4, 3], 300],
  ];
  test.each(cases)('%s', async (_name, shape, shift) => {
    const expected = await run('cpu', shape, shift);
    const actual = await run('wasm', shape, shift);
    for (const key of Object.keys(expected) as Array<keyof Result>) {
      expect([key, actual[key].length]).toEqual([key, expected[key].length]);
      expect([key, relativeError(actual[key], expected[key]) <= 1e-4]).toEqual([key, true]);
    }
  });
});

test('no backend buffer outlives a training step', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor(ramp(2 * 4 * 4 * 3, 2, 0, 5), [2, 4, 4, 3]);
  const gamma = tf.ones([3]);
  const beta = tf.zeros([3]);
  const step = () => tf.tidy(() => {
    const [dx, dg] = tf.grads((xx: Tensor, g: Tensor) => tf.sum(tf.square(batchNormTrainingOp(xx, g, beta, EPSILON).y)))(
      [x, gamma]);
    return tf.add(tf.sum(dx), tf.sum(dg));
  });
  step().dispose();
  const before = { tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() };
  step().dispose();
  expect(tf.memory().numTensors).toBe(before.tensors);
  expect(tf.engine().backend.numDataIds()).toBe(before.buffers);
  tf.dispose([x, gamma, beta]);
});
