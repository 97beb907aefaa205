/**
 * The block kinds and options added through the registry, against published numbers (../shared/REFERENCE.md: timm
 * and He et al. 2015), timm's state-dict keys written out from timm's module structure, closed-form counts, and the
 * deeplearning.ai ResNet-50 assignment's shapes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { blockKinds, BlockKindRegistry } from '../../src/ir/blocks/registry';
import { ecaKernel, seChannels } from '../../src/ir/blocks/attention';
import { IRGraph, NodeOf } from '../../src/ir/types';
import { specsDir } from '../../src/spec/builtins';
import { diagnosticsOf, graphOf, graphOfText } from '../helpers/compile';

/** torch's parameters(): Keras counts BN moving statistics as (non-trainable) parameters, torch does not. */
const torchParams = (g: IRGraph) => g.params.trainable;
const weightNames = (g: IRGraph) => g.nodes.filter((n) => ['conv2d', 'batch_norm', 'dense'].includes(n.op)).map((n) => n.name).sort();

describe('published counts (timm, REFERENCE.md)', () => {
  test.each([
    ['seresnet50', 28_088_024],
    ['seresnext50_32x4d', 27_559_896],
    ['resnet50d', 25_576_264],
    ['plain/plain18', 11_515_688],
    ['plain/plain34', 21_623_848],
  ])('%s has %d parameters', (name, params) => {
    expect(torchParams(graphOf(name))).toBe(params);
  });

  test('timm make_divisible(C / 16, 8): 256 → 16, 2048 → 128; small widths stay at 8; 100 → 8 (6.25 rounds down)', () => {
    expect([64, 100, 256, 512, 1024, 2048, 200].map((c) => seChannels(c, 1 / 16))).toEqual([8, 8, 16, 32, 64, 128, 16]);
  });
});

describe('timm itself (test/fixtures/timm/modules.json, written by scripts/timm-modules.py from timm 1.0.29)', () => {
  const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'timm', 'modules.json'), 'utf8')) as Record<string, { params: number; modules: string[] }>;
  const graphs: Record<string, () => IRGraph> = {
    resnet50: () => graphOf('resnet50'),
    resnet50d: () => graphOf('resnet50d'),
    seresnet50: () => graphOf('seresnet50'),
    seresnext50_32x4d: () => graphOf('seresnext50_32x4d'),
    ecaresnet50d: () => graphOfText('netspec: 1\nname: ecaresnet50d\nextends: resnet50d\nattention: eca\n'),
  };

  test.each(Object.keys(graphs))('%s: timm\'s parameter count and exactly timm\'s weight-bearing module names', (name) => {
    const g = graphs[name]();
    expect(torchParams(g)).toBe(fixture[name].params);
    // ECA's conv is netspec's channel_conv; every other module is a conv, BN or the classifier.
    const names = g.nodes.filter((n) => ['conv2d', 'batch_norm', 'dense', 'channel_conv'].includes(n.op)).map((n) => n.name).sort();
    expect(names).toEqual(fixture[name].modules);
  });

  test('ECA kernels follow timm: 3 for 64 channels, 5 for 256…1024, 7 for 2048', () => {
    expect([64, 256, 512, 1024, 2048].map(ecaKernel)).toEqual([3, 5, 5, 5, 7]);
  });
});

describe('timm state-dict names', () => {
  /** timm's ResNet modules for layers [3, 4, 6, 3] of Bottleneck, as its constructor loops create them. */
  const timmKeys = (opts: { deepStem: boolean; avgDown: boolean; se: boolean }) => {
    const keys = opts.deepStem ? ['conv1.0', 'conv1.1', 'conv1.3', 'conv1.4', 'conv1.6', 'bn1'] : ['conv1', 'bn1'];
    [3, 4, 6, 3].forEach((blocks, s) => {
      for (let b = 0; b < blocks; b++) {
        const p = `layer${s + 1}.${b}`;
        keys.push(`${p}.conv1`, `${p}.bn1`, `${p}.conv2`, `${p}.bn2`, `${p}.conv3`, `${p}.bn3`);
        if (opts.se) keys.push(`${p}.se.fc1`, `${p}.se.fc2`);
        if (b === 0) keys.push(...(opts.avgDown ? [`${p}.downsample.1`, `${p}.downsample.2`] : [`${p}.downsample.0`, `${p}.downsample.1`]));
      }
    });
    return [...keys, 'fc'].sort();
  };

  test('seresnet50 and seresnext50_32x4d have exactly timm\'s weight-bearing modules', () => {
    expect(weightNames(graphOf('seresnet50'))).toEqual(timmKeys({ deepStem: false, avgDown: false, se: true }));
    expect(weightNames(graphOf('seresnext50_32x4d'))).toEqual(timmKeys({ deepStem: false, avgDown: false, se: true }));
  });

  test('resnet50d numbers avg_down from its pool: downsample.1 is the conv also where the pool is an identity', () => {
    const g = graphOf('resnet50d');
    expect(weightNames(g)).toEqual(timmKeys({ deepStem: true, avgDown: true, se: false }));
    const byName = new Map(g.nodes.map((n) => [n.name, n]));
    // layer1 keeps its size: timm's pool is nn.Identity there, so netspec has no pool layer but still conv = .1.
    expect(byName.has('layer1.0.downsample.0')).toBe(false);
    expect(byName.get('layer2.0.downsample.0')?.op).toBe('avg_pool');
    expect(byName.get('layer1.0.downsample.1')?.op).toBe('conv2d');
  });

  test('the SE convs carry a bias although the torchvision convention has none elsewhere', () => {
    const g = graphOf('seresnet50');
    const fc1 = g.nodes.find((n) => n.name === 'layer4.2.se.fc1') as NodeOf<'conv2d'>;
    expect([fc1.attrs.filters, fc1.attrs.kernel, fc1.attrs.useBias, fc1.params.trainable]).toEqual([128, 1, true, 2048 * 128 + 128]);
    expect((g.nodes.find((n) => n.name === 'layer4.2.conv3') as NodeOf<'conv2d'>).attrs.useBias).toBe(false);
  });
});

describe('plain nets (He et al. 2015, the degradation experiment)', () => {
  /** Closed form: stem conv + BN, two 3×3 conv + BN per block, the classifier; torch's count (BN: 2 per channel). */
  const plainParams = (stem: { k: number; c: number }, widths: number[], blocks: number[], classes: number) => {
    let p = stem.k * stem.k * 3 * stem.c + 2 * stem.c;
    let inC = stem.c;
    widths.forEach((c, s) => {
      for (let b = 0; b < blocks[s]; b++) {
        p += 9 * inC * c + 2 * c + 9 * c * c + 2 * c;
        inC = c;
      }
    });
    return p + inC * classes + classes;
  };

  test.each([20, 32, 44, 56])('plain%d: 3 stages of (depth − 2) / 6 plain blocks, no shortcut layer at all', (depth) => {
    const g = graphOf(`plain/plain${depth}`);
    const n = (depth - 2) / 6;
    expect(torchParams(g)).toBe(plainParams({ k: 3, c: 16 }, [16, 32, 64], [n, n, n], 10));
    // Equal to the option-A ResNet of the same depth: option A has no parameters.
    expect(torchParams(g)).toBe(torchParams(graphOf(`cifar/resnet${depth}`)));
    expect(g.nodes.filter((n) => n.op === 'add' || n.op === 'subsample_pad')).toEqual([]);
    expect(g.blocks.every((b) => b.shortcut.chosen === 'none')).toBe(true);
  });

  test.each([['plain18', [2, 2, 2, 2]], ['plain34', [3, 4, 6, 3]]] as const)('%s matches the closed form', (name, blocks) => {
    expect(torchParams(graphOf(`plain/${name}`))).toBe(plainParams({ k: 7, c: 64 }, [64, 128, 256, 512], [...blocks], 1000));
  });

  test('conv counts: plain-34 has 33 convs and one classifier (34 weighted layers)', () => {
    const g = graphOf('plain/plain34');
    expect(g.nodes.filter((n) => n.op === 'conv2d')).toHaveLength(33);
  });
});

describe('deeplearning.ai ResNet-50 (Course 4, week 2 assignment)', () => {
  // The assignment's ResNet50(input_shape=(64, 64, 3), classes=6): ZeroPadding2D(3), conv 7×7/2, BN, ReLU,
  // MaxPooling2D((3, 3), strides=(2, 2)) without padding, stages [3, 4, 6, 3] with the stride on the first 1×1,
  // AveragePooling2D((2, 2)), Flatten, Dense(6, softmax, name='fc6'); Keras layer defaults (conv bias, BN ε 1e-3).
  const spec = `netspec: 1
name: dlai_resnet50
extends: base/imagenet
convention: caffe
depth: 50
conv_bias: always
batch_norm: { epsilon: 0.001, momentum: 0.99 }
padding: same
input: [64, 64, 3]
stem: { pool_padding: valid }
head: { pooling: avg, pool_size: 2, classes: 6, activation: softmax }
`;
  const g = graphOfText(spec);
  const byName = new Map(g.nodes.map((n) => [n.name, n]));

  test('stage 2 is 15×15 (the unpadded 3×3/2 pool of a 32×32 map), then 8, 4, 2', () => {
    expect(byName.get('pool1')?.shape).toEqual([15, 15, 64]);
    expect(g.stages.map((s) => s.outputShape)).toEqual([[15, 15, 256], [8, 8, 512], [4, 4, 1024], [2, 2, 2048]]);
    expect(byName.has('pool1_pad')).toBe(false);
  });

  test('Caffe names as the assignment writes them', () => {
    for (const name of ['conv1', 'bn_conv1', 'res2a_branch2a', 'bn2a_branch2a', 'res2a_branch1', 'bn2a_branch1', 'res5c_branch2c', 'fc6']) {
      expect(byName.has(name)).toBe(true);
    }
  });

  test('23,600,006 parameters, as the assignment\'s model.summary()', () => {
    expect(g.params.total).toBe(23_600_006);
  });
});

describe('kernel size, head names, stochastic depth', () => {
  const tiny = (extra: string, { block = 'bottleneck', head = '{ classes: 10 }' } = {}) => `netspec: 1
name: tiny
convention: torchvision
input: [32, 32, 3]
stem: { filters: 8, kernel: 3 }
block: ${block}
stages: [{ blocks: 2, filters: 8 }, { blocks: 2, filters: 16, stride: 2 }]
head: ${head}
${extra}`;

  test('kernel_size sets the middle conv of a bottleneck (the assignment\'s f): 5×5 weights, same output shape', () => {
    const g = graphOfText(tiny('kernel_size: 5'));
    const conv2 = g.nodes.find((n) => n.name === 'layer1.0.conv2') as NodeOf<'conv2d'>;
    expect([conv2.attrs.kernel, conv2.params.trainable, conv2.shape]).toEqual([5, 5 * 5 * 8 * 8, [32, 32, 8]]);
    expect((g.nodes.find((n) => n.name === 'layer1.0.conv1') as NodeOf<'conv2d'>).attrs.kernel).toBe(1);
  });

  test('head.names replaces the scheme\'s name of a head layer', () => {
    const g = graphOfText(tiny('', { head: '{ classes: 10, names: { fc: logits, avg_pool: gap } }' }));
    expect(g.nodes.slice(-2).map((n) => n.name)).toEqual(['gap', 'logits']);
  });

  test('drop_path_rate rises linearly over the blocks from 0 (timm) and adds no parameters', () => {
    const without = graphOfText(tiny(''));
    const g = graphOfText(tiny('drop_path_rate: 0.3'));
    expect(g.blocks.map((b) => b.dropPath)).toEqual([0, 0.1, 0.2, 0.3].map((r) => expect.closeTo(r, 12)));
    expect(g.params).toEqual(without.params);
    expect(g.nodes.filter((n) => n.op === 'drop_path').map((n) => n.name)).toEqual(['layer1.1.drop_path', 'layer2.0.drop_path', 'layer2.1.drop_path']);
  });

  test('attention on a kind without an attention slot is a located error', () => {
    const diagnostics = diagnosticsOf(tiny('attention: se', { block: 'preact_bottleneck' }));
    expect(diagnostics.map((d) => [d.code, d.pointer, d.location?.line])).toEqual([['semantic/attention', '/attention', 9]]);
  });
});

describe('the registry', () => {
  test('a name registered twice is an error', () => {
    const r = new BlockKindRegistry([blockKinds.get('basic')]);
    expect(() => r.register({ ...blockKinds.get('basic'), emit: { fn: 'otherBlock' } })).toThrow(/registered twice/);
  });

  test('the schema offers exactly the registered kinds, at every level', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(specsDir, 'netspec.schema.json'), 'utf8'));
    for (const at of [schema.properties, schema.$defs.stage.properties, schema.$defs.blockOverride.properties]) {
      expect([...at.block.enum].sort()).toEqual(blockKinds.names().sort());
    }
  });
});
