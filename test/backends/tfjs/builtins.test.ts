/**
 * Every built-in spec builds as a tfjs model whose parameter counts equal the IR's and the published numbers
 * (../shared/REFERENCE.md), and whose every layer has the IR's output shape.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { compareModel } from '../../../src/backends/tfjs/verify';
import { tf } from '../../../src/runtime/tf';
import { IRGraph } from '../../../src/ir/types';
import { builtinNames } from '../../../src/spec/builtins';
import { build, graphOf } from './support/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Keras Applications totals (REFERENCE.md, convention A). */
const kerasTotal: Record<string, number> = {
  'keras/resnet50': 25_636_712, 'keras/resnet101': 44_707_176, 'keras/resnet152': 60_419_944,
  'keras/resnet50v2': 25_613_800, 'keras/resnet101v2': 44_675_560, 'keras/resnet152v2': 60_380_648,
};

/** torchvision parameters (REFERENCE.md, convention B): what torch counts is what tfjs calls trainable. */
const torchParams: Record<number, number> = { 18: 11_689_512, 34: 21_797_672, 50: 25_557_032, 101: 44_549_160, 152: 60_192_808 };

/** BN channels of a torchvision ResNet: stem 64; per block 2 (basic) or 3 (bottleneck) BNs; one per downsample. */
function bnChannels(depth: number): number {
  const table: Record<number, [boolean, number[]]> = {
    18: [false, [2, 2, 2, 2]], 34: [false, [3, 4, 6, 3]], 50: [true, [3, 4, 6, 3]], 101: [true, [3, 4, 23, 3]], 152: [true, [3, 8, 36, 3]],
  };
  const [bottleneck, blocks] = table[depth];
  return 64 + [64, 128, 256, 512].reduce((sum, w, i) => {
    const perBlock = bottleneck ? w + w + 4 * w : 2 * w;
    const downsample = bottleneck || i > 0 ? (bottleneck ? 4 * w : w) : 0;
    return sum + blocks[i] * perBlock + downsample;
  }, 0);
}

/** Parameters of the paper's CIFAR ResNet (6n+2, option-A shortcuts): stem conv + BN, 3 stages of n basic blocks, fc. */
function cifarParams(n: number): number {
  const conv = (cin: number, cout: number) => 9 * cin * cout;
  let total = conv(3, 16) + 2 * 16;
  let cin = 16;
  for (const w of [16, 32, 64]) {
    for (let b = 0; b < n; b++) {
      total += conv(cin, w) + conv(w, w) + 2 * (2 * w);
      cin = w;
    }
  }
  return total + 64 * 10 + 10;
}

/** The paper's reported sizes (He et al. 2015, §4.2), in millions, to their printed precision. */
const cifarPaper: Record<string, [number, number]> = {
  'cifar/resnet20': [3, 0.27], 'cifar/resnet32': [5, 0.46], 'cifar/resnet44': [7, 0.66],
  'cifar/resnet56': [9, 0.85], 'cifar/resnet110': [18, 1.7], 'cifar/resnet1202': [200, 19.4],
};

const size = (shape: readonly (number | null)[]) => shape.reduce((a: number, b) => a * (b as number), 1);

function counts(model: LayersModel) {
  return {
    total: model.countParams(),
    trainable: model.trainableWeights.reduce((a, w) => a + size(w.shape), 0),
    nonTrainable: model.nonTrainableWeights.reduce((a, w) => a + size(w.shape), 0),
  };
}

/** Layers whose tfjs output shape is not the IR's (the batch axis is tfjs' leading null). */
function shapeMismatches(graph: IRGraph, model: LayersModel): string[] {
  return graph.nodes
    .filter((n) => JSON.stringify(model.getLayer(n.name).outputShape) !== JSON.stringify([null, ...n.shape]))
    .map((n) => `${n.name}: IR ${JSON.stringify(n.shape)}, tfjs ${JSON.stringify(model.getLayer(n.name).outputShape)}`);
}

const names = builtinNames();

test('the built-ins include every reference model', () => {
  for (const name of [...Object.keys(kerasTotal), ...Object.keys(cifarPaper), 'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152']) {
    expect(names).toContain(name);
  }
});

describe.each(names)('%s', (name) => {
  test('builds with the IR\'s and the published parameter counts and the IR\'s layer shapes', () => {
    const graph = graphOf(name);
    const model = build(graph);
    try {
      const c = counts(model);
      expect(c).toEqual({ total: graph.params.total, trainable: graph.params.trainable, nonTrainable: graph.params.nonTrainable });
      expect(model.layers.map((l) => l.name).sort()).toEqual(graph.nodes.map((n) => n.name).sort());
      expect(shapeMismatches(graph, model)).toEqual([]);
      expect(compareModel(graph, model).ok).toBe(true);

      const depth = Number(/resnet(\d+)/.exec(name)?.[1]);
      if (name in kerasTotal) {
        expect(c.total).toBe(kerasTotal[name]);
        // Keras v1: every conv has a bias and a BN, so total = torch parameters + 3 per BN channel (bias, mean, var).
        if (!name.endsWith('v2')) expect(c.nonTrainable).toBe((2 * (kerasTotal[name] - torchParams[depth])) / 3);
      } else if (name in cifarPaper) {
        const [n, millions] = cifarPaper[name];
        expect(c.trainable).toBe(cifarParams(n));
        expect(Number((c.trainable / 1e6).toFixed(millions < 1 ? 2 : 1))).toBe(millions);
      } else if (/^resnet\d+$/.test(name)) {
        expect(c.trainable).toBe(torchParams[depth]);
        expect(c.nonTrainable).toBe(2 * bnChannels(depth));
      }
    } finally {
      model.dispose();
    }
  });
});

test('Keras include_top=False totals (REFERENCE.md) once the classifier is dropped', () => {
  const notop: Record<string, number> = {
    'keras/resnet50': 23_587_712, 'keras/resnet50v2': 23_564_800,
  };
  for (const [name, total] of Object.entries(notop)) {
    const model = build(graphOf(name, ['head.include_top=false']));
    expect(model.countParams()).toBe(total);
    model.dispose();
  }
});

test('frozen_stages makes the stem and the first stage non-trainable; out_indices gives one output per stage', () => {
  const graph = graphOf('resnet50', ['frozen_stages=1', 'out_indices=[1,2,3]']);
  const model = build(graph);
  try {
    // torchvision resnet50: conv1 9,408 + bn1 128; layer1 215,808 parameters.
    const frozen = 9_408 + 128 + 215_808;
    expect(counts(model)).toEqual({ total: 25_610_152, trainable: 25_557_032 - frozen, nonTrainable: 53_120 + frozen });
    expect(model.getLayer('layer1.0.conv1').trainable).toBe(false);
    expect(model.getLayer('bn1').trainable).toBe(false);
    expect(model.getLayer('layer2.0.conv1').trainable).toBe(true);
    expect(model.outputs.map((o) => o.shape)).toEqual([[null, 56, 56, 256], [null, 28, 28, 512], [null, 14, 14, 1024], [null, 1000]]);
  } finally {
    model.dispose();
  }
});

test('zero_init_residual starts the last BN of each block at gamma 0', () => {
  const model = build(graphOf('resnet18', ['zero_init_residual=true', 'input=[32,32,3]']));
  try {
    const gamma = (layer: string) => Array.from(model.getLayer(layer).getWeights()[0].dataSync());
    expect(new Set(gamma('layer1.0.bn2'))).toEqual(new Set([0]));
    expect(new Set(gamma('layer1.0.bn1'))).toEqual(new Set([1]));
  } finally {
    model.dispose();
  }
});

test('verification reports a layer whose shape differs from the IR', () => {
  const graph = graphOf('cifar/resnet20');
  const model = build(graph);
  try {
    const tampered = { ...graph, nodes: graph.nodes.map((n) => (n.name === 'layer2.0.conv1' ? { ...n, shape: [15, 15, 32] } : n)) };
    const report = compareModel(tampered, model);
    expect(report.ok).toBe(false);
    expect(report.layers.filter((l) => !l.ok).map((l) => l.name)).toEqual(['layer2.0.conv1']);
  } finally {
    model.dispose();
  }
});

test("Caffe's names (ResNet-50-deploy.prototxt) reach the tfjs layers, on the weights they belong to", () => {
  const model = build(graphOf('resnet50', ['convention=caffe']));
  try {
    const kernel = (name: string) => model.getLayer(name).getWeights()[0].shape;
    expect(kernel('conv1')).toEqual([7, 7, 3, 64]);
    expect(kernel('res2a_branch1')).toEqual([1, 1, 64, 256]);
    expect(kernel('res2a_branch2a')).toEqual([1, 1, 64, 64]);
    expect(kernel('res3a_branch2b')).toEqual([3, 3, 128, 128]);
    expect(kernel('res5c_branch2c')).toEqual([1, 1, 512, 2048]);
    expect(kernel('fc1000')).toEqual([2048, 1000]);
    expect(model.getLayer('bn_conv1').getWeights().map((w) => w.shape)).toEqual([[64], [64], [64], [64]]);
    expect(model.getLayer('bn4f_branch2c').getClassName()).toBe('BatchNormalization');
  } finally {
    model.dispose();
  }
});

test('zero_init_residual in pre-activation blocks starts their last conv at zero', () => {
  const model = build(graphOf('keras/resnet50v2', ['zero_init_residual=true', 'input=[32,32,3]']));
  try {
    const values = (layer: string) => new Set(model.getLayer(layer).getWeights()[0].dataSync());
    expect(values('conv2_block1_3_conv')).toEqual(new Set([0]));
    expect(values('conv2_block1_2_conv').size).toBeGreaterThan(100);
  } finally {
    model.dispose();
  }
});
