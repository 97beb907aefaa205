import { Diagnostic, error, SourceLocation } from '../diagnostics/diagnostic';
import { runDepthRules } from './rules/depth';
import { blocksPerStage } from './rules/depth-formula';
import { familyTable } from './tables';

/**
 * Expands `depth:` through its family's table into a partial spec (`block` and every stage's `blocks`), to be laid
 * under the user's own fields. Returns undefined (with a diagnostic from src/spec/rules/depth.ts) when the depth is
 * not valid for the family.
 */
export function familyLayer(
  spec: Record<string, unknown>,
  at: { depth?: SourceLocation; family?: SourceLocation },
  diagnostics: Diagnostic[],
): Record<string, unknown> | undefined {
  const depth = spec.depth;
  if (typeof depth !== 'number') return undefined;
  const familyName = typeof spec.family === 'string' ? spec.family : undefined;
  const family = familyName === undefined ? undefined : familyTable().get(familyName);
  const stageCount = Array.isArray(spec.stages) ? spec.stages.length : undefined;
  const valid = runDepthRules({
    depth,
    familyName,
    family,
    stageCount,
    report: (code, message, pointer, hint) => diagnostics.push(error(`semantic/${code}`, message, pointer, { location: pointer === '/family' ? at.family : at.depth, hint })),
  });
  if (!valid || !family) return undefined;
  const entry = family.depths?.get(depth);
  if (entry) return { block: entry.block, stages: entry.blocks.map((blocks) => ({ blocks })) };
  const n = family.rule && stageCount !== undefined ? blocksPerStage(depth, family.rule, stageCount) : undefined;
  if (!family.rule || n === undefined) return undefined;
  return { block: family.rule.block, stages: Array.from({ length: stageCount! }, () => ({ blocks: n })) };
}
