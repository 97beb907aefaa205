import { parse } from 'yaml';
import { Diagnostic, error, SourceLocation } from '../diagnostics/diagnostic';
import { cloneValue, isPlainObject, nullObject } from './merge';
import { FORBIDDEN_KEY_HINT, firstUnsafePart, isForbiddenKey, NON_FINITE_HINT } from './safety';
import { joinPointer, LIMITS } from './source';
import { Discriminated, picksOtherVariant } from './discriminated';

/** Pseudo-file that `--set` diagnostics point into: one line per `--set`. */
export const COMMAND_LINE = '<command line>';

export interface SetOverride {
  path: (string | number)[];
  value: unknown;
  /** Where the value is written. */
  location: SourceLocation;
  /** Where each path segment is written, for errors about that step. */
  segments: SourceLocation[];
}

/** Parses `--set stages.3.blocks=4` arguments; values are YAML scalars or flow collections (`[1, 2]`). */
export function parseSets(sets: readonly string[], diagnostics: Diagnostic[]): SetOverride[] {
  const out: SetOverride[] = [];
  sets.forEach((arg, i) => {
    const line = i + 1;
    const eq = arg.indexOf('=');
    const at = (column: number, length: number): SourceLocation => ({ file: COMMAND_LINE, line, column, length: Math.max(1, length) });
    if (eq <= 0) {
      diagnostics.push(error('cli/set-syntax', `expected --set key.path=value; got '${clip(arg)}'`, '', { location: at(1, eq), hint: 'for example --set stages.3.blocks=4' }));
      return;
    }
    const names = arg.slice(0, eq).split('.');
    const segments: SourceLocation[] = [];
    let column = 1;
    for (const name of names) {
      segments.push(at(column, name.length));
      column += name.length + 1;
    }
    const bad = names.findIndex((n) => n === '' || isForbiddenKey(n));
    if (bad >= 0) {
      const forbidden = names[bad] !== '';
      diagnostics.push(error(forbidden ? 'spec/forbidden-key' : 'cli/set-syntax', forbidden ? `'${names[bad]}' cannot be a key` : `empty field name in '${clip(arg.slice(0, eq))}'`, '', {
        location: segments[bad],
        hint: forbidden ? FORBIDDEN_KEY_HINT : 'fields are separated by single dots, e.g. stages.3.blocks',
      }));
      return;
    }
    const location = at(eq + 2, arg.length - eq - 1);
    let value: unknown;
    try {
      value = parse(arg.slice(eq + 1), { maxAliasCount: 0 });
    } catch (e) {
      diagnostics.push(error('cli/set-syntax', `cannot read the value of '${clip(arg)}': ${(e as Error).message.split('\n')[0]}`, '', { location }));
      return;
    }
    const path = names.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const unsafe = firstUnsafePart(value, LIMITS.nesting);
    if (unsafe) {
      const pointer = joinPointer([...path, ...unsafe.path]);
      diagnostics.push(
        unsafe.kind === 'key' ? error('spec/forbidden-key', `'${unsafe.text}' cannot be a key`, pointer, { location, hint: FORBIDDEN_KEY_HINT })
          : unsafe.kind === 'number' ? error('schema/non-finite', `expected a finite number; got ${unsafe.text}`, pointer, { location, hint: NON_FINITE_HINT })
            : error('parse/too-deep', unsafe.text, pointer, { location }),
      );
      return;
    }
    out.push({ path, value, location, segments });
  });
  return out;
}

/**
 * Applies overrides to a merged spec (in place). A set may create missing mappings (the schema then judges the new
 * keys, with did-you-mean), but never list items: `input.1000000=3` used to build a list of a million holes.
 * `onSet` learns where each written or created value came from. A set that picks another `type` of one of the
 * discriminated objects in `variants` (`train.schedule.type=constant`) starts that object afresh, as a child spec
 * picking another type does, so the old type's settings do not linger as unknown properties of the new one; such
 * sets go first, so the settings given beside them on the command line stay.
 */
export function applySets(
  target: Record<string, unknown>, sets: readonly SetOverride[], diagnostics: Diagnostic[],
  onSet?: (pointer: string, at: SourceLocation) => void, variants?: ReadonlyMap<string, Discriminated>,
): void {
  const discriminator = (path: (string | number)[]) => variants?.get(joinPointer(path.slice(0, -1)));
  const switches = (set: SetOverride) => discriminator(set.path)?.key === set.path[set.path.length - 1];
  for (const set of [...sets.filter(switches), ...sets.filter((s) => !switches(s))]) {
    let node: unknown = target;
    for (let i = 0; i < set.path.length; i++) {
      const key = set.path[i];
      const last = i === set.path.length - 1;
      const problem = stepProblem(node, key, set.path.slice(0, i));
      if (problem) {
        diagnostics.push(error('cli/set-path', `--set ${set.path.join('.')}: ${problem}`, joinPointer(set.path), { location: set.segments[i] }));
        break;
      }
      const container = node as Record<string | number, unknown>;
      if (last) {
        const d = discriminator(set.path);
        if (d && d.key === key && picksOtherVariant(d, container, set.value)) {
          for (const other of Object.keys(container)) delete container[other];
        }
        container[key] = cloneValue(set.value);
        onSet?.(joinPointer(set.path), set.location);
      } else {
        if (container[key] === undefined) {
          container[key] = nullObject();
          onSet?.(joinPointer(set.path.slice(0, i + 1)), set.segments[i]);
        }
        node = container[key];
      }
    }
  }
}

/** Why `key` cannot be followed from `node`, or undefined when it can. */
function stepProblem(node: unknown, key: string | number, before: (string | number)[]): string | undefined {
  const name = before.length ? before.join('.') : 'the spec';
  if (Array.isArray(node)) {
    if (typeof key !== 'number') return `${name} is a list: use an item number, 0…${node.length - 1}`;
    if (key >= node.length) return `${name} has ${node.length} item${node.length === 1 ? '' : 's'}, so there is no item ${key}`;
    return undefined;
  }
  if (isPlainObject(node)) return undefined;
  return `${name} is ${describeValue(node)}, so it has no field '${key}'`;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `the text '${clip(v)}'`;
  return `${typeof v === 'number' ? 'the number' : `a ${typeof v}`} ${String(v)}`;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
