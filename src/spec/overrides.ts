import { parse } from 'yaml';
import { Diagnostic, error, SourceLocation } from '../diagnostics/diagnostic';
import { isPlainObject } from './merge';
import { joinPointer } from './source';

/** Pseudo-file that `--set` diagnostics point into: one line per `--set`. */
export const COMMAND_LINE = '<command line>';

export interface SetOverride {
  path: (string | number)[];
  value: unknown;
  location: SourceLocation;
}

/** Parses `--set stages.3.blocks=4` arguments; values are YAML scalars or flow collections (`[1, 2]`). */
export function parseSets(sets: readonly string[], diagnostics: Diagnostic[]): SetOverride[] {
  const out: SetOverride[] = [];
  sets.forEach((arg, i) => {
    const eq = arg.indexOf('=');
    const location = { file: COMMAND_LINE, line: i + 1, column: 1, length: Math.max(1, eq) };
    if (eq <= 0) {
      diagnostics.push(error('cli/set-syntax', `expected --set key.path=value; got '${arg}'`, '', { location, hint: 'for example --set stages.3.blocks=4' }));
      return;
    }
    let value: unknown;
    try {
      value = parse(arg.slice(eq + 1));
    } catch (e) {
      diagnostics.push(error('cli/set-syntax', `cannot read the value of '${arg}': ${(e as Error).message.split('\n')[0]}`, '', { location: { ...location, column: eq + 2 } }));
      return;
    }
    const path = arg.slice(0, eq).split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    out.push({ path, value, location: { ...location, column: eq + 2, length: Math.max(1, arg.length - eq - 1) } });
  });
  return out;
}

/** Applies overrides to a merged spec (in place), recording their origins; a path through a missing list item is an error. */
export function applySets(target: Record<string, unknown>, sets: readonly SetOverride[], diagnostics: Diagnostic[], onSet?: (pointer: string, at: SourceLocation) => void): void {
  for (const set of sets) {
    let node: unknown = target;
    let ok = true;
    for (let i = 0; i < set.path.length - 1 && ok; i++) {
      const key = set.path[i];
      if (Array.isArray(node) && typeof key === 'number') {
        if (key >= node.length) {
          diagnostics.push(error('cli/set-path', `--set ${set.path.join('.')}: ${set.path.slice(0, i).join('.')} has ${node.length} items, no item ${key}`, joinPointer(set.path), { location: { ...set.location, column: 1 } }));
          ok = false;
        } else node = node[key];
      } else if (isPlainObject(node)) {
        if (node[key] === undefined) node[key] = {};
        node = node[key];
      } else {
        diagnostics.push(error('cli/set-path', `--set ${set.path.join('.')}: ${set.path.slice(0, i).join('.') || 'the spec'} is not a mapping or list`, joinPointer(set.path), { location: { ...set.location, column: 1 } }));
        ok = false;
      }
    }
    if (!ok) continue;
    const last = set.path[set.path.length - 1];
    (node as Record<string | number, unknown>)[last] = set.value;
    onSet?.(joinPointer(set.path), set.location);
  }
}
