import { SourceLocation } from '../diagnostics/diagnostic';
import { joinPointer } from './source';

/** Where each value of a merged spec came from, by JSON pointer: what makes diagnostics point at the right file. */
export type Origins = Map<string, SourceLocation>;

/** One contributor to a merged spec: a file, a preset, a family table entry. */
export interface Layer {
  value: unknown;
  /** Location of the value at `pointer` in this layer (a preset attributes everything to the line that chose it). */
  locate(pointer: string): SourceLocation | undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Merged specs are built from mappings without a prototype, so no user key can reach Object.prototype even if one
 * slipped past the key check (src/spec/safety.ts).
 */
export function nullObject(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/** A deep copy made of prototype-less mappings. Values are parsed YAML, nested at most LIMITS.nesting deep. */
export function cloneValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneValue);
  if (!isPlainObject(value)) return value;
  const out = nullObject();
  for (const [k, v] of Object.entries(value)) out[k] = cloneValue(v);
  return out;
}

/** Says whether `over` replaces `base` at `pointer` instead of merging into it (another optimizer `type`). */
export type Replaces = (pointer: string, base: Record<string, unknown>, over: Record<string, unknown>) => boolean;

/**
 * Deep-merges layers, later over earlier. Objects merge key by key; lists of objects of the same length merge item by
 * item (so a variant can change one stage's stride without restating the stages); any other value replaces.
 */
export function mergeLayers(layers: readonly Layer[], replaces: Replaces = () => false): { value: Record<string, unknown>; origins: Origins } {
  const origins: Origins = new Map();
  let value: unknown = nullObject();
  for (const layer of layers) {
    value = mergeValue(value, layer.value, [], layer, origins, replaces);
  }
  return { value: value as Record<string, unknown>, origins };
}

function mergeValue(base: unknown, over: unknown, path: (string | number)[], layer: Layer, origins: Origins, replaces: Replaces): unknown {
  record(path, layer, origins);
  if (isPlainObject(base) && isPlainObject(over) && !replaces(joinPointer(path), base, over)) {
    const out = Object.assign(nullObject(), base);
    for (const [key, v] of Object.entries(over)) out[key] = mergeValue(base[key], v, [...path, key], layer, origins, replaces);
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over) && base.length === over.length && over.every(isPlainObject)) {
    return over.map((v, i) => mergeValue(base[i], v, [...path, i], layer, origins, replaces));
  }
  recordAll(over, path, layer, origins, typeof base === 'object' && base !== null);
  return cloneValue(over);
}

function record(path: (string | number)[], layer: Layer, origins: Origins): void {
  const pointer = joinPointer(path);
  const location = layer.locate(pointer);
  if (location) origins.set(pointer, location);
}

function recordAll(value: unknown, path: (string | number)[], layer: Layer, origins: Origins, replacesContainer: boolean): void {
  // A replaced subtree must not keep origins of the value it replaced (only a mapping or list has any below it).
  const prefix = joinPointer(path);
  if (replacesContainer) for (const key of [...origins.keys()]) if (key.startsWith(prefix + '/')) origins.delete(key);
  walk(value, path);
  function walk(v: unknown, p: (string | number)[]): void {
    record(p, layer, origins);
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...p, i]));
    else if (isPlainObject(v)) for (const [k, item] of Object.entries(v)) walk(item, [...p, k]);
  }
}

/** The location of `pointer` or of its nearest ancestor that has one. */
export function originOf(origins: Origins, pointer: string): SourceLocation | undefined {
  let p = pointer;
  for (;;) {
    const found = origins.get(p);
    if (found) return found;
    if (p === '') return undefined;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}
