/**
 * The rows of the spec reference: every property an object schema allows, with the properties of nested objects,
 * of the object forms of `oneOf`/`anyOf` (the `{kind, norm}` form of `shortcut`), of list items, and of the
 * variants of discriminated objects (`allOf: [{if: {type: const}, then, else}]`, as `train.optimizer`), each row
 * saying under which condition it applies. Walked generically, so a field added to a schema is documented without
 * touching this file; `$ref`s to definitions are not followed (they have their own section).
 */
export type Schema = Record<string, unknown>;

/** One condition on a row: `type: sgd` (a discriminator and the values that select the row) or a form's label. */
export interface Condition {
  key?: string;
  values: string[];
}

export interface Row {
  /** Dotted path from the section's object: `optimizer.momentum`, `shortcut.kind`, `layers[].units`. */
  path: string;
  schema: Schema;
  required: boolean;
  when: Condition[];
}

export function rowsOf(node: Schema): Row[] {
  const rows: Row[] = [];
  walk(node, '', [], rows);
  return mergeVariants(rows);
}

/** Whether a schema has rows of its own (an object, a discriminated object, or alternatives that are objects). */
export function hasRows(node: Schema): boolean {
  return rowsOf(node).length > 0;
}

function walk(node: Schema, prefix: string, when: Condition[], rows: Row[]): void {
  const required = new Set((node.required as string[] | undefined) ?? []);
  for (const [key, prop] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) {
    rows.push({ path: prefix + key, schema: prop, required: required.has(key), when });
    expand(prop, `${prefix}${key}`, when, rows);
  }
  for (const part of (node.allOf ?? []) as Schema[]) {
    if (isSchema(part.if)) conditional(part, node, prefix, when, [], rows);
    else walk(part, prefix, when, rows);
  }
}

/** The rows inside one property: its own properties, its object alternatives, its list items. */
function expand(prop: Schema, path: string, when: Condition[], rows: Row[]): void {
  if (prop.$ref) return;
  walk(prop, `${path}.`, when, rows);
  const alternatives = (prop.oneOf ?? prop.anyOf) as Schema[] | undefined;
  for (const alt of alternatives ?? []) {
    if (!alt.$ref && (alt.properties || alt.allOf)) walk(alt, `${path}.`, [...when, formOf(alt, alternatives!)], rows);
  }
  const items = prop.items as Schema | undefined;
  if (isSchema(items)) expand(items, `${path}[]`, when, rows);
}

/**
 * An `if: {properties: {key: {const}}}, then, else` chain: `then` applies for the constant, a nested `if` in
 * `else` continues the chain, and the last `else` applies for the discriminator's other values (from its enum).
 */
function conditional(part: Schema, owner: Schema, prefix: string, when: Condition[], taken: string[], rows: Row[]): void {
  const test = (isSchema(part.if) ? part.if.properties : undefined) as Record<string, Schema> | undefined;
  const key = Object.keys(test ?? {})[0];
  const value = key === undefined ? undefined : test![key].const;
  if (key === undefined || value === undefined) return walk(part, prefix, when, rows);
  if (isSchema(part.then)) walk(part.then, prefix, [...when, { key, values: [String(value)] }], rows);
  const rest = part.else;
  if (!isSchema(rest)) return;
  if (isSchema(rest.if)) return conditional(rest, owner, prefix, when, [...taken, String(value)], rows);
  const all = ((owner.properties as Record<string, Schema> | undefined)?.[key]?.enum ?? []) as unknown[];
  const others = all.map(String).filter((v) => v !== String(value) && !taken.includes(v));
  walk(rest, prefix, [...when, { key, values: others }], rows);
}

/** How an object alternative is told apart: a `const` property (`type: dense`), else its title or 'mapping form'. */
function formOf(alt: Schema, alternatives: Schema[]): Condition {
  const props = (alt.properties ?? {}) as Record<string, Schema>;
  const key = Object.keys(props).find((k) => props[k].const !== undefined);
  if (key) return { key, values: [String(props[key].const)] };
  const objects = alternatives.filter((a) => a.properties || a.allOf).length;
  return { values: [objects > 1 && alt.title ? String(alt.title) : 'mapping form'] };
}

/**
 * A setting shared by several variants (Adam's and AdamW's `epsilon`, `name` of every head layer) is one row for
 * all of them when its schema is the same; a discriminator written as one `const` per variant becomes one row.
 */
function mergeVariants(rows: Row[]): Row[] {
  const out: Row[] = [];
  for (const row of rows) {
    const twin = out.find((r) => r.path === row.path && sameContext(r, row) && JSON.stringify(r.schema) === JSON.stringify(row.schema));
    const last = row.when[row.when.length - 1];
    const twinLast = twin?.when[twin.when.length - 1];
    if (twin && last && twinLast && last.key === twinLast.key) {
      twinLast.values = [...new Set([...twinLast.values, ...last.values])];
    } else if (twin && !last) {
      continue;
    } else {
      out.push({ ...row, when: row.when.map((c) => ({ ...c, values: [...c.values] })) });
    }
  }
  return mergeConstants(out);
}

function mergeConstants(rows: Row[]): Row[] {
  const out: Row[] = [];
  const merged = new Map<string, Row>();
  for (const row of rows) {
    const value = row.schema.const;
    const first = value === undefined ? undefined : merged.get(row.path) ?? out.find((r) => r.path === row.path && r.schema.const !== undefined);
    if (!first) {
      out.push(row);
      continue;
    }
    if (!merged.has(row.path)) {
      first.schema = { ...first.schema, const: undefined, enum: [first.schema.const] };
      first.when = first.when.slice(0, -1);
      merged.set(row.path, first);
    }
    (first.schema.enum as unknown[]).push(value);
  }
  return out;
}

function sameContext(a: Row, b: Row): boolean {
  return JSON.stringify(a.when.slice(0, -1)) === JSON.stringify(b.when.slice(0, -1)) && a.required === b.required;
}

export function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
