/**
 * The state a block function's writer carries, and the accessors every part of the body uses: a block argument
 * (its parameter, or its literal where every block agrees) and a role's layer name.
 */
import { invariant } from '../../diagnostics/diagnostic';
import { literal, Value } from './code';
import { BlocksPlan, KindPlan } from './block-plan';
import { Uses } from './helpers';
import { PaddingRule } from './network';

export interface Writer {
  plan: BlocksPlan;
  kind: KindPlan;
  padding: PaddingRule;
  uses: Uses;
  /** Parameters the body reads. */
  params: Set<string>;
  lines: string[];
}

/** A block argument: its parameter, or its literal when it is the same for every block. */
export function arg(w: Writer, key: string): string {
  if (w.plan.fields.some((f) => f.key === key)) {
    w.params.add(key);
    return key;
  }
  const v = w.plan.consts.get(key);
  return v === undefined ? 'undefined' : literal(v);
}

export function constArg(w: Writer, key: string): Value | undefined {
  return w.plan.fields.some((f) => f.key === key) ? undefined : w.plan.consts.get(key);
}

export function name(w: Writer, role: string): string {
  const expr = w.kind.names.get(role);
  invariant(expr !== undefined, `block kind ${w.kind.kind} has no layer for role ${role}`);
  if (/^\w+$/.test(expr)) w.params.add(expr);
  return expr;
}

export function has(w: Writer, role: string): boolean {
  return w.kind.names.has(role);
}
