import { DepthRule } from './depth-rule';

/** Formula families (He et al.'s CIFAR nets, 6n+2) need depth − offset to split evenly over the stages' blocks. */
export const depthFormula: DepthRule = {
  id: 'depth-rule',
  description: 'A formula family has depth = layers_per_block · n · stages + offset with n ≥ 1.',
  check({ depth, familyName, family, stageCount, report }) {
    const rule = family?.rule;
    if (family?.depths || !rule || stageCount === undefined) return;
    const n = blocksPerStage(depth, rule, stageCount);
    if (n !== undefined) return;
    const step = rule.layersPerBlock * stageCount;
    const below = Math.max(1, Math.floor((depth - rule.offset) / step));
    const candidates = [below, below + 1].map((k) => k * step + rule.offset);
    report('depth-rule', `depth ${depth} is not ${step}n+${rule.offset} (family ${familyName}: ${stageCount} stages of ${rule.block} blocks with ${rule.layersPerBlock} layers each)`, '/depth',
      `nearest valid depths: ${candidates.join(' and ')}`);
  },
};

/** n for a formula family, or undefined when the depth does not fit. */
export function blocksPerStage(depth: number, rule: { layersPerBlock: number; offset: number }, stageCount: number): number | undefined {
  const n = (depth - rule.offset) / (rule.layersPerBlock * stageCount);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}
