/**
 * A small residual convnet, built from the ops a ResNet's training step uses (conv2d with stride and padding,
 * batch norm in training mode, relu, add, max/avg pool, global mean, matMul, softmax cross-entropy, pad, slice,
 * concat), trains on the wasm backend: every kernel and gradient it needs exists, the loss curve follows the cpu
 * backend's, and memory stays flat.
 */
import type { Scalar, Tensor, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs';
import { tf } from '../../../src/runtime/tf';
import { registerWasmFallbackKernels } from '../../../src/runtime/wasm/wasm-fallback';
import { seeded } from './kernels-helpers';

const BATCH = 4;
const SIZE = 6;
const CLASSES = 4;

const SHAPES: Record<string, number[]> = {
  stem: [3, 3, 3, 4], stemGamma: [4], stemBeta: [4],
  conv1: [3, 3, 4, 8], gamma1: [8], beta1: [8],
  conv2: [3, 3, 8, 8], gamma2: [8], beta2: [8],
  proj: [1, 1, 8, 8],
  dense: [8, CLASSES], bias: [CLASSES],
};

type Params = Record<string, Variable>;

function makeParams(): Params {
  const params: Params = {};
  Object.entries(SHAPES).forEach(([name, shape], i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[0];
    const values = name.startsWith('gamma') || name === 'stemGamma'
      ? new Float32Array(size).fill(1)
      : name.startsWith('beta') || name === 'stemBeta' || name === 'bias'
        ? new Float32Array(size)
        : seeded(size, 17 + i, Math.sqrt(6 / fanIn));
    params[name] = tf.variable(tf.tensor(values, shape), true, name);
  });
  return params;
}

function batchNorm(x: Tensor4D, gamma: Tensor, beta: Tensor): Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1.001e-5) as Tensor4D;
}

function forwardLoss(p: Params, images: Tensor4D, labels: Tensor2D): Tensor {
  // Stem: explicit zero padding + valid conv (torch-style), then a stride-1 max pool.
  let y = tf.conv2d(tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]]), p.stem as Tensor4D, 1, 'valid');
  y = tf.maxPool(tf.relu(batchNorm(y, p.stemGamma, p.stemBeta)), 3, 1, 'same');
  // A downsampling block; option-A shortcut: stride-2 subsampling (1×1 avg pool) plus zero-padded channels.
  let r = tf.relu(batchNorm(tf.conv2d(y, p.conv1 as Tensor4D, 2, 'same'), p.gamma1, p.beta1));
  r = batchNorm(tf.conv2d(r, p.conv2 as Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]), p.gamma2, p.beta2);
  const shortcut = tf.pad(tf.avgPool(y, 1, 2, 'valid'), [[0, 0], [0, 0], [0, 0], [2, 2]]);
  y = tf.relu(tf.add(r, shortcut)) as Tensor4D;
  // A projection (1×1) plus a channel shuffle through slice and concat.
  const projected = tf.conv2d(y, p.proj as Tensor4D, 1, 'valid');
  const halves = [tf.slice(projected, [0, 0, 0, 4], [-1, -1, -1, 4]), tf.slice(projected, [0, 0, 0, 0], [-1, -1, -1, 4])];
  y = tf.concat(halves, 3);
  const pooled = tf.mean(tf.maxPool(y, 2, 1, 'same'), [1, 2]) as Tensor2D;
  const logits = tf.add(tf.matMul(pooled, p.dense as Tensor2D), p.bias);
  return tf.losses.softmaxCrossEntropy(labels, logits);
}

function makeBatch(): { images: Tensor4D; labels: Tensor2D } {
  const images = tf.tensor4d(seeded(BATCH * SIZE * SIZE * 3, 5, 1), [BATCH, SIZE, SIZE, 3]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => (i * 3) % CLASSES), 'int32'), CLASSES);
  return { images, labels: labels.toFloat() as Tensor2D };
}

/** Runs `steps` SGD steps on the current backend and returns each step's loss. */
function train(steps: number, onStep?: (step: number) => void): number[] {
  const params = makeParams();
  const { images, labels } = makeBatch();
  const optimizer = tf.train.sgd(0.05);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(() => forwardLoss(params, images, labels) as Scalar, true, Object.values(params));
    losses.push(loss!.dataSync()[0]);
    loss!.dispose();
    onStep?.(step);
  }
  tf.dispose([images, labels, ...Object.values(params)]);
  optimizer.dispose();
  return losses;
}

beforeAll(() => registerWasmFallbackKernels());

test('the loss curve on wasm follows the cpu backend', async () => {
  await tf.setBackend('cpu');
  const cpu = train(3);
  await tf.setBackend('wasm');
  const wasm = train(3);
  wasm.forEach((loss, i) => expect(Math.abs(loss - cpu[i])).toBeLessThanOrEqual(1e-4 * Math.abs(cpu[i]) + 1e-5));
});

test('200 training steps on wasm: the loss falls and memory stays flat', async () => {
  await tf.setBackend('wasm');
  const backend = tf.engine().backend;
  const snapshots: Array<{ numTensors: number; numBytes: number; buffers: number }> = [];
  const losses = train(200, (step) => {
    if (step === 9 || step === 199) snapshots.push({ ...tf.memory(), buffers: backend.numDataIds() });
  });
  expect(losses[199]).toBeLessThan(0.5 * losses[0]);
  expect(snapshots[1].numTensors).toBe(snapshots[0].numTensors);
  expect(snapshots[1].numBytes).toBe(snapshots[0].numBytes);
  expect(snapshots[1].buffers).toBe(snapshots[0].buffers);
});

test('a tfjs-layers convnet (fused conv + bias, BatchNormalization, pooling) fits identically on wasm and cpu', async () => {
  const build = () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [SIZE, SIZE, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
        tf.layers.batchNormalization({ epsilon: 1.001e-5 }),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    return model;
  };
  const fit = async (weights: Float32Array[]) => {
    const model = build();
    model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
    const { images, labels } = makeBatch();
    const history = await model.fit(images, labels, { epochs: 3, batchSize: BATCH, shuffle: false, verbose: 0 });
    tf.dispose([images, labels]);
    model.dispose();
    return history.history.loss as number[];
  };
  await tf.setBackend('cpu');
  const seedModel = build();
  const initial = seedModel.getWeights().map((w) => w.dataSync() as Float32Array);
  seedModel.dispose();
  const cpu = await fit(initial);
  await tf.setBackend('wasm');
  const wasm = await fit(initial);
  expect(cpu[2]).toBeLessThan(cpu[0]);
  wasm.forEach((loss, i) => expect(Math.abs(loss - cpu[i])).toBeLessThanOrEqual(1e-4 * Math.abs(cpu[i]) + 1e-5));
});
