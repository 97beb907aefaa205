/**
 * Specs no built-in exercises, each emitted, type-checked under strict mode, run, and compared with the IR and with
 * the tfjs backend's model (layer order, configs, outputs for the same weights): grouped convs, Caffe names with
 * numbered blocks, ResNet-C/D stems and shortcuts, frozen stages, extra outputs, dilation, forced shortcuts,
 * per-block overrides, mixed block kinds, zero-init residuals, explicit padding with torch names, pre-activation
 * option-A nets, heads without a classifier or with dropout and max pooling, ECA, squeeze-and-excitation with Keras
 * names and stochastic depth, `head.layers` heads (BNs with their own ε, dense relu layers) after an in-model resize.
 */
import * as tf from '@tensorflow/tfjs';
import { buildLayersModel } from '../../../src/backends/tfjs';
import { emitTypeScript } from '../../../src/backends/typescript';
import { compileSpecText } from '../../../src/ir/compile';
import { IRGraph } from '../../../src/ir/types';
import { graphOfText } from '../../helpers/compile';
import { builderOf, copyWeightsByName, graphFacts, layerConfigs, layerFacts, loadModule, outputsOf, perturbWeights, sortedFacts, useCpuBackend } from './harness';
import { typeErrors } from './typecheck';

const base = (name: string, extra: string) => `netspec: 1\nname: ${name}\ninput: [32, 32, 3]\n${extra}`;

export const variants: Record<string, string> = {
  grouped: base('tiny_resnext', `convention: torchvision
stem: { filters: 16, kernel: 3 }
block: bottleneck
groups: 4
base_width: 8
stages: [{ blocks: 2, filters: 16 }, { blocks: 2, filters: 32, stride: 2 }]
head: { classes: 10 }`),
  caffeNumbered: base('caffe_deep', `convention: caffe
stem: { filters: 8, kernel: 3 }
block: basic
stages: [{ blocks: 2, filters: 8 }, { blocks: 7, filters: 16, stride: 2 }]
head: { classes: 10 }`),
  resnetCD: base('resnet_cd', `convention: torchvision
stem: { filters: 16, kernel: 3, stride: 2, deep: true, pool: max }
block: bottleneck
shortcut: avg_down
frozen_stages: 1
out_indices: [1, 2]
stages: [{ blocks: 2, filters: 8 }, { blocks: 2, filters: 16, stride: 2 }, { blocks: 1, filters: 32, stride: 2 }]
head: { classes: 10, dropout: 0.2 }`),
  dilated: base('dilated', `convention: torchvision
input: [64, 64, 3]
stem: { filters: 16, kernel: 7, stride: 2, pool: max }
block: basic
output_stride: 8
stages: [{ blocks: 1, filters: 16 }, { blocks: 2, filters: 32, stride: 2 }, { blocks: 2, filters: 32, stride: 2 }, { blocks: 2, filters: 64, stride: 2 }]
head: { classes: 10 }`).replace('input: [32, 32, 3]\n', ''),
  overrides: base('irregular', `convention: keras
stem: { filters: 16, kernel: 3 }
block: bottleneck
stages:
  - { blocks: 2, filters: 8, block: basic }
  - blocks: 3
    filters: 16
    stride: 2
    overrides: { 1: { shortcut: projection }, 2: { filters: [8, 8, 64], stride: 2, shortcut: option_a } }
head: { classes: 10, pooling: max }`),
  zeroInit: base('zero_init', `convention: torchvision
zero_init_residual: true
stem: { filters: 16, kernel: 3 }
block: basic
stages: [{ blocks: 2, filters: 16 }, { blocks: 2, filters: 32, stride: 2, block: preact_basic }]
head: { classes: 10 }`),
  preactTorchExplicit: base('preact_torch', `convention: torchvision
padding: explicit
stem: { filters: 16, kernel: 3, norm: false }
block: preact_bottleneck
downsample_at: last
shortcut: maxpool
stages: [{ blocks: 2, filters: 8, stride: 2 }, { blocks: 3, filters: 16, stride: 2 }, { blocks: 1, filters: 32 }]
head: { norm: true, classes: 10, activation: sigmoid }`),
  preactOptionA: base('preact_cifar', `convention: keras
stem: { filters: 16, kernel: 3 }
block: preact_basic
shortcut: option_a
stages: [{ blocks: 2, filters: 16 }, { blocks: 2, filters: 32, stride: 2 }]
head: { norm: true, include_top: false, pooling: none }`),
  eca: base('tiny_eca', `convention: torchvision
stem: { filters: 16, kernel: 3 }
block: bottleneck
attention: eca
stages: [{ blocks: 2, filters: 16 }, { blocks: 2, filters: 32, stride: 2 }]
head: { classes: 10 }`),
  seKerasNames: base('tiny_se_keras', `convention: keras
stem: { filters: 16, kernel: 3 }
block: basic
attention: se
se_ratio: 0.25
drop_path_rate: 0.1
stages: [{ blocks: 2, filters: 16 }, { blocks: 2, filters: 32, stride: 2 }]
head: { classes: 10 }`),
  biasNoNorm: base('bias_no_norm', `convention: torchvision
conv_bias: always
shortcut: { kind: projection, norm: false }
stem: { filters: 16, kernel: 3 }
block: bottleneck
stages: [{ blocks: 2, filters: 8, stride_at: 1x1 }, { blocks: 2, filters: 16, stride: 2 }]
head: { classes: 10 }`),
  headLayersKeras: base('head_layers_keras', `convention: keras
input: [16, 16, 3]
stem: { filters: 16, kernel: 3, resize: { factor: 2 } }
block: basic
stages: [{ blocks: 1, filters: 16 }, { blocks: 1, filters: 32, stride: 2 }]
head:
  layers:
    - { type: flatten }
    - { type: batch_norm, epsilon: 0.001 }
    - { type: dense, units: 10, activation: relu }
    - { type: dropout, rate: 0.5 }
    - { type: batch_norm, epsilon: 0.001 }
    - { type: dense, units: 10, activation: softmax }`).replace('input: [32, 32, 3]\n', ''),
  headLayersTorch: base('head_layers_torch', `convention: torchvision
stem: { filters: 16, kernel: 3, resize: { size: [64, 32], interpolation: bilinear } }
block: basic
stages: [{ blocks: 1, filters: 16, stride: 2 }, { blocks: 1, filters: 32, stride: 2 }]
head:
  layers:
    - { type: batch_norm }
    - { type: global_max_pool }
    - { type: dense, units: 24, use_bias: false }
    - { type: relu, name: embedding_relu }
    - { type: dense, units: 5 }`),
};

useCpuBackend();

const graphs = Object.fromEntries(Object.entries(variants).map(([k, text]) => [k, graphOfText(text)])) as Record<string, IRGraph>;
const sources = Object.fromEntries(Object.entries(graphs).map(([k, g]) => [k, emitTypeScript(g, { source: `${k}.yaml` })]));

test('every variant\'s module type-checks under strict mode', () => {
  expect(typeErrors(sources)).toEqual([]);
});

test.each(Object.keys(variants))('%s: the emitted model is the compiled one, outputs included', (key) => {
  const graph = graphs[key];
  const emitted = builderOf(loadModule(sources[key]), graph)();
  const compiled = buildLayersModel(graph);
  expect(sortedFacts(emitted)).toEqual(graphFacts(graph));
  expect(layerFacts(emitted)).toEqual(layerFacts(compiled));
  expect(JSON.parse(JSON.stringify(layerConfigs(emitted)))).toEqual(JSON.parse(JSON.stringify(layerConfigs(compiled))));
  perturbWeights(compiled);
  copyWeightsByName(compiled, emitted);
  const x = tf.randomNormal([2, ...graph.input], 0, 1, 'float32', 11);
  const expected = outputsOf(compiled, x);
  expect(outputsOf(emitted, x)).toEqual(expected);
  expect(expected.flat().every(Number.isFinite)).toBe(true);
  compiled.dispose();
  emitted.dispose();
});

test('with extra outputs, includeTop: false drops the classifier and keeps the pooled output', () => {
  const { graph } = compileSpecText(variants.resnetCD, 'resnet_cd.yaml', { sets: ['head.include_top=false'] });
  const model = builderOf(loadModule(sources.resnetCD), graphs.resnetCD)({ includeTop: false });
  expect(sortedFacts(model)).toEqual(graphFacts(graph!));
  // out_indices [1, 2], then the global pooling.
  expect(model.outputs.map((o) => o.shape.slice(1))).toEqual([[8, 8, 32], [4, 4, 64], [128]]);
  model.dispose();
});
