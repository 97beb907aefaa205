/**
 * Every built-in exports to ONNX and runs in onnxruntime-node with tfjs' outputs (seeded random weights, BN
 * statistics included), within float32 noise: max |Δ| ≤ 1e-4 of the largest output. ImageNet nets run at 64×64
 * except resnet50 at its 224×224. All give logits (`head.activation=linear`): with random weights a 1000-way
 * softmax is uniform to 1e-7 and cifar/resnet1202's is one-hot whatever the image, either of which would hide a
 * difference; the softmax itself is checked in variants.test.ts and cli-export.test.ts.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/runtime/backend';
import { builtinNames } from '../../../src/spec/builtins';
import { build, graphOf, randomInput } from '../tfjs/support/models';
import { exportModel, relativeDiff, runOnnx, seededWeights } from './support';

const TOLERANCE = 1e-4;
/** Nets whose image signal fades under small gammas (no identity paths, or a long avg-down path): gamma near 1. */
const SIGNAL_KEEPING_GAMMA: Record<string, [number, number]> = Object.fromEntries(
  builtinNames().filter((n) => n.startsWith('plain/') || n === 'resnet50d').map((n) => [n, [0.8, 1.2]]),
);
const isImageNet = (name: string) => !/^(cifar|keras-cifar|fashion)\//.test(name);
// A seeded initialisation too: the kernels are the spec's own initial weights, and a run-to-run draw left
// keras/resnet152's two outputs apart by 0.99e-5 in one run of many (the 1e-5 floor below).
const setsFor = (name: string) => [...(isImageNet(name) && name !== 'resnet50' ? ['input=[64,64,3]'] : []), 'head.activation=linear', 'initializer.seed=1'];

beforeAll(async () => {
  await selectBackend({ backend: 'auto' });
});

test.each(builtinNames())('%s: onnxruntime gives tfjs\' outputs', async (name) => {
  const graph = graphOf(name, setsFor(name));
  const model = build(graph);
  seededWeights(model, 1, SIGNAL_KEEPING_GAMMA[name]);
  const x = randomInput(graph, 2);
  const expected = (model.predict(x) as Tensor).dataSync();
  const [actual] = runOnnx(exportModel(graph, model), x);
  const diff = relativeDiff(actual, expected);
  expect(diff).toBeLessThanOrEqual(TOLERANCE);
  // Non-vacuity: the two images' outputs differ by several times more than ONNX and tfjs do (keras/resnet50v2's
  // random BN shifts leave a ratio of about 5 here), so a wrongly read input (a transposed layout, a missed stride)
  // would show.
  const half = expected.length / 2;
  const between = relativeDiff(expected.slice(0, half), expected.slice(half));
  expect(between).toBeGreaterThan(3 * diff);
  console.log(`${name}: onnx vs tfjs ${diff.toExponential(2)}, between images ${between.toExponential(2)}`);
  expect(between).toBeGreaterThan(1e-5);
  model.dispose();
  x.dispose();
});
