import { Diagnostic, error, SourceLocation } from '../../diagnostics/diagnostic';
import { blockKinds } from '../../ir/blocks/registry';
import { BlockKind, BlockSettings, ResolvedSpec, StageSpec } from '../types';

/** What a semantic rule sees: the resolved spec and a way to report at a JSON pointer. */
export interface RuleContext {
  spec: ResolvedSpec;
  report(code: string, message: string, pointer: string, hint?: string): void;
  /** Adds a diagnostic made elsewhere (with its own code), located here when it has no location. */
  push(d: Diagnostic): void;
}

/** One semantic check, run after the schema has passed. */
export interface SemanticRule {
  /** Stable id; diagnostics are `semantic/<id>`. */
  id: string;
  description: string;
  check(ctx: RuleContext): void;
}

export function makeContext(spec: ResolvedSpec, locate: (pointer: string) => SourceLocation | undefined, out: Diagnostic[], id: string): RuleContext {
  return {
    spec,
    report(code, message, pointer, hint) {
      out.push(error(`semantic/${code}`, message, pointer, { location: locate(pointer), hint }));
    },
    push(d) {
      out.push({ ...d, location: d.location ?? locate(d.pointer) });
    },
  };
}

/** A stage's setting, falling back to the network's. */
export function stageSetting<K extends keyof BlockSettings>(spec: ResolvedSpec, stage: StageSpec, key: K): BlockSettings[K] {
  return (stage[key] ?? spec[key]) as BlockSettings[K];
}

/** Whether the kind's registry entry is a bottleneck (inner width from groups and base_width). */
export function isBottleneck(kind: BlockKind): boolean {
  return blockKinds.get(kind).widths === 'bottleneck';
}
