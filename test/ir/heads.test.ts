/**
 * `head.layers` and `stem.resize` in the IR: counts from closed forms (the Keras transfer recipe's head on ResNet50 at
 * 224, counted by hand from REFERENCE.md's include_top=false total), shapes, Keras' automatic names and torch's
 * `head.N`, include_top=False without pooling as Keras applications return it, and the rules' exact diagnostics.
 */
import * as path from 'path';
import { classesHint } from '../../src/ir/describe';
import { NodeOf } from '../../src/ir/types';
import { diagnosticsOf, graphOf, graphOfText } from '../helpers/compile';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'heads');
/** REFERENCE.md: keras.applications ResNet50, include_top=False. */
const KERAS_RESNET50_NOTOP = 23_587_712;
/** REFERENCE.md: torchvision resnet50 (25,557,032, BN buffers not counted) less its fc (2048·1000 + 1000). */
const TORCHVISION_RESNET50_NOFC = 25_557_032 - (2048 * 1000 + 1000);

const bn = (c: number) => 4 * c;
const dense = (i: number, o: number) => i * o + o;

describe('the Keras transfer recipe: ResNet50 on 32×32 upsampled ×7, Flatten → BN → Dense 128 → … → Dense 10', () => {
  const g = graphOf(path.join(FIXTURES, 'keras-transfer.yaml'));
  const head = g.head.map((h) => g.nodes.find((n) => n.name === h.node)!);
  const flat = 7 * 7 * 2048;

  test('parameters: the base of REFERENCE.md plus the head counted by hand', () => {
    const byHand = bn(flat) + dense(flat, 128) + bn(128) + dense(128, 64) + bn(64) + dense(64, 10);
    expect(byHand).toBe(401_408 + 12_845_184 + 512 + 8_256 + 256 + 650);
    expect(g.params.total).toBe(KERAS_RESNET50_NOTOP + byHand);
    // Each BN keeps its moving mean and variance (2·C) as non-trainable.
    const notopNonTrainable = 53_120;
    expect(g.params.nonTrainable).toBe(notopNonTrainable + 2 * (flat + 128 + 64));
  });

  test('shapes: 32×32 → 224×224 in the model, a 100,352-wide flatten, 10 outputs', () => {
    const resize = g.nodes.find((n) => n.op === 'resize')!;
    expect([resize.shape, resize.params, resize.macs]).toEqual([[224, 224, 3], { trainable: 0, nonTrainable: 0 }, 0]);
    expect(g.input).toEqual([32, 32, 3]);
    expect(head.map((n) => [n.op, n.shape])).toEqual([
      ['flatten', [flat]], ['batch_norm', [flat]], ['dense', [128]], ['dropout', [128]], ['batch_norm', [128]],
      ['dense', [64]], ['dropout', [64]], ['batch_norm', [64]], ['dense', [10]],
    ]);
    expect(g.outputs).toEqual(['dense_2']);
  });

  test('MACs: the resize adds none; the denses add in·out each', () => {
    const at224 = graphOf('keras/resnet50', ['head.include_top=false']);
    expect(g.macs).toBe(at224.macs + flat * 128 + 128 * 64 + 64 * 10);
  });

  test('Keras names: the unnamed layers get Keras\' automatic names, one counter per class', () => {
    expect(g.nodes[1].name).toBe('up_sampling2d');
    expect(head.map((n) => n.name)).toEqual([
      'flatten', 'batch_normalization', 'dense', 'dropout', 'batch_normalization_1', 'dense_1', 'dropout_1',
      'batch_normalization_2', 'dense_2',
    ]);
  });

  test('the head BNs take their own ε (Keras\' BatchNormalization() default 1e-3), the rest the network\'s', () => {
    const bns = head.filter((n): n is NodeOf<'batch_norm'> => n.op === 'batch_norm');
    expect(bns.map((n) => n.attrs.epsilon)).toEqual([0.001, 0.001, 0.001]);
    expect(bns.map((n) => n.attrs.momentum)).toEqual([0.99, 0.99, 0.99]);
    const conv1Bn = g.nodes.find((n) => n.name === 'conv1_bn') as NodeOf<'batch_norm'>;
    expect(conv1Bn.attrs.epsilon).toBe(1.001e-5);
  });

  test('every head item is a top layer; the classifier is the last dense', () => {
    expect(g.head.every((h) => h.top)).toBe(true);
    expect(g.settings.classes).toBe(10);
  });
});

describe('names under the other schemes, and names given in the spec', () => {
  const spec = (extra: string) => `netspec: 1
extends: resnet18
input: [32, 32, 3]
stem: { resize: { size: [64, 96] } }
head:
  layers:
    - { type: global_avg_pool }
    - { type: dense, units: 32, activation: relu${extra} }
    - { type: dropout, rate: 0.2 }
    - { type: dense, units: 5 }
`;

  test('torch: one nn.Sequential, head.0 … head.3; the resize is upsample; a size is a factor per axis', () => {
    const g = graphOfText(spec(''));
    expect(g.head.map((h) => h.node)).toEqual(['head.0', 'head.1', 'head.2', 'head.3']);
    const resize = g.nodes.find((n) => n.op === 'resize') as NodeOf<'resize'>;
    expect([resize.name, resize.attrs.factor, resize.shape]).toEqual(['upsample', [2, 3], [64, 96, 3]]);
    // torchvision's resnet18 trunk, then 512·32+32 and 32·5+5 (torch's counts leave out the BN buffers).
    expect(g.params.trainable).toBe(11_689_512 - (512 * 1000 + 1000) + dense(512, 32) + dense(32, 5));
  });

  test('an item\'s name replaces the scheme\'s, and in Keras does not advance the automatic counter', () => {
    expect(graphOfText(spec(', name: embedding')).head.map((h) => h.node)).toEqual(['head.0', 'embedding', 'head.2', 'head.3']);
    const keras = graphOfText(`${spec(', name: embedding')}naming: keras\n`);
    expect(keras.head.map((h) => h.node)).toEqual(['global_average_pooling2d', 'embedding', 'dropout', 'dense']);
  });

  test('caffe: head{i}_{type} and data_resize', () => {
    const g = graphOfText(`${spec('')}naming: caffe\n`);
    expect(g.head.map((h) => h.node)).toEqual(['head0_global_avg_pool', 'head1_dense', 'head2_dropout', 'head3_dense']);
    expect(g.nodes[1].name).toBe('data_resize');
  });
});

describe('include_top: false without pooling', () => {
  test('convention keras: the 4-D feature map, as keras.applications.ResNet50(include_top=False) returns', () => {
    const g = graphOf('keras/resnet50', ['head.include_top=false']);
    expect(g.nodes.find((n) => n.name === g.outputs[0])!.shape).toEqual([7, 7, 2048]);
    expect(g.params.total).toBe(KERAS_RESNET50_NOTOP);
    expect(g.head).toEqual([]);
  });

  test('convention keras with pooling: avg is Keras\' pooling="avg": 2048 features', () => {
    const g = graphOf('keras/resnet50', ['head.include_top=false', 'head.pooling=avg']);
    expect(g.nodes.find((n) => n.name === g.outputs[0])!.shape).toEqual([2048]);
  });

  test('convention torchvision keeps the global pool (timm\'s num_classes=0: 2048 features)', () => {
    const g = graphOf('resnet50', ['head.include_top=false']);
    expect(g.nodes.find((n) => n.name === g.outputs[0])!.shape).toEqual([2048]);
    expect(g.params.trainable).toBe(TORCHVISION_RESNET50_NOFC);
  });
});

describe('diagnostics', () => {
  const base = 'netspec: 1\nextends: cifar/resnet20\n';
  const codes = (text: string) => diagnosticsOf(base + text).map((d) => [d.code, d.pointer, d.location?.line]);

  test.each([
    ['a dense layer before any flatten', 'head:\n  layers:\n    - { type: dense, units: 10 }\n', [['semantic/head-layers', '/head/layers/0', 5]]],
    ['two flattens', 'head:\n  layers:\n    - { type: flatten }\n    - { type: global_avg_pool }\n    - { type: dense, units: 10 }\n', [['semantic/head-layers', '/head/layers/1', 6]]],
    ['no classifier', 'head:\n  layers:\n    - { type: flatten }\n', [['semantic/head-layers', '/head/layers', 5]]],
    ['layers with include_top: false', 'head:\n  include_top: false\n  layers:\n    - { type: flatten }\n    - { type: dense, units: 10 }\n', [['semantic/head-layers', '/head/include_top', 4]]],
    ['layers with the fixed head\'s dropout', 'head:\n  dropout: 0.5\n  layers:\n    - { type: flatten }\n    - { type: dense, units: 10 }\n', [['semantic/head-layers', '/head/dropout', 4]]],
    ['layers with a fixed-head name', 'head:\n  names: { fc: logits }\n  layers:\n    - { type: flatten }\n    - { type: dense, units: 10 }\n', [['semantic/head-layers', '/head/names/fc', 4]]],
    ['resize with both factor and size', 'stem:\n  resize: { factor: 2, size: [64, 64] }\n', [['semantic/stem-resize', '/stem/resize', 4]]],
    ['a head too wide to allocate is reported at its widest layer', 'head:\n  layers:\n    - { type: flatten }\n    - { type: dense, units: 100000 }\n    - { type: dense, units: 100000 }\n', [['semantic/too-many-params', '/head/layers/2', 7]]],
    ['resize to a size that is not a multiple', 'stem:\n  resize: { size: [48, 64] }\n', [['semantic/stem-resize', '/stem/resize/size', 4]]],
  ])('%s', (_, text, expected) => {
    expect(codes(text as string)).toEqual(expected);
  });

  test('the schema: a flatten takes no rate, a factor is 2…32', () => {
    const found = diagnosticsOf(`${base}stem:\n  resize: { factor: 1 }\nhead:\n  layers:\n    - { type: flatten, rate: 0.5 }\n    - { type: dense, units: 10 }\n`);
    expect(found.map((d) => [d.code, d.pointer, d.location?.line])).toEqual([
      ['schema/range', '/stem/resize/factor', 4], ['schema/unknown-property', '/head/layers/0/rate', 7],
    ]);
  });

  test('a dense layer needs units, a dropout its rate', () => {
    const found = diagnosticsOf(`${base}head:\n  layers:\n    - { type: flatten }\n    - { type: dropout }\n    - { type: dense }\n`);
    expect(found.map((d) => [d.code, d.pointer, d.message])).toEqual([
      ['semantic/head-layers', '/head/layers/1', 'dropout (item 1) has no rate'],
      ['semantic/head-layers', '/head/layers/2', 'dense layer (item 2) has no units'],
    ]);
  });
});

test('a class count the data does not have: the hint names the head item to change, or head.classes', () => {
  expect(classesHint(graphOf(path.join(FIXTURES, 'small.yaml')), 5)).toBe('set units: 5 on the last dense layer of head.layers (item 7)');
  expect(classesHint(graphOf('cifar/resnet20'), 5)).toBe('add --set head.classes=5');
});
