import { Diagnostic, error, SourceLocation } from '../diagnostics/diagnostic';
import { didYouMean } from '../diagnostics/suggest';
import { familyTable } from './tables';

/**
 * Expands `depth:` through its family's table into a partial spec (`block` and every stage's `blocks`), to be laid
 * under the user's own fields. Returns undefined (with a diagnostic) when the depth is not valid for the family.
 */
export function familyLayer(
  spec: Record<string, unknown>,
  at: { depth?: SourceLocation; family?: SourceLocation },
  diagnostics: Diagnostic[],
): Record<string, unknown> | undefined {
  const depth = spec.depth;
  if (typeof depth !== 'number') return undefined;
  const familyName = spec.family;
  if (typeof familyName !== 'string') {
    diagnostics.push(error('semantic/depth-without-family', '`depth` needs a `family` whose table gives the blocks per stage', '/depth', {
      location: at.depth,
      hint: `add family: imagenet (or ${[...familyTable().keys()].filter((f) => f !== 'imagenet').join(', ')}), or extends: base/imagenet`,
    }));
    return undefined;
  }
  const family = familyTable().get(familyName);
  if (!family) {
    diagnostics.push(error('semantic/unknown-family', `unknown family '${familyName}'`, '/family', {
      location: at.family,
      hint: didYouMean(familyName, familyTable().keys()) ?? `known families: ${[...familyTable().keys()].join(', ')}`,
    }));
    return undefined;
  }
  const stageCount = Array.isArray(spec.stages) ? spec.stages.length : undefined;
  if (family.depths) {
    const entry = family.depths.get(depth);
    if (!entry) {
      const known = [...family.depths.keys()].sort((a, b) => a - b);
      diagnostics.push(error('semantic/depth-not-in-table', `depth ${depth} is not in the ${familyName} table (${known.join(', ')})`, '/depth', {
        location: at.depth,
        hint: `nearest: ${nearest(depth, known).join(' or ')}`,
      }));
      return undefined;
    }
    if (stageCount !== undefined && stageCount !== entry.blocks.length) {
      diagnostics.push(error('semantic/depth-stage-count', `depth ${depth} of family ${familyName} has ${entry.blocks.length} stages; this spec has ${stageCount}`, '/depth', { location: at.depth }));
      return undefined;
    }
    return { block: entry.block, stages: entry.blocks.map((blocks) => ({ blocks })) };
  }
  const rule = family.rule;
  if (!rule || stageCount === undefined) return undefined;
  const step = rule.layersPerBlock * stageCount;
  const n = (depth - rule.offset) / step;
  if (!Number.isInteger(n) || n < 1) {
    const below = Math.max(1, Math.floor((depth - rule.offset) / step));
    const candidates = [below, below + 1].map((k) => k * step + rule.offset);
    diagnostics.push(error('semantic/depth-rule', `depth ${depth} is not ${step}n+${rule.offset} (family ${familyName}: ${stageCount} stages of ${rule.block} blocks with ${rule.layersPerBlock} layers each)`, '/depth', {
      location: at.depth,
      hint: `nearest valid depths: ${candidates.join(' and ')}`,
    }));
    return undefined;
  }
  return { block: rule.block, stages: Array.from({ length: stageCount }, () => ({ blocks: n })) };
}

function nearest(value: number, candidates: number[]): number[] {
  const distance = (c: number) => Math.abs(c - value);
  const best = Math.min(...candidates.map(distance));
  return candidates.filter((c) => distance(c) === best);
}
