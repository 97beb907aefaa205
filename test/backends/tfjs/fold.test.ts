/**
 * Batch-norm folding: which layers disappear (counted by hand from each architecture), outputs equal to the
 * unfolded model's within 1e-4, and what runs — fused convolutions with ReLU, no batch-norm kernel.
 */
import type { KernelConfig, LayersModel, Tensor } from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/runtime/backend';
import { foldBatchNorm, inferenceModel } from '../../../src/backends/tfjs/inference';
import { tf } from '../../../src/runtime/tf';
import { relativeError } from './kernels-helpers';
import { build, graphOf, randomInput, randomizeWeights } from './support/models';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm', threads: 1 });
});

interface Case {
  name: string;
  ref: string;
  sets: string[];
  /** conv → BN pairs, and of those the ones whose BN feeds a ReLU (hand-counted from the architecture). */
  folds: number;
  relus: number;
}

const cases: Case[] = [
  // 19 convs, each followed by BN; ReLU after the stem's BN and after the first BN of each of the 9 blocks (the
  // second BN feeds the residual add).
  { name: 'cifar/resnet20', ref: 'cifar/resnet20', sets: [], folds: 19, relus: 10 },
  // Stem + 16 block convs + 3 downsample convs; ReLU after stem BN and the first BN of 8 blocks. Frozen BNs fold
  // too. Feature maps as outputs, so nothing is squashed by a softmax.
  { name: 'resnet18, frozen stem, feature outputs', ref: 'resnet18', sets: ['input=[32,32,3]', 'frozen_stages=1', 'out_indices=[1,2,3,4]'], folds: 20, relus: 9 },
  // Keras convention (conv bias): 53 convs with BN; ReLU after stem BN and the first two BNs of 16 blocks.
  { name: 'keras/resnet50', ref: 'keras/resnet50', sets: ['input=[32,32,3]'], folds: 53, relus: 33 },
  // Pre-activation: only each block's first two convs are followed by BN (+ReLU); stem and third convs are not.
  { name: 'keras/resnet50v2', ref: 'keras/resnet50v2', sets: ['input=[32,32,3]'], folds: 32, relus: 32 },
];

function outputsOf(model: LayersModel, x: Tensor): Float32Array[] {
  return tf.tidy(() => {
    const out = model.predict(x);
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

/** Counts the FusedConv2D calls with a ReLU fused while `run` runs. */
function countFusedRelu(run: () => void): { fused: number; relu: number } {
  const original = tf.getKernel('FusedConv2D', 'wasm') as KernelConfig;
  const counts = { fused: 0, relu: 0 };
  tf.unregisterKernel('FusedConv2D', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      counts.fused++;
      if ((args.attrs as { activation?: string }).activation === 'relu') counts.relu++;
      return original.kernelFunc(args);
    },
  });
  try {
    run();
  } finally {
    tf.unregisterKernel('FusedConv2D', 'wasm');
    tf.registerKernel(original);
  }
  return counts;
}

test.each(cases)('$name: $folds convs absorb their batch norm, $relus a ReLU; outputs equal within 1e-4', async (c) => {
  const model = build(graphOf(c.ref, c.sets));
  randomizeWeights(model, 3);
  const x = randomInput(graphOf(c.ref, c.sets), 2, 11);
  const before = outputsOf(model, x);
  const layersBefore = model.layers.length;
  const batchNorms = (m: LayersModel) => m.layers.filter((l) => /BatchNormalization/.test(l.getClassName())).length;

  const folded = foldBatchNorm(model);
  expect(folded.layers.length).toBe(layersBefore - c.folds - c.relus);
  expect(batchNorms(folded)).toBe(batchNorms(model) - c.folds);
  // Names are kept: the folded convs are the original convs.
  expect(folded.outputNames).toEqual(model.outputNames);

  const after = outputsOf(folded, x);
  expect(after).toHaveLength(before.length);
  after.forEach((values, i) => expect(relativeError(values, before[i])).toBeLessThanOrEqual(1e-4));
  // The original is untouched.
  expect(model.layers.length).toBe(layersBefore);
  outputsOf(model, x).forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(before[i])));

  // What runs: one fused kernel per conv, ReLU fused where it was folded; batch-norm kernels only for the batch
  // norms that do not follow a conv (pre-activation ones).
  const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D').length;
  const counts = countFusedRelu(() => outputsOf(folded, x));
  expect(counts).toEqual({ fused: convs, relu: c.relus });
  const profile = await tf.profile(() => outputsOf(folded, x));
  expect(profile.kernels.filter((k) => k.name === 'FusedBatchNorm')).toHaveLength(batchNorms(folded));

  tf.dispose(x);
  model.dispose();
  folded.dispose();
});

test('inferenceModel folds the same way', () => {
  const model = build(graphOf('cifar/resnet20'));
  const inference = inferenceModel(model);
  expect(inference.layers.length).toBe(model.layers.length - 19 - 10);
  model.dispose();
  inference.dispose();
});

test('a conv whose output is also read elsewhere is left alone', () => {
  const input = tf.input({ shape: [6, 6, 2] });
  const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'c' }).apply(input) as never;
  const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(conv) as never;
  const model = tf.model({ inputs: input, outputs: tf.layers.add({ name: 'sum' }).apply([conv, bn]) as never });
  const folded = foldBatchNorm(model);
  expect(folded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
  model.dispose();
  folded.dispose();
});
