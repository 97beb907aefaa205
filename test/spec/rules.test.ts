/**
 * Every rule of the ordered indexes (src/spec/rules/index.ts, train.ts, depth.ts, shortcut-channels.ts) and the
 * resource limits: one valid and one invalid row each, asserting the exact list of codes and
 * positions. All rows use `--set` on a built-in, so a position is `<command line>:<set number>:<column of the
 * value>` = the length of `key=` plus one, counted here rather than taken from the code.
 */
import { compileSpec } from '../../src/ir/compile';
import { semanticRules } from '../../src/spec/rules';
import { depthRules } from '../../src/spec/rules/depth';
import { shortcutRules } from '../../src/spec/rules/shortcut-channels';
import { trainRules } from '../../src/spec/rules/train';

type Expected = [code: string, set: number];
const at = (sets: string[], n: number) => sets[n - 1].indexOf('=') + 2;

const invalid: [rule: string, spec: string, sets: string[], expected: Expected[]][] = [
  ['channels-first', 'resnet18', ['input=[3, 224, 224]'], [['spec/channels-first', 1]]],
  ['filters-arity', 'resnet50', ['stages.0.filters=[64, 64]'], [['semantic/filters-arity', 1]]],
  ['groups (basic blocks take no groups)', 'resnet18', ['groups=2'], [['semantic/groups', 1]]],
  ['groups (basic blocks take no base_width)', 'resnet18', ['base_width=32'], [['semantic/groups', 1]]],
  ['stage-index (out_indices)', 'resnet50', ['out_indices=[5]'], [['semantic/stage-index', 1]]],
  ['stage-index (override block)', 'resnet50', ['stages.0.overrides={9: {stride: 2}}'], [['semantic/stage-index', 1]]],
  ['output-stride (cannot be reached)', 'resnet50', ['stages.3.stride=4', 'output_stride=32'], [['semantic/output-stride', 2]]],
  ['stem-filters', 'resnet50', ['stem.deep=true', 'stem.filters=[32, 64]'], [['semantic/stem-filters', 2]]],
  ['head-pooling', 'resnet50', ['head.pooling=none', 'head.pool_size=7'], [['semantic/head-pooling', 2]]],
  ['head-layers', 'resnet50', ['head.layers=[{type: dense, units: 10}]'], [['semantic/head-layers', 1]]],
  ['stem-resize', 'resnet50', ['stem.resize={size: [200, 300]}'], [['semantic/stem-resize', 1]]],
  ['attention', 'keras/resnet50v2', ['attention=se'], [['semantic/attention', 1]]],
  ['train-relations: factors-length', 'resnet50', ['train.schedule.factors=[0.1]'], [['train/factors-length', 1]]],
  ['train-relations: milestones-order', 'resnet50', ['train.schedule.milestones=[5, 5, 6, 7]'], [['train/milestones-order', 1]]],
  ['train-relations: shift-and-pad-crop', 'resnet50', ['train.augment.shift=0.1', 'train.augment.pad_crop=4'], [['train/shift-and-pad-crop', 2]]],
  ['train-relations: range-order', 'resnet50', ['train.augment.erasing.aspect=[2, 1]'], [['train/range-order', 1]]],
  ['train-relations: warmup-too-long', 'resnet50', ['train.warmup.epochs=300'], [['train/warmup-too-long', 1]]],
  ['train-relations: checkpoint-pattern', 'resnet50', ['train.checkpoint.pattern=last.ckpt'], [['train/checkpoint-pattern', 1]]],
  ['depth-rule (6n+2)', 'cifar/resnet20', ['depth=21'], [['semantic/depth-rule', 1]]],
  ['depth-table: depth-not-in-table', 'resnet50', ['family=imagenet', 'depth=51'], [['semantic/depth-not-in-table', 2]]],
  ['depth-table: depth-stage-count', 'resnet50', ['depth=50', 'stages=[{blocks: 1, filters: 64}, {blocks: 1, filters: 64}]'], [['semantic/depth-stage-count', 1]]],
  ['depth-family: unknown-family', 'resnet50', ['family=cifarr'], [['semantic/unknown-family', 1]]],
  ['depth-family: depth-without-family', 'resnet50', ['family=null', 'depth=50'], [['semantic/depth-without-family', 2]]],
  ['shortcut: identity-shortcut', 'resnet50', ['stages.1.overrides={0: {shortcut: identity}}'], [['semantic/identity-shortcut', 1]]],
  ['shortcut: option-a-channels', 'cifar/resnet20', ['stages.2={blocks: 3, filters: 16, stride: 2}'], [['semantic/option-a-channels', 1]]],
  ['zero-width', 'resnet50', ['base_width=1', 'stages.0.filters=16'], [['semantic/zero-width', 1]]],
];

describe.each(invalid)('%s', (_rule, spec, sets, expected) => {
  test('invalid: exact codes and positions', () => {
    const found = compileSpec(spec, { sets }).diagnostics.map((d) => [d.code, d.location?.file, d.location?.line, d.location?.column]);
    expect(found).toEqual(expected.map(([code, n]) => [code, '<command line>', n, at(sets, n)]));
  });
});

const valid: [rule: string, spec: string, sets: string[]][] = [
  ['channels-first', 'resnet18', ['input=[224, 224, 3]']],
  ['filters-arity', 'resnet50', ['stages.0.filters=[64, 64, 256]']],
  ['groups', 'resnet50', ['groups=32', 'base_width=4']],
  ['stage-index', 'resnet50', ['out_indices=[2, 4]', 'stages.0.overrides={2: {stride: 1}}']],
  ['output-stride', 'resnet50', ['output_stride=8']],
  ['stem-filters', 'resnet50', ['stem.deep=true', 'stem.filters=[32, 32, 64]']],
  ['head-pooling', 'resnet50', ['head.pooling=avg', 'head.pool_size=7']],
  ['head-layers', 'resnet50', ['head.layers=[{type: flatten}, {type: dense, units: 10}]']],
  ['stem-resize', 'resnet50', ['input=[32, 32, 3]', 'stem.resize={size: [224, 224]}']],
  ['attention', 'resnet50', ['attention=se', 'se_ratio=0.25']],
  ['train-relations', 'resnet50', ['train.schedule.milestones=[5, 6]', 'train.schedule.factors=[0.1, 0.01]', 'train.warmup.epochs=5', 'train.augment.shift=0', 'train.augment.pad_crop=4', 'train.checkpoint.pattern="{epoch:02d}-{val_accuracy:.4f}.ckpt"']],
  ['depth', 'cifar/resnet20', ['depth=56']],
  ['shortcut', 'cifar/resnet20', ['stages.2={blocks: 3, filters: 128, stride: 2}']],
];

test.each(valid)('%s: valid', (_rule, spec, sets) => {
  expect(compileSpec(spec, { sets }).diagnostics).toEqual([]);
});

test('every registered rule has an invalid row', () => {
  const covered = invalid.map(([rule]) => rule).join('\n');
  for (const rule of semanticRules) expect(covered).toContain(rule.id);
  for (const rule of trainRules) expect(covered).toContain(`train-relations: ${rule.id}`);
  for (const rule of depthRules) expect(covered).toContain(rule.id);
  for (const rule of shortcutRules) expect(covered).toContain(`shortcut: ${rule.id}`);
});
