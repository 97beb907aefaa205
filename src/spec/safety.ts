/**
 * Keys and numbers no spec may contain. `__proto__`, `constructor` and `prototype` are how a mapping reaches
 * Object.prototype once it becomes a JavaScript object (`--set __proto__.x=1` used to change every object of the
 * process; `optimizer: {__proto__: {beta1: 0.5}}` trained with β₁ = 0.5 while `inspect --resolved` showed 0.9).
 * NaN and ±Infinity (YAML `.nan`, `.inf`) pass any JSON Schema bound that is not stated, so they are refused here,
 * once, for every field.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

export const FORBIDDEN_KEY_HINT = 'keys named __proto__, constructor or prototype are never spec fields';
export const NON_FINITE_HINT = 'give a finite number (.nan and .inf are not allowed anywhere in a spec)';

export interface UnsafePart {
  /** Path relative to the value that was checked. */
  path: (string | number)[];
  kind: 'key' | 'number' | 'depth';
  text: string;
}

/** The first forbidden key, non-finite number or too deep nesting in a plain value (a `--set` value); iterative. */
export function firstUnsafePart(value: unknown, maxDepth: number): UnsafePart | undefined {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v)) return { path, kind: 'number', text: String(v) };
    if (path.length > maxDepth) return { path, kind: 'depth', text: `nesting deeper than ${maxDepth} levels` };
    if (Array.isArray(v)) v.forEach((item, i) => stack.push({ v: item, path: [...path, i] }));
    else if (typeof v === 'object' && v !== null) {
      for (const key of Object.keys(v)) {
        if (isForbiddenKey(key)) return { path: [...path, key], kind: 'key', text: key };
        stack.push({ v: (v as Record<string, unknown>)[key], path: [...path, key] });
      }
    }
  }
  return undefined;
}
