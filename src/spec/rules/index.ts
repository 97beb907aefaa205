import { Diagnostic, SourceLocation } from '../../diagnostics/diagnostic';
import { ResolvedSpec } from '../types';
import { attentionPlacement } from './attention';
import { filtersArity } from './filters-arity';
import { groupsDivisibility } from './groups';
import { headPooling } from './head';
import { outputStride } from './output-stride';
import { makeContext, SemanticRule } from './rule';
import { stageIndices } from './stage-indices';
import { stemFilters } from './stem';

/**
 * Semantic rules in the order they run. Depth rules (6n+2, table depths) run earlier, while resolving `depth:`
 * (src/spec/family.ts), and spatial collapse is found while lowering shapes (src/ir).
 */
export const semanticRules: readonly SemanticRule[] = [filtersArity, groupsDivisibility, stageIndices, outputStride, stemFilters, headPooling, attentionPlacement];

export function runRules(spec: ResolvedSpec, locate: (pointer: string) => SourceLocation | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rule of semanticRules) rule.check(makeContext(spec, locate, out, rule.id));
  return out;
}
