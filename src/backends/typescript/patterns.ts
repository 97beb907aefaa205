/**
 * How one block argument varies over the network, found from its per-block values, so that the emitted code says
 * it the way a person would: a constant baked into the block function, a column of the stage table, "the stage's
 * value on its first (or last) block, 1 elsewhere", "only the network's first block", or, for irregular nets, a
 * per-block list in the stage table. `undefined` marks a block for which the value does not matter (a layer name
 * of a layer the block does not have).
 */
import { literal, sameValue, Value } from './code';

export type Pattern =
  | { kind: 'const'; value: Value | undefined }
  | { kind: 'stage'; values: Array<Value | undefined> }
  | { kind: 'netFirst'; first: Value; rest: Value }
  | { kind: 'first' | 'last'; values: Value[]; rest: Value }
  | { kind: 'perBlock'; values: Array<Array<Value | undefined>> };

/** `values[stage][block]`. */
export type StageValues = ReadonlyArray<ReadonlyArray<Value | undefined>>;

/** The simplest pattern that reproduces every block's value: const, stage, netFirst, first, last, perBlock. */
export function choosePattern(values: StageValues): Pattern {
  const all = values.flat();
  const common = agree(all);
  if (common.ok) return { kind: 'const', value: common.value };
  const perStage = values.map(agree);
  if (perStage.every((a) => a.ok)) return { kind: 'stage', values: perStage.map((a) => a.value) };
  const first = values[0]?.[0];
  const others = agree(values.flatMap((stage, s) => stage.filter((_, i) => s > 0 || i > 0)));
  if (first !== undefined && others.ok && others.value !== undefined) return { kind: 'netFirst', first, rest: others.value };
  for (const kind of ['first', 'last'] as const) {
    const pick = (stage: ReadonlyArray<Value | undefined>) => (kind === 'first' ? 0 : stage.length - 1);
    const rest = agree(values.flatMap((stage) => stage.filter((_, i) => i !== pick(stage))));
    if (rest.ok && rest.value !== undefined) {
      const restValue = rest.value;
      return { kind, values: values.map((stage) => stage[pick(stage)] ?? restValue), rest: restValue };
    }
  }
  return { kind: 'perBlock', values: values.map((stage) => [...stage]) };
}

/** Whether the defined values all agree, and on what. */
function agree(values: ReadonlyArray<Value | undefined>): { ok: boolean; value: Value | undefined } {
  const defined = values.filter((v) => v !== undefined);
  if (defined.length === 0) return { ok: true, value: undefined };
  return { ok: defined.every((v) => sameValue(v, defined[0])), value: defined[0] };
}

/** Whether the pattern needs a column in the stage table. */
export function hasStageColumn(p: Pattern): p is Extract<Pattern, { values: unknown }> {
  return p.kind === 'stage' || p.kind === 'first' || p.kind === 'last' || p.kind === 'perBlock';
}

/** The stage-table entry of stage `s`, or undefined when the stage leaves it out. */
export function stageEntry(p: Pattern, s: number, render: (v: Value) => string = literal): string | undefined {
  switch (p.kind) {
    case 'stage': {
      const v = p.values[s];
      return v === undefined ? undefined : render(v);
    }
    case 'first':
    case 'last':
      return render(p.values[s]);
    case 'perBlock':
      return `[${p.values[s].map((v) => (v === undefined ? 'undefined' : render(v))).join(', ')}]`;
    default:
      return undefined;
  }
}

/** Whether some stage leaves its entry out (the column is then optional). */
export function isOptionalColumn(p: Pattern): boolean {
  return p.kind === 'stage' && p.values.some((v) => v === undefined);
}

/**
 * The expression that computes the argument at the call site, inside `for (const stage of STAGES)` and
 * `for (let i = 0; …)`; the network's first block is `s === 0 && i === 0`.
 */
export function callExpression(p: Pattern, key: string, render: (v: Value) => string = literal): string {
  switch (p.kind) {
    case 'const':
      return p.value === undefined ? 'undefined' : render(p.value);
    case 'stage':
      return `stage.${key}`;
    case 'first':
      return `i === 0 ? stage.${key} : ${render(p.rest)}`;
    case 'last':
      return `i === stage.blocks - 1 ? stage.${key} : ${render(p.rest)}`;
    case 'netFirst':
      if (p.first === true && p.rest === false) return 's === 0 && i === 0';
      if (p.first === false && p.rest === true) return 's > 0 || i > 0';
      return `s === 0 && i === 0 ? ${render(p.first)} : ${render(p.rest)}`;
    case 'perBlock':
      return `stage.${key}[i]`;
  }
}
