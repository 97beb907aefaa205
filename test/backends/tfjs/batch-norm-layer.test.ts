/**
 * netspec's BatchNormalization layer against tfjs' own on the cpu backend (moments + batchNorm, differentiated by
 * tfjs-core: an independent implementation): training-mode output, the three gradients and the moving statistics,
 * on the portable wasm op and on oneDNN when the addon is built; inference mode bit for bit; serialisation.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/runtime/backend';
import { BatchNormalization } from '../../../src/backends/tfjs/layers';
import { nativeBatchNormAvailable, tryRegisterNativeKernels, unregisterNativeKernels } from '../../../src/runtime/onednn/kernels';
import { tf } from '../../../src/runtime/tf';
import { relativeError, seeded } from './kernels-helpers';

type Layer = InstanceType<typeof tf.layers.Layer>;

const SHAPE = [4, 5, 6, 3];
const CHANNELS = 3;
const ARGS = { axis: -1, momentum: 0.9, epsilon: 1.001e-5 };

interface Result {
  y: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  kernels: string[];
}

/** A layer applied to tensors only (never to symbolic inputs) cannot be disposed by tfjs: free its weights. */
function disposeWeights(layer: Layer): void {
  for (const w of layer.weights) w.dispose();
}

/** One training-mode call of a fresh layer on seeded data (shifted: mean ≠ 0) with an uneven upstream gradient. */
async function trainingCall(make: (args: typeof ARGS) => Layer): Promise<Result> {
  const layer = make(ARGS);
  // x as a variable: one apply gives all three gradients (a second apply would update the moving statistics again).
  const x = tf.variable(tf.tensor(seeded(4 * 5 * 6 * 3, 3, 2).map((v, i) => v + (i % 3) - 1), SHAPE));
  layer.build(x.shape);
  layer.setWeights([tf.tensor1d([0.5, 1.5, -1]), tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([0.2, 0, -0.1]), tf.tensor1d([1, 2, 0.5])]);
  const upstream = tf.tensor(seeded(x.size, 9), SHAPE);
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as Tensor);
  let y: Tensor | undefined;
  const profile = await tf.profile(() => tf.variableGrads(() => {
    y = tf.keep(layer.apply(x, { training: true }) as Tensor);
    return tf.sum(tf.mul(y, upstream));
  }, [x, gamma, beta] as never).grads as never);
  const grads = profile.result as unknown as Record<string, Tensor>;
  const weights = layer.getWeights();
  const result: Result = {
    y: y!.dataSync() as Float32Array,
    dx: grads[x.name].dataSync() as Float32Array,
    dGamma: grads[(gamma as unknown as { name: string }).name].dataSync() as Float32Array,
    dBeta: grads[(beta as unknown as { name: string }).name].dataSync() as Float32Array,
    movingMean: weights[2].dataSync() as Float32Array,
    movingVariance: weights[3].dataSync() as Float32Array,
    kernels: profile.kernels.map((k) => k.name),
  };
  tf.dispose([x, upstream, y!, ...Object.values(grads)]);
  disposeWeights(layer);
  return result;
}

const tfjsLayer = (args: typeof ARGS): Layer => tf.layers.batchNormalization(args);
const ourLayer = (args: typeof ARGS): Layer => new BatchNormalization(args);

let reference: Result;
let nativeBuilt = false;

beforeAll(async () => {
  await tf.setBackend('cpu');
  reference = await trainingCall(tfjsLayer);
  nativeBuilt = (await selectBackend({ backend: 'wasm', threads: 1 })).name === 'wasm+onednn';
});

function expectClose(actual: Result, expected: Result): void {
  for (const key of ['y', 'dx', 'dGamma', 'dBeta', 'movingMean', 'movingVariance'] as const) {
    expect(relativeError(actual[key], expected[key])).toBeLessThanOrEqual(1e-4);
  }
}

/** Both moving statistics in one call, not tfjs' sub, mul, sub for each. */
function expectOneMovingAverageKernel(result: Result): void {
  expect(result.kernels.filter((k) => k === 'NetspecMovingAverage')).toHaveLength(1);
  expect(result.kernels).not.toContain('Sub');
}

test('the reference is a real batch norm: output per channel has mean beta, moving statistics moved', () => {
  // Channel 0: mean of y over 120 values is beta (0.1); moving mean moved 10 % of the way from 0.2 to the batch mean.
  const y0 = reference.y.filter((_, i) => i % 3 === 0);
  expect(y0.reduce((a, b) => a + b, 0) / y0.length).toBeCloseTo(0.1, 5);
  const x0 = seeded(4 * 5 * 6 * 3, 3, 2).map((v, i) => v + (i % 3) - 1).filter((_, i) => i % 3 === 0);
  const batchMean = x0.reduce((a, b) => a + b, 0) / x0.length;
  expect(reference.movingMean[0]).toBeCloseTo(0.2 * 0.9 + batchMean * 0.1, 6);
});

test('training mode on the portable wasm op: one kernel each way, same values as tfjs on cpu', async () => {
  unregisterNativeKernels();
  try {
    const ours = await trainingCall(ourLayer);
    expect(ours.kernels).toContain('NetspecBatchNormTraining');
    expect(ours.kernels).toContain('NetspecBatchNormTrainingGrad');
    expect(ours.kernels).not.toContain('FusedBatchNorm');
    expectOneMovingAverageKernel(ours);
    expectClose(ours, reference);
  } finally {
    if (nativeBuilt) expect(tryRegisterNativeKernels({ threads: 1 }).ok).toBe(true);
  }
});

test('training mode on oneDNN (when the addon is built): same values as tfjs on cpu', async () => {
  // Without the addon (no libdnnl-dev at install time) there is nothing to compare, and nothing claims otherwise.
  expect(nativeBatchNormAvailable()).toBe(nativeBuilt);
  if (!nativeBuilt) return;
  const ours = await trainingCall(ourLayer);
  expect(ours.kernels).toContain('NetspecBatchNormTraining');
  expectOneMovingAverageKernel(ours);
  expectClose(ours, reference);
});

test('on the cpu backend it is tfjs\' own layer', async () => {
  await tf.setBackend('cpu');
  try {
    const ours = await trainingCall(ourLayer);
    expect(ours.kernels).not.toContain('NetspecBatchNormTraining');
    for (const key of ['y', 'dx', 'dGamma', 'dBeta', 'movingMean', 'movingVariance'] as const) {
      expect(Array.from(ours[key])).toEqual(Array.from(reference[key]));
    }
  } finally {
    await tf.setBackend('wasm');
  }
});

test('inference mode equals tfjs\' layer bit for bit', () => {
  const x = tf.tensor(seeded(4 * 5 * 6 * 3, 5, 3), SHAPE);
  const run = (make: (args: typeof ARGS) => Layer): Float32Array => {
    const layer = make(ARGS);
    layer.build(x.shape);
    layer.setWeights([tf.tensor1d([0.5, 1.5, -1]), tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([0.2, 0, -0.1]), tf.tensor1d([1, 2, 0.5])]);
    const y = layer.apply(x, { training: false }) as Tensor;
    const values = y.dataSync() as Float32Array;
    y.dispose();
    disposeWeights(layer);
    return values;
  };
  expect(Array.from(run(ourLayer))).toEqual(Array.from(run(tfjsLayer)));
  x.dispose();
});

test('serialises as BatchNormalization and loads back as this class', async () => {
  const input = tf.input({ shape: [5, 6, CHANNELS] });
  const model: LayersModel = tf.model({ inputs: input, outputs: new BatchNormalization({ ...ARGS, name: 'bn' }).apply(input) as never });
  const json = model.toJSON(null, false) as unknown as { config: { layers: Array<{ class_name: string }> } };
  expect(json.config.layers[1].class_name).toBe('BatchNormalization');
  const loaded = await tf.models.modelFromJSON({ modelTopology: json as never });
  expect(loaded.getLayer('bn')).toBeInstanceOf(BatchNormalization);
  model.dispose();
  loaded.dispose();
});
