/**
 * Every registered block kind through every backend and every naming scheme: lowered, counted (the IR against
 * tfjs' own countParams), named (unique names, every role's node present), compiled to tfjs, emitted as TypeScript
 * that type-checks, and output-identical between the emitted and the compiled model. A toy kind registered here,
 * and nowhere in src/, goes through the same checks: adding a kind needs its registry entry and nothing else.
 */
import * as tf from '@tensorflow/tfjs';
import { buildLayersModel } from '../../../src/backends/tfjs';
import { DropPath } from '../../../src/backends/tfjs/layers';
import { emitTypeScript } from '../../../src/backends/typescript';
import { BlockKindDescriptor } from '../../../src/ir/blocks/descriptor';
import { blockKinds } from '../../../src/ir/blocks/registry';
import { lowerSpec } from '../../../src/ir/lower';
import { roleKey } from '../../../src/ir/roles';
import { IRGraph, NodeOf } from '../../../src/ir/types';
import { resolveSpecText } from '../../../src/spec/resolve';
import { NamingScheme } from '../../../src/spec/types';
import { builderOf, copyWeightsByName, graphFacts, layerConfigs, layerFacts, loadModule, outputsOf, perturbWeights, sortedFacts, useCpuBackend } from './harness';
import { typeErrors } from './typecheck';

/** Three units, the stride on the middle 1×1, twice as wide at the end: no built-in kind looks like it. */
const toy: BlockKindDescriptor = {
  name: 'toy_sandwich',
  summary: 'Toy block: k×k, 1×1 and k×k conv–BN units with ReLU between them, ReLU after the sum with the shortcut.',
  units: [
    { kernel: 'k', grouped: false, dilated: true },
    { kernel: 1, grouped: false, dilated: false },
    { kernel: 'k', grouped: false, dilated: true },
  ],
  strideUnit: { '1x1': 1, '3x3': 1 },
  activation: 'post',
  residual: true,
  widths: 'uniform',
  expansion: 2,
  attention: true,
  emit: { fn: 'toySandwichBlock' },
};

blockKinds.register(toy);
afterAll(() => blockKinds.unregister(toy.name));
useCpuBackend();

const schemes: Record<NamingScheme, string> = { keras: 'keras', torch: 'torchvision', caffe: 'caffe' };

/** A small two-stage net of `kind`, with every option the kind supports switched on. */
function graphOfKind(kind: string, scheme: NamingScheme): IRGraph {
  const k = blockKinds.get(kind);
  const text = `netspec: 1
name: ${kind}_${scheme}
convention: ${schemes[scheme]}
input: [16, 16, 3]
stem: { filters: 8, kernel: 3 }
block: basic
kernel_size: ${k.units.some((u) => u.kernel === 'k') ? 5 : 3}
drop_path_rate: 0.2
stages: [{ blocks: 2, filters: 8 }, { blocks: 2, filters: 16, stride: 2 }]
head: { classes: 5 }
`;
  const { spec, diagnostics } = resolveSpecText(text, `${kind}.yaml`);
  if (!spec) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  // The toy kind is not in the schema's enum: set it on the resolved spec, past validation.
  const { graph, diagnostics: lowering } = lowerSpec({ ...spec, block: kind, attention: k.attention ? 'se' : 'none', seRatio: 0.25 });
  if (!graph) throw new Error(lowering.map((d) => d.message).join('\n'));
  return graph;
}

const cases = blockKinds.names().flatMap((kind) => (Object.keys(schemes) as NamingScheme[]).map((scheme) => [kind, scheme] as const));
const graphs = new Map(cases.map(([kind, scheme]) => [`${kind}/${scheme}`, graphOfKind(kind, scheme)]));
const sources = Object.fromEntries([...graphs].map(([key, g]) => [key.replace('/', '_'), emitTypeScript(g, { source: `${key}.yaml` })]));

test('the toy kind is registered next to every built-in kind', () => {
  expect(blockKinds.names()).toEqual(expect.arrayContaining(['basic', 'bottleneck', 'preact_basic', 'preact_bottleneck', 'plain', toy.name]));
});

test('every module type-checks under strict mode, and the toy kind gets its own block function', () => {
  expect(typeErrors(sources)).toEqual([]);
  expect(sources[`${toy.name}_torch`]).toContain('function toySandwichBlock(x: tf.SymbolicTensor, args: BlockArgs)');
});

test('DropPath drops whole samples with probability rate while training, scales the kept ones, and is the identity otherwise', () => {
  const layer = new DropPath({ rate: 0.25, name: 'dp' });
  const x = tf.ones([4000, 2, 2, 1]);
  const trained = layer.apply(x, { training: true }) as tf.Tensor;
  const values = trained.dataSync();
  const perSample = Array.from({ length: 4000 }, (_, i) => values[4 * i]);
  expect(perSample.every((v, i) => [0, 4 / 3].some((e) => Math.abs(v - e) < 1e-6) && values.slice(4 * i, 4 * i + 4).every((w) => w === v))).toBe(true);
  const dropped = perSample.filter((v) => v === 0).length / 4000;
  expect(dropped).toBeGreaterThan(0.22);
  expect(dropped).toBeLessThan(0.28);
  expect(Array.from((layer.apply(x) as tf.Tensor).dataSync()).every((v) => v === 1)).toBe(true);
  tf.dispose([x, trained]);
});

describe.each(cases)('%s blocks, %s names', (kind, scheme) => {
  const graph = graphs.get(`${kind}/${scheme}`)!;
  const descriptor = blockKinds.get(kind);

  test('lowered from the descriptor: units in order, stride on the descriptor\'s unit, kernel size applied', () => {
    const block = graph.blocks.find((b) => b.stage === 1 && b.index === 0)!;
    const convs = block.roles.filter((r) => r.role.kind === 'conv').map((r) => graph.nodes.find((n) => n.name === r.node) as NodeOf<'conv2d'>);
    expect(convs.map((c) => c.attrs.kernel)).toEqual(descriptor.units.map((u) => (u.kernel === 1 ? 1 : 5)));
    expect(convs.map((c) => c.attrs.strides)).toEqual(descriptor.units.map((_, i) => (i === descriptor.strideUnit[block.strideAt] ? 2 : 1)));
    expect(block.shortcut.chosen === 'none').toBe(!descriptor.residual);
    // The options are really there: SE where the kind has the slot, drop-path on every residual block but the first.
    expect(graph.nodes.some((n) => n.scope.role.kind === 'attn_fc1')).toBe(descriptor.attention);
    expect(graph.nodes.filter((n) => n.op === 'drop_path')).toHaveLength(descriptor.residual ? 3 : 0);
  });

  test('named: unique names, and each block role points at a node of that block', () => {
    const names = graph.nodes.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
    for (const b of graph.blocks) {
      expect(b.roles.map((r) => r.node)).toEqual(b.nodes);
      expect(new Set(b.roles.map((r) => roleKey(r.role))).size).toBe(b.roles.length);
    }
  });

  test('compiled and emitted: the same layers, parameter counts and outputs', () => {
    const compiled = buildLayersModel(graph);
    const emitted = builderOf(loadModule(sources[`${kind}_${scheme}`]), graph)();
    expect(compiled.countParams()).toBe(graph.params.total);
    expect(sortedFacts(emitted)).toEqual(graphFacts(graph));
    expect(layerFacts(emitted)).toEqual(layerFacts(compiled));
    expect(JSON.parse(JSON.stringify(layerConfigs(emitted)))).toEqual(JSON.parse(JSON.stringify(layerConfigs(compiled))));
    perturbWeights(compiled);
    copyWeightsByName(compiled, emitted);
    const x = tf.randomNormal([2, ...graph.input], 0, 1, 'float32', 5);
    const expected = outputsOf(compiled, x);
    expect(outputsOf(emitted, x)).toEqual(expected);
    expect(expected.flat().every(Number.isFinite)).toBe(true);
    compiled.dispose();
    emitted.dispose();
  });
});
