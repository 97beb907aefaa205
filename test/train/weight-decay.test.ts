/**
 * Where the L2 penalty applies. Counted by hand: the CIFAR ResNet-8 (6n + 2 layers, n = 1, option-A shortcuts) has
 * 7 convolutions (the stem's and two per block in three stages) and 1 dense classifier; frozen_stages: 1 freezes
 * the stem conv and stage 1's two. The penalty the trainer adds equals weight_decay · Σ w² over exactly those
 * kernels, with Σ w² summed here over the model's rank-4 weights (conv kernels are resnet8's only 4-D tensors) or
 * rank-2 ones (the classifier's kernel): an oracle that never asks the IR which layers it meant.
 */
import type { LayersModel, Scalar, Tensor } from '@tensorflow/tfjs';
import { buildLayersModel } from '../../src/backends/tfjs/build';
import { seedInitialWeights } from '../../src/backends/tfjs/seed';
import { selectBackend } from '../../src/runtime/backend';
import { tf } from '../../src/runtime/tf';
import { WeightDecayKind } from '../../src/train/config';
import { Trainer } from '../../src/train/trainer';
import { decayedNodes, kernelVariables, l2Penalty } from '../../src/train/weight-decay';
import { graphOf } from '../helpers/compile';

const graph = graphOf('fashion/resnet8');
const BATCH = 4;

beforeAll(() => selectBackend({ backend: 'wasm' }));

test('resnet8: 7 conv kernels and 1 dense kernel, by layer kind; frozen stages are left out', () => {
  const ops = (kinds: WeightDecayKind[], g = graph) => decayedNodes(g, kinds).map((n) => g.nodes.find((m) => m.name === n)!.op);
  expect(ops(['conv'])).toEqual(Array(7).fill('conv2d'));
  expect(ops(['dense'])).toEqual(['dense']);
  expect(ops(['conv', 'dense'])).toHaveLength(8);
  expect(ops([])).toEqual([]);
  expect(ops(['conv'], graphOf('fashion/resnet8', ['frozen_stages=1']))).toHaveLength(4);
});

test('ECA\'s channel conv and SE\'s 1×1 convs are convs too', () => {
  const eca = graphOf('fashion/resnet8', ['attention=eca']);
  expect(decayedNodes(eca, ['conv']).map((n) => eca.nodes.find((m) => m.name === n)!.op).filter((op) => op === 'channel_conv')).toHaveLength(3);
  const se = graphOf('fashion/resnet8', ['attention=se']);
  expect(decayedNodes(se, ['conv'])).toHaveLength(7 + 2 * 3);
});

test.each([['seresnext50_32x4d', []], ['fashion/resnet8', ['attention=eca']]])('%s %j: each kernel variable found is the layer\'s kernel (its shape is the IR\'s kernel shape)', (name, sets) => {
  const g = graphOf(name, sets);
  const model = buildLayersModel(g);
  const shapes = new Map(g.nodes.map((n) => [n.name, n.shape]));
  const layers = decayedNodes(g, ['conv', 'dense']);
  const kernels = kernelVariables(model, layers);
  layers.forEach((layer, i) => {
    const n = g.nodes.find((m) => m.name === layer)!;
    const inC = shapes.get(n.inputs[0])!.slice(-1)[0];
    // Conv: [k, k, C_in / groups, filters] (GroupedConv2D keeps one kernel); dense: [in, units]; ECA: [k, 1, 1].
    const expected = n.op === 'conv2d' ? [n.attrs.kernel, n.attrs.kernel, inC / n.attrs.groups, n.attrs.filters]
      : n.op === 'dense' ? [inC, n.attrs.units] : n.op === 'channel_conv' ? [n.attrs.kernel, 1, 1] : [];
    expect({ layer, shape: kernels[i].shape }).toEqual({ layer, shape: expected });
  });
  model.dispose();
});

describe('the penalty in the training loss', () => {
  let model: LayersModel;
  let x: Tensor;
  const labels = Int32Array.from({ length: BATCH }, (_, i) => i % 10);
  beforeAll(() => {
    model = buildLayersModel(graph);
    seedInitialWeights(model, graph, 3);
    x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 5);
  });

  /** The loss of one step at learning rate 0 (the weights stay; BN normalises with the batch's statistics). */
  function stepLoss(weightDecay: number, kinds: WeightDecayKind[]): number {
    const trainer = new Trainer(model, {
      epochs: 1, batchSize: BATCH, seed: 0, optimizer: { type: 'sgd', momentum: 0, nesterov: false }, schedule: { rate: () => 0 },
      weightDecay, decayed: decayedNodes(graph, kinds), labelSmoothing: 0, loss: 'categorical_crossentropy', fromLogits: false,
    }, '');
    return trainer.step(x, labels).loss;
  }

  const sumOfSquares = (rank: number) => {
    const kernels = model.trainableWeights.filter((w) => w.shape.length === rank).map((w) => w.read());
    return { count: kernels.length, sum: kernels.reduce((s, k) => s + tf.sum(tf.square(k)).dataSync()[0], 0) };
  };

  test.each([
    [['conv'] as WeightDecayKind[], [4]],
    [['dense'] as WeightDecayKind[], [2]],
    [['conv', 'dense'] as WeightDecayKind[], [4, 2]],
  ])('weight_decay_on %j adds weight_decay · Σ w² over exactly those kernels', (kinds, ranks) => {
    const wd = 0.01;
    const expected = ranks.reduce((s, r) => s + wd * sumOfSquares(r).sum, 0);
    const penalty = stepLoss(wd, kinds) - stepLoss(0, kinds);
    console.log(`${kinds.join('+')}: penalty ${penalty.toFixed(6)}, weight_decay·Σw² ${expected.toFixed(6)}`);
    expect(sumOfSquares(4).count).toBe(7);
    expect(sumOfSquares(2).count).toBe(1);
    expect(expected).toBeGreaterThan(1e-3);
    expect(Math.abs(penalty - expected)).toBeLessThan(1e-5 * Math.max(1, expected) + 1e-6);
  });

  test('weight_decay_on [] adds nothing', () => {
    expect(stepLoss(0.01, [])).toBe(stepLoss(0, []));
  });
});

test('the penalty and its gradient equal tfjs\' differentiation of weight_decay · Σ w², on every backend', async () => {
  const shapes = [[3, 3, 16, 16], [3, 3, 16, 32], [64, 10]];
  for (const backend of ['cpu', 'wasm', 'onednn'] as const) {
    const info = await selectBackend({ backend }).catch(() => null);
    if (info === null) continue;  // onednn without the addon: cpu and wasm still cover the rule
    tf.tidy(() => {
      const kernels = shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 0.1, 'float32', i + 1)));
      const tfjsPenalty = () => tf.mul(tf.addN(kernels.map((k) => tf.sum(tf.square(k)))), 1e-4) as Tensor;
      const expected = tf.variableGrads(tfjsPenalty as () => Scalar, kernels);
      const actual = tf.variableGrads(() => l2Penalty(kernels, 1e-4), kernels);
      expect(actual.value.dataSync()).toEqual(expected.value.dataSync());
      for (const k of kernels) expect(actual.grads[k.name].dataSync()).toEqual(expected.grads[k.name].dataSync());
      kernels.forEach((k) => k.dispose());
    });
  }
  await selectBackend({ backend: 'wasm' });
});
