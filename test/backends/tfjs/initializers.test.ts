/**
 * Kernel initialisers: what the tfjs builder draws for each name against the closed forms of Keras 3 and torch
 * (test/helpers/initializers.ts), with fans computed here from the kernel's shape. Sample statistics of n draws:
 * the variance's relative standard error is about sqrt(2 / n) for a normal (0.6% at n = 55,296), so a 5% band
 * fails only on a wrong formula.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { buildLayersModel } from '../../../src/backends/tfjs/build';
import { kernelInitializer } from '../../../src/backends/tfjs/init';
import { seedInitialWeights } from '../../../src/backends/tfjs/seed';
import { INITIALIZER_NAMES } from '../../../src/ir/initializers';
import { tf } from '../../../src/runtime/tf';
import { graphOf, graphOfText } from '../../helpers/compile';
import { closedForm, TRUNC } from '../../helpers/initializers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Keras' fans: receptive field × the last two axes of an HWIO (or IO) kernel. */
function fans(shape: number[]): { fanIn: number; fanOut: number } {
  const rf = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2] * rf, fanOut: shape[shape.length - 1] * rf };
}

function stats(t: Tensor): { mean: number; std: number; maxAbs: number; beyond2std: number } {
  const v = t.dataSync();
  let sum = 0;
  let sq = 0;
  let maxAbs = 0;
  for (const x of v) {
    sum += x;
    sq += x * x;
    maxAbs = Math.max(maxAbs, Math.abs(x));
  }
  const mean = sum / v.length;
  const std = Math.sqrt(sq / v.length - mean * mean);
  let beyond = 0;
  for (const x of v) if (Math.abs(x) > 2 * std) beyond++;
  return { mean, std, maxAbs, beyond2std: beyond / v.length };
}

// A 3×3 conv from 64 to 96 channels (fan_in 576, fan_out 864: every mode gives a different number) and a dense
// kernel from 512 to 10.
const SHAPES = [[3, 3, 64, 96], [512, 10]];

describe.each(INITIALIZER_NAMES.map((n) => [n]))('%s', (name) => {
  test.each(SHAPES.map((s) => [s.join('×'), s]))('on a %s kernel: mean 0, the closed-form std and bound', (_, shape) => {
    const drawn = kernelInitializer(name, shape, 42).apply(shape);
    const s = stats(drawn);
    drawn.dispose();
    const want = closedForm(name, fans(shape));
    if (want.std === 0) {
      expect(s.maxAbs).toBe(0);
      return;
    }
    const n = shape.reduce((a, b) => a * b, 1);
    expect(Math.abs(s.mean)).toBeLessThan((5 * want.std) / Math.sqrt(n));
    expect(s.std / want.std).toBeGreaterThan(0.95);
    expect(s.std / want.std).toBeLessThan(1.05);
    if (Number.isFinite(want.bound)) {
      expect(s.maxAbs).toBeLessThanOrEqual(want.bound * (1 + 1e-6));
      // Values come near the bound: a narrower distribution with the right variance would not.
      expect(s.maxAbs).toBeGreaterThan(want.bound * 0.95);
    } else {
      // Untruncated: 4.55% of a normal lies beyond 2σ; a truncated draw has none there.
      expect(s.beyond2std).toBeGreaterThan(0.035);
    }
  });
});

test.each(INITIALIZER_NAMES.filter((n) => n !== 'zeros').map((n) => [n]))('%s: the same seed draws the same kernel, another seed another one', (name) => {
  const draw = (seed: number) => Array.from(kernelInitializer(name, [3, 3, 8, 8], seed).apply([3, 3, 8, 8]).dataSync());
  expect(draw(1)).toEqual(draw(1));
  expect(draw(1)).not.toEqual(draw(2));
});

describe('conventions choose the framework defaults', () => {
  const kernelsOf = (ref: string) => {
    const g = graphOf(ref);
    const convs = new Set(g.nodes.flatMap((n) => (n.op === 'conv2d' ? [n.attrs.kernelInitializer] : [])));
    const dense = new Set(g.nodes.flatMap((n) => (n.op === 'dense' ? [n.attrs.kernelInitializer] : [])));
    return { conv: [...convs], dense: [...dense] };
  };
  test.each([
    // torchvision models/resnet.py: kaiming_normal_(mode="fan_out") on every Conv2d, fc left at nn.Linear's default.
    ['resnet50', 'kaiming_normal_fan_out', 'torch_default'],
    ['seresnet50', 'kaiming_normal_fan_out', 'torch_default'],
    // Keras applications: Conv2D and Dense keep their default kernel_initializer, glorot_uniform.
    ['keras/resnet50', 'glorot_uniform', 'glorot_uniform'],
    ['keras/resnet50v2', 'glorot_uniform', 'glorot_uniform'],
    // The Keras CIFAR-10 example: kernel_initializer='he_normal' on resnet_layer's Conv2D and on the classifier.
    ['keras-cifar/resnet_v1', 'he_normal', 'he_normal'],
    ['keras-cifar/resnet_v2', 'he_normal', 'he_normal'],
  ])('%s: convs %s, dense %s', (ref, conv, dense) => {
    expect(kernelsOf(ref)).toEqual({ conv: [conv], dense: [dense] });
  });

  test('caffe: MSRA convs, glorot_uniform classifier', () => {
    const g = graphOf('resnet50', ['convention=caffe']);
    expect(new Set(g.nodes.flatMap((n) => (n.op === 'conv2d' ? [n.attrs.kernelInitializer] : [])))).toEqual(new Set(['kaiming_normal_fan_out']));
    expect(g.nodes.filter((n) => n.op === 'dense').map((n) => n.op === 'dense' && n.attrs.kernelInitializer)).toEqual(['glorot_uniform']);
  });

  test('a spec field overrides the convention', () => {
    const g = graphOf('resnet18', ['initializer.conv=he_uniform']);
    expect(new Set(g.nodes.flatMap((n) => (n.op === 'conv2d' ? [n.attrs.kernelInitializer] : [])))).toEqual(new Set(['he_uniform']));
    expect(g.nodes.filter((n) => n.op === 'dense').map((n) => n.op === 'dense' && n.attrs.kernelInitializer)).toEqual(['torch_default']);
  });
});

describe('a built model', () => {
  const spec = (extra: string) => `netspec: 1
name: tiny
convention: keras
input: [16, 16, 3]
stem: { filters: 32, kernel: 3, stride: 1 }
block: basic
attention: eca
stages:
  - { blocks: 1, filters: 32, stride: 1 }
  - { blocks: 1, filters: 64, stride: 2 }
head: { classes: 200 }
${extra}
`;
  const kernels = (m: LayersModel) => m.weights.filter((w) => w.originalName.endsWith('kernel')).map((w) => Array.from(w.read().dataSync()));

  test('draws each layer from its initializer, with fans from that layer\'s shape', () => {
    const model = buildLayersModel(graphOfText(spec('initializer: { conv: he_normal, dense: kaiming_normal_fan_out }')));
    const kernel = (shape: number[]) => model.weights.find((w) => w.originalName.endsWith('kernel') && w.shape.join() === shape.join())!.read();
    const conv = kernel([3, 3, 64, 64]);
    const fc = kernel([64, 200]);
    expect(conv.shape).toEqual([3, 3, 64, 64]);
    expect(stats(conv).std / Math.sqrt(2 / 576)).toBeCloseTo(1, 1);
    expect(stats(conv).maxAbs).toBeLessThanOrEqual((2 * Math.sqrt(2 / 576)) / TRUNC * (1 + 1e-6));
    expect(fc.shape).toEqual([64, 200]);
    expect(stats(fc).std / Math.sqrt(2 / 200)).toBeCloseTo(1, 1);
    model.dispose();
  });

  test('initializer.seed makes two builds identical; without it they differ', () => {
    const a = buildLayersModel(graphOfText(spec('initializer: { seed: 0 }')));
    const b = buildLayersModel(graphOfText(spec('initializer: { seed: 0 }')));
    const c = buildLayersModel(graphOfText(spec('initializer: { seed: 1 }')));
    const d = buildLayersModel(graphOfText(spec('')));
    const e = buildLayersModel(graphOfText(spec('')));
    // Every conv, the ECA conv and the classifier.
    expect(kernels(a).length).toBe(kernels(d).length);
    expect(kernels(a)).toEqual(kernels(b));
    kernels(a).forEach((k, i) => expect(k).not.toEqual(kernels(c)[i]));
    kernels(d).forEach((k, i) => expect(k).not.toEqual(kernels(e)[i]));
    for (const m of [a, b, c, d, e]) m.dispose();
  });

  test('a training run\'s seed reseeds a spec without a seed and leaves a seeded spec\'s weights alone', () => {
    const free = graphOfText(spec(''));
    const [x, y] = [buildLayersModel(free), buildLayersModel(free)];
    seedInitialWeights(x, free, 5);
    seedInitialWeights(y, free, 5);
    expect(kernels(x)).toEqual(kernels(y));

    const seeded = graphOfText(spec('initializer: { seed: 3 }'));
    const z = buildLayersModel(seeded);
    const before = kernels(z);
    seedInitialWeights(z, seeded, 5);
    expect(kernels(z)).toEqual(before);
    // The spec's seed 3 and a run's seed 3 draw the same weights.
    seedInitialWeights(x, free, 3);
    expect(kernels(x)).toEqual(before);
    for (const m of [x, y, z]) m.dispose();
  });
});
