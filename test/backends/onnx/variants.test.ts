/**
 * The export's options and the shortcut kinds the built-ins do not all have, against tfjs' outputs in
 * onnxruntime-node: grouped convs (`group`), avg-down and max-pool shortcuts, option A, BN folding, NCHW input,
 * feature-map outputs, frozen stages; explicit pads only.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/runtime/backend';
import { inferenceModel } from '../../../src/backends/tfjs/inference';
import { tf } from '../../../src/runtime/tf';
import { IRGraph } from '../../../src/ir/types';
import { ModelProto } from '../../../src/backends/onnx/proto';
import { build, graphOf, graphOfText, randomInput } from '../tfjs/support/models';
import { exportModel, relativeDiff, runOnnx, seededWeights } from './support';

const TOLERANCE = 1e-4;

const resnextAvgDown = `
netspec: 1
name: resnext-avgdown
convention: torchvision
input: [40, 40, 3]
block: bottleneck
stem: { filters: 16, kernel: 3, stride: 2 }
stages:
  - { blocks: 1, filters: [16, 16, 32], stride: 2, groups: 4, shortcut: avg_down }
  - { blocks: 2, filters: [32, 32, 64], stride: 2, groups: 8 }
head: { pooling: avg, classes: 5 }
`;

beforeAll(async () => {
  await selectBackend({ backend: 'auto' });
});

function predictions(model: LayersModel, x: Tensor): Float32Array[] {
  return ([model.predict(x)].flat() as Tensor[]).map((t) => t.dataSync() as Float32Array);
}

type Case = [string, () => IRGraph, { inference?: boolean; layout?: 'nhwc' | 'nchw' }];
const cases: Case[] = [
  ['ResNeXt with avg-down shortcuts (group, AveragePool)', () => graphOfText(resnextAvgDown), {}],
  ['the same, BN folded', () => graphOfText(resnextAvgDown), { inference: true }],
  ['cifar/resnet20 (option A), BN folded', () => graphOf('cifar/resnet20'), { inference: true }],
  ['keras/resnet50v2 (max-pool shortcuts), NCHW', () => graphOf('keras/resnet50v2', ['input=[48,48,3]', 'head.activation=linear']), { layout: 'nchw' }],
  ['resnet18 with feature-map outputs and a frozen stage', () => graphOf('resnet18', ['input=[48,48,3]', 'out_indices=[1,3]', 'frozen_stages=1']), {}],
  ['resnet18 with feature-map outputs, NCHW', () => graphOf('resnet18', ['input=[48,48,3]', 'out_indices=[2]']), { layout: 'nchw' }],
];

test.each(cases)('%s', (_label, graphFn, { inference = false, layout = 'nhwc' }) => {
  const graph = graphFn();
  const model = build(graph);
  seededWeights(model);
  const exported = inference ? inferenceModel(model) : model;
  const x = randomInput(graph, 2);
  const expected = predictions(model, x);
  const bytes = exportModel(graph, exported, layout);
  const input = layout === 'nchw' ? tf.transpose(x, [0, 3, 1, 2]) : x;
  const actual = runOnnx(bytes, input);
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, i) => {
    // Feature maps come back in the layout asked for.
    const shape = [model.outputs[i].shape].flat() as number[];
    const ref = layout === 'nchw' && shape.length === 4 ? tf.transpose(tf.tensor(e, [2, ...shape.slice(1)]), [0, 3, 1, 2]).dataSync() : e;
    expect(relativeDiff(actual[i], ref)).toBeLessThanOrEqual(TOLERANCE);
  });

  const decoded = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as {
    graph: { node: Array<{ opType: string; attribute?: Array<{ name: string; i?: number }> }> };
  };
  const nodes = decoded.graph.node;
  expect(nodes.flatMap((n) => n.attribute ?? []).map((a) => a.name)).not.toContain('auto_pad');
  const groups = nodes.filter((n) => n.opType === 'Conv').map((n) => n.attribute!.find((a) => a.name === 'group')?.i ?? 1);
  const irGroups = graph.nodes.flatMap((n) => (n.op === 'conv2d' ? [n.attrs.groups] : []));
  // Folding removes batch norms, never convs: one ONNX Conv per IR conv, with its groups.
  expect(groups).toEqual(irGroups);
  const bnCount = nodes.filter((n) => n.opType === 'BatchNormalization').length;
  if (inference) expect(bnCount).toBeLessThan(graph.nodes.filter((n) => n.op === 'batch_norm').length);
  else expect(bnCount).toBe(graph.nodes.filter((n) => n.op === 'batch_norm').length);
  if (exported !== model) exported.dispose();
  model.dispose();
});
