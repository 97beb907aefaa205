/**
 * The real training step (Trainer.step) on the `onednn` backend: a tiny ResNet follows tfjs' cpu backend (its own
 * kernels and batch norm) step for step; `fashion/resnet8` (Adam, the default of `netspec train`) follows the
 * wasm + oneDNN path it replaces as the default within float32 noise; and steps leave tf.memory() unchanged.
 */
import type { LayersModel, SymbolicTensor, Tensor } from '@tensorflow/tfjs';
import { selectBackend } from '../../src/runtime/backend';
import { loadNativeAddon } from '../../src/runtime/onednn/addon';
import { tf } from '../../src/runtime/tf';
import { Trainer } from '../../src/train/trainer';
import { decayedNodes } from '../../src/train/weight-decay';
import type { IRGraph } from '../../src/ir/types';
import { relativeError, seeded } from '../backends/tfjs/kernels-helpers';
import { build, graphOf, graphOfText, TINY_RESNET as TINY } from '../backends/tfjs/support/models';
import { inferenceModel } from '../../src/backends/tfjs/inference';
import { Add, markAddsBeforeRelu } from '../../src/backends/tfjs/layers';

const loaded = loadNativeAddon();


interface Setup {
  graph: IRGraph;
  batch: number;
  optimizer: 'sgd' | 'adam';
  rate: number;
}

function trainer(model: LayersModel, s: Setup): Trainer {
  return new Trainer(model, {
    epochs: 1, batchSize: s.batch, seed: 1,
    optimizer: s.optimizer === 'adam' ? { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } : { type: 'sgd', momentum: 0.9, nesterov: false },
    schedule: { rate: () => s.rate }, weightDecay: 1e-4, decayed: decayedNodes(s.graph, ['conv', 'dense']),
    labelSmoothing: 0, loss: 'categorical_crossentropy', fromLogits: false,
  }, '');
}

interface Run {
  losses: number[];
  weights: Float32Array[];
}

/** A model with the given initial weights, trained `steps` steps on the current backend on fixed data. */
function train(s: Setup, initial: Float32Array[], steps: number): Run {
  const model = build(s.graph);
  model.setWeights(initial.map((v, i) => tf.tensor(v, model.weights[i].shape as number[])));
  const shape = [s.batch, ...(model.inputs[0].shape.slice(1) as number[])];
  const x = tf.tensor(seeded(shape.reduce((a, b) => a * b), 17, 2), shape);
  const classes = model.outputs[0].shape[1] as number;
  const labels = Int32Array.from({ length: s.batch }, (_, i) => i % classes);
  const t = trainer(model, s);
  const losses = Array.from({ length: steps }, () => t.step(x, labels).loss);
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  x.dispose();
  model.dispose();
  return { losses, weights };
}

function initialWeights(graph: IRGraph): Float32Array[] {
  const model = build(graph);
  const initial = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  model.dispose();
  return initial;
}

function expectSameRun(actual: Run, expected: Run, tolerance: number): void {
  // The run must learn something, or equal curves would prove little.
  expect(expected.losses[expected.losses.length - 1]).toBeLessThan(expected.losses[0] * 0.9);
  expect(relativeError(actual.losses, expected.losses)).toBeLessThanOrEqual(tolerance);
  expect(actual.weights.length).toBe(expected.weights.length);
  actual.weights.forEach((w, i) => expect(relativeError(w, expected.weights[i])).toBeLessThanOrEqual(tolerance));
}

if (!('addon' in loaded)) {
  test('without the addon, --backend onednn is refused with the reason', async () => {
    console.warn(`onednn training not tested: ${loaded.reason}`);
    await expect(selectBackend({ backend: 'onednn' })).rejects.toThrow(loaded.reason);
  });
}

if ('addon' in loaded) describe('training on the onednn backend', () => {
  test('auto picks onednn, --backend wasm the oneDNN kernels on the wasm heap', async () => {
    expect(await selectBackend({ backend: 'auto', threads: 2 })).toMatchObject({ name: 'onednn', tfBackend: 'onednn', threads: 2 });
    expect(tf.getBackend()).toBe('onednn');
    expect(await selectBackend({ backend: 'wasm', threads: 2 })).toMatchObject({ name: 'wasm+onednn', tfBackend: 'wasm', threads: 2 });
    expect(tf.getBackend()).toBe('wasm');
  });

  test('a tiny ResNet follows the cpu backend step for step (SGD with momentum)', async () => {
    const setup: Setup = { graph: graphOfText(TINY), batch: 8, optimizer: 'sgd', rate: 0.05 };
    await selectBackend({ backend: 'cpu' });
    const initial = initialWeights(setup.graph);
    const cpu = train(setup, initial, 12);
    await selectBackend({ backend: 'onednn', threads: 2 });
    expectSameRun(train(setup, initial, 12), cpu, 1e-4);
  });

  test('fashion/resnet8 with Adam follows the wasm + oneDNN loss curve within float32 noise', async () => {
    const setup: Setup = { graph: graphOf('fashion/resnet8'), batch: 16, optimizer: 'adam', rate: 0.002 };
    await selectBackend({ backend: 'wasm', threads: 2 });
    expect(tf.getBackend()).toBe('wasm');
    const initial = initialWeights(setup.graph);
    const old = train(setup, initial, 6);
    await selectBackend({ backend: 'onednn', threads: 2 });
    const now = train(setup, initial, 6);
    expect(old.losses[5]).toBeLessThan(old.losses[0] * 0.9);
    // The first loss agrees to ~1e-7 (same convolutions; reductions summed in another order). Adam divides each
    // update by its gradient's RMS, so that noise grows step by step (measured: 2.7e-4 after eight steps) and the
    // shifts of near-zero BN gradients flip sign: weights are compared exactly in the SGD test above instead.
    expect(Math.abs(now.losses[0] - old.losses[0]) / old.losses[0]).toBeLessThanOrEqual(1e-6);
    expect(relativeError(now.losses, old.losses)).toBeLessThanOrEqual(1e-3);
  });

  test('each block\'s residual add and the ReLU after it run as one kernel, in training and in the folded model', async () => {
    await selectBackend({ backend: 'onednn', threads: 1 });
    const model = build(graphOfText(TINY));
    const folded = inferenceModel(model);
    const x = tf.tensor(seeded(8 * 8 * 8 * 3, 6), [8, 8, 8, 3]);
    const kernels = async (run: () => unknown) => (await tf.profile(() => tf.tidy(() => run() as never))).kernels.map((k) => k.name);
    // ResNet-8: three blocks, each ending in add + ReLU (the stem's and the blocks' first ReLUs follow a batch norm).
    for (const names of [await kernels(() => model.apply(x, { training: true })), await kernels(() => folded.predict(x))]) {
      expect(names.filter((k) => k === 'NetspecAddRelu')).toHaveLength(3);
      // Not the unfused pair either (the head's bias add is an Add of its own).
      expect(names.some((k, i) => k === 'Add' && names[i + 1] === 'Relu')).toBe(false);
    }
    tf.dispose([x]);
    model.dispose();
    folded.dispose();
  });

  test('a model cut at a residual add\'s output reads a + b there, negatives included', async () => {
    await selectBackend({ backend: 'onednn', threads: 1 });
    const model = build(graphOfText(TINY));
    const add = model.layers.find((layer) => layer instanceof Add) as Add;
    expect(add.fusesFollowingRelu).toBe(true);
    const [a, b] = add.input as SymbolicTensor[];
    const cut = tf.model({ inputs: model.inputs, outputs: [a, b, add.output as SymbolicTensor] });
    markAddsBeforeRelu(cut);
    const x = tf.tensor(seeded(8 * 8 * 8 * 3, 7), [8, 8, 8, 3]);
    const [av, bv, sum] = cut.predict(x) as Tensor[];
    const expected = tf.add(av, bv);
    expect(expected.min().dataSync()[0]).toBeLessThan(0);
    expect(relativeError(sum.dataSync(), expected.dataSync())).toBeLessThanOrEqual(1e-6);
    tf.dispose([x, av, bv, sum, expected]);
    model.dispose();
  });

  test('100 steps leave tf.memory() and the backend buffers unchanged', async () => {
    await selectBackend({ backend: 'onednn', threads: 1 });
    const graph = graphOfText(TINY);
    const model = build(graph);
    const x = tf.tensor(seeded(8 * 8 * 8 * 3, 5), [8, 8, 8, 3]);
    const t = trainer(model, { graph, batch: 8, optimizer: 'adam', rate: 0.01 });
    const labels = Int32Array.from({ length: 8 }, (_, i) => i % 3);
    // The first step creates the optimizer's slots.
    t.step(x, labels);
    const before = { ...tf.memory(), buffers: tf.engine().backend.numDataIds() };
    for (let i = 0; i < 100; i++) t.step(x, labels);
    expect({ ...tf.memory(), buffers: tf.engine().backend.numDataIds() }).toEqual(before);
    x.dispose();
    model.dispose();
  });
});
