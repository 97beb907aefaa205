import { Diagnostic, SourceLocation } from '../../diagnostics/diagnostic';
import { ResolvedSpec } from '../types';
import { attentionPlacement } from './attention';
import { channelsFirst } from './channels-first';
import { filtersArity } from './filters-arity';
import { groupsDivisibility } from './groups';
import { headPooling } from './head';
import { headLayers } from './head-layers';
import { outputStride } from './output-stride';
import { makeContext, SemanticRule } from './rule';
import { stageIndices } from './stage-indices';
import { stemFilters } from './stem';
import { stemResize } from './stem-resize';
import { trainRelations } from './train-relations';

/**
 * Semantic rules in the order they run, on the resolved spec. The depth rules (./depth.ts) run earlier, while
 * `depth:` is expanded (src/spec/family.ts); the shortcut rules (./shortcut-channels.ts) are called by the lowering
 * with the planned channel counts; spatial collapse and the resource limits are found on the lowered graph (src/ir).
 */
export const semanticRules: readonly SemanticRule[] = [channelsFirst, filtersArity, groupsDivisibility, stageIndices, outputStride, stemFilters, stemResize, headPooling, headLayers, attentionPlacement, trainRelations];

export function runRules(spec: ResolvedSpec, locate: (pointer: string) => SourceLocation | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rule of semanticRules) rule.check(makeContext(spec, locate, out, rule.id));
  return out;
}
