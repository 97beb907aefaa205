import { DepthRule } from './depth-rule';

/** Table families (torchvision's 18/34/50/101/152) know a fixed list of depths, each with its number of stages. */
export const depthTable: DepthRule = {
  id: 'depth-table',
  description: 'A table family has the depth, with as many stages as the spec lists.',
  check({ depth, familyName, family, stageCount, report }) {
    if (!family?.depths) return;
    const entry = family.depths.get(depth);
    if (!entry) {
      const known = [...family.depths.keys()].sort((a, b) => a - b);
      report('depth-not-in-table', `depth ${depth} is not in the ${familyName} table (${known.join(', ')})`, '/depth', `nearest: ${nearest(depth, known).join(' or ')}`);
    } else if (stageCount !== undefined && stageCount !== entry.blocks.length) {
      report('depth-stage-count', `depth ${depth} of family ${familyName} has ${entry.blocks.length} stages; this spec has ${stageCount}`, '/depth');
    }
  },
};

function nearest(value: number, candidates: number[]): number[] {
  const distance = (c: number) => Math.abs(c - value);
  const best = Math.min(...candidates.map(distance));
  return candidates.filter((c) => distance(c) === best);
}
