/** Small helpers that turn values into TypeScript source text. */

export type Value = number | string | boolean | Value[];

/** A number as a person would write it: `1.001e-5` rather than `0.00001001`. */
export function numberLiteral(n: number): string {
  if (n !== 0 && Math.abs(n) < 1e-3) return n.toExponential();
  return String(n);
}

export function stringLiteral(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A value as a TypeScript literal; `undefined` stays `undefined` (a don't-care entry of a per-block list). */
export function literal(v: Value | undefined): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return numberLiteral(v);
  if (typeof v === 'string') return stringLiteral(v);
  if (typeof v === 'boolean') return String(v);
  return `[${v.map(literal).join(', ')}]`;
}

/** A template literal with `${expr}` holes: parts alternate text, expression, text… */
export function templateLiteral(parts: Array<{ text: string } | { expr: string }>): string {
  const body = parts.map((p) => ('text' in p ? p.text.replace(/[`\\]/g, '\\$&').replace(/\$\{/g, '\\${') : `\${${p.expr}}`)).join('');
  return `\`${body}\``;
}

/** `{ a: 1, b: x }`; entries whose value is undefined are left out. */
export function objectLiteral(entries: ReadonlyArray<readonly [string, string | undefined]>): string {
  const kept = entries.filter((e): e is readonly [string, string] => e[1] !== undefined);
  if (kept.length === 0) return '{}';
  return `{ ${kept.map(([k, v]) => (k === v ? k : `${k}: ${v}`)).join(', ')} }`;
}

/** Text from the user (a spec's name, a file path) made safe inside a comment: one line, no comment terminator. */
export function commentText(s: string): string {
  return s.replace(/\s+/g, ' ').replace(/\*\//g, '*\\/');
}

/** `shortcut_maxpool` → `shortcutMaxpool`. */
export function camelCase(s: string): string {
  return s.replace(/[_.-]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

export function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The builder's name from the spec's: `ResNet50` → `buildResNet50`, `resnet_v1` → `buildResNetV1`,
 * `resnet50` → `buildResNet50` (the family's usual spelling), `my-net` → `buildMyNet`.
 */
export function builderName(specName: string): string {
  const words = specName.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const pascal = words.map((w) => {
    const known = /^(resnext|resnet)(.*)$/i.exec(w);
    if (known) return (known[1].toLowerCase() === 'resnet' ? 'ResNet' : 'ResNeXt') + upperFirst(known[2]);
    return upperFirst(w);
  }).join('');
  return `build${pascal || 'Model'}`;
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
