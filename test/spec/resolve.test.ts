/** extends, presets, the depth table and --set, and where merged values are said to come from. */
import * as path from 'path';
import { resolveSpec } from '../../src/spec/resolve';
import { graphOf } from '../helpers/compile';

const fixtures = path.join(__dirname, '..', 'fixtures', 'extends');

describe('extends', () => {
  test('lists of objects of the same length merge item by item; other fields deep-merge', () => {
    const { spec } = resolveSpec(path.join(fixtures, 'child.yaml'));
    expect(spec?.stages.map((s) => [s.filters, s.blocks, s.stride])).toEqual([[16, 1, 1], [32, 3, 2]]);
    expect(spec?.head).toMatchObject({ classes: 5, dropout: 0.2 });
  });
  test('a list of another length replaces the list', () => {
    const { spec } = resolveSpec(path.join(fixtures, 'replace.yaml'));
    expect(spec?.stages).toHaveLength(1);
    expect(spec?.stages[0]).toMatchObject({ filters: 8, blocks: 2 });
  });
  test('origins point at the file that wrote each value', () => {
    const { origins } = resolveSpec(path.join(fixtures, 'child.yaml'));
    expect(origins.get('/stages/1/blocks')).toMatchObject({ line: 5 });
    expect(path.basename(origins.get('/stages/1/blocks')?.file ?? '')).toBe('child.yaml');
    expect(path.basename(origins.get('/stages/1/filters')?.file ?? '')).toBe('base.yaml');
  });
});

describe('conventions and families', () => {
  test('the keras preset sets bias, epsilon, momentum, names and stride placement', () => {
    const { spec } = resolveSpec('keras/resnet50');
    expect(spec).toMatchObject({ convBias: 'always', batchNorm: { epsilon: 1.001e-5, momentum: 0.99 }, naming: 'keras', strideAt: '1x1' });
  });
  test('the torchvision preset', () => {
    const { spec } = resolveSpec('resnet50');
    expect(spec).toMatchObject({ convBias: 'never', batchNorm: { epsilon: 1e-5, momentum: 0.9 }, naming: 'torch', strideAt: '3x3', padding: 'auto' });
    expect(spec?.head.activation).toBe('linear');
  });
  test('every preset field can be overridden', () => {
    const { spec } = resolveSpec('resnet50', { sets: ['conv_bias=true', 'batch_norm.epsilon=0.001', 'naming=caffe'] });
    expect(spec).toMatchObject({ convBias: 'always', batchNorm: { epsilon: 0.001, momentum: 0.9 }, naming: 'caffe' });
  });
  test('depth picks block kind and blocks per stage from specs/families.yaml', () => {
    expect(resolveSpec('resnet50', { sets: ['depth=101'] }).spec?.stages.map((s) => s.blocks)).toEqual([3, 4, 23, 3]);
    expect(resolveSpec('resnet50', { sets: ['depth=18'] }).spec?.block).toBe('basic');
    expect(resolveSpec('cifar/resnet20', { sets: ['depth=56'] }).spec?.stages.map((s) => s.blocks)).toEqual([9, 9, 9]);
  });
  test('an explicit field wins over the depth table', () => {
    const { spec } = resolveSpec('resnet50', { sets: ['stages.3.blocks=4'] });
    expect(spec?.stages.map((s) => s.blocks)).toEqual([3, 4, 6, 4]);
  });
  test('--set values are YAML: numbers, booleans, lists', () => {
    const { spec } = resolveSpec('resnet50', { sets: ['out_indices=[2, 4]', 'head.include_top=false', 'input=[128, 128, 3]'] });
    expect(spec).toMatchObject({ outIndices: [2, 4], input: [128, 128, 3] });
    expect(spec?.head.includeTop).toBe(false);
  });
});

describe('the keras-cifar specs are parametrised by depth', () => {
  test.each([20, 56, 110])('resnet_v1 --set depth=%i has (depth-2)/6 blocks per stage', (depth) => {
    expect(graphOf('keras-cifar/resnet_v1', [`depth=${depth}`]).stages.map((s) => s.blocks)).toEqual([1, 1, 1].map(() => (depth - 2) / 6));
  });
});
