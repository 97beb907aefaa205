import type { ErrorObject } from 'ajv/dist/2020';
import * as fs from 'fs';
import { Diagnostic, error, SourceLocation } from '../diagnostics/diagnostic';
import { MAX_DIAGNOSTICS, truncationNote } from '../diagnostics/cap';
import { didYouMean } from '../diagnostics/suggest';
import { allowedProperties, Discriminated, discriminatedOf, otherVariantHint } from './discriminated';
import { collapseAlternatives } from './schema-alternatives';
import { loadValidators, trainingSchemaPath, Validators } from './validators';

export { schemaPath, trainingSchemaPath } from './validators';

let cached: Validators | undefined;

function validators(): Validators {
  cached ??= loadValidators();
  return cached;
}

export function specSchema(): Record<string, unknown> {
  return validators().schema;
}

export function trainingSchema(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(trainingSchemaPath, 'utf8')) as Record<string, unknown>;
}

/** The discriminated objects of a spec by JSON pointer (`/train/optimizer`, `/train/schedule`), read from the schemas. */
export function discriminatedObjects(): Map<string, Discriminated> {
  discriminated ??= findDiscriminated();
  return discriminated;
}

let discriminated: Map<string, Discriminated> | undefined;

function findDiscriminated(): Map<string, Discriminated> {
  const training = trainingSchema();
  const root = specSchema();
  const defs = (root.$defs ?? {}) as Record<string, unknown>;
  const found = new Map<string, Discriminated>();
  const visit = (node: unknown, pointer: string, depth: number): void => {
    if (typeof node !== 'object' || node === null || depth > 4) return;
    let s = node as Record<string, unknown>;
    if (typeof s.$ref === 'string') s = (s.$ref.endsWith('training.schema.json') ? training : defs[s.$ref.split('/').pop()!]) as Record<string, unknown>;
    const d = discriminatedOf(s);
    if (d) found.set(pointer, d);
    for (const [key, child] of Object.entries((s?.properties as object) ?? {})) visit(child, `${pointer}/${key}`, depth + 1);
  };
  visit(root, '', 0);
  return found;
}

/** Validates one file as written. */
export function validateFileShape(value: unknown, locate: Locator): Diagnostic[] {
  const validate = validators().file;
  return validate(value) ? [] : toDiagnostics(validate.errors ?? [], locate);
}

/** Validates the merged spec and fills in the schema's defaults (mutates `value`). */
export function validateComplete(value: unknown, locate: Locator): Diagnostic[] {
  const validate = validators().complete;
  return validate(value) ? [] : toDiagnostics(validate.errors ?? [], locate);
}

export type Locator = (pointer: string, key?: boolean) => SourceLocation | undefined;

function toDiagnostics(errors: ErrorObject[], locate: Locator): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  let hidden = 0;
  for (const e of collapseAlternatives(errors)) {
    // Describing costs a did-you-mean search; past the cap only the count matters (40,000 unknown keys: 40 s before).
    if (out.length >= MAX_DIAGNOSTICS) {
      hidden++;
      continue;
    }
    const d = describe(e, locate);
    const key = `${d.pointer}|${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  }
  return hidden > 0 ? [...out, truncationNote(hidden)] : out;
}

function describe(e: ErrorObject, locate: Locator): Diagnostic {
  const pointer = e.instancePath;
  const got = received(e.data);
  const at = (p: string, key = false) => ({ location: locate(p, key) });
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const params = e.params as { additionalProperty?: string; unevaluatedProperty?: string };
      const prop = String(params.additionalProperty ?? params.unevaluatedProperty);
      const variants = discriminatedOf(e.parentSchema);
      const known = (variants ? allowedProperties(variants, e.data) : propertyNames(e.parentSchema)).filter((k) => k !== prop);
      const child = `${pointer}/${prop}`;
      return error('schema/unknown-property', `unknown property '${prop}'${where(pointer)}`, child, {
        ...at(child, true),
        hint: (variants && otherVariantHint(variants, e.data, prop)) ?? didYouMean(prop, known) ?? `expected one of: ${known.join(', ')}`,
      });
    }
    case 'required': {
      const prop = String((e.params as { missingProperty: string }).missingProperty);
      return error('schema/missing-property', `missing required property '${prop}'${where(pointer)}`, pointer, {
        ...at(pointer, true),
        hint: requiredHint(prop),
      });
    }
    case 'enum': {
      const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      return error('schema/enum', `expected one of ${allowed.join(', ')}; got ${got}`, pointer, {
        ...at(pointer),
        hint: typeof e.data === 'string' ? didYouMean(e.data, allowed) : undefined,
      });
    }
    case 'const':
      return error('schema/const', `expected ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}; got ${got}`, pointer, at(pointer));
    case 'type':
      return error('schema/type', `expected ${article((e.params as { type: string }).type)}; got ${got}`, pointer, at(pointer));
    case 'oneOf':
    case 'anyOf':
      return error('schema/type', `expected ${alternatives(e.schema as unknown[])}; got ${got}`, pointer, at(pointer));
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      return error('schema/range', `expected a number ${comparison} ${limit}; got ${got}`, pointer, at(pointer));
    }
    case 'propertyNames': {
      const name = String((e.params as { propertyName: string }).propertyName);
      return error('schema/propertyNames', `'${name}' is not a block index: override keys are 0-based block numbers`, `${pointer}/${name}`, {
        ...at(`${pointer}/${name}`, true),
        hint: 'for example overrides: { 0: { filters: [64, 64, 256] } }',
      });
    }
    case 'uniqueItems':
      return error('schema/uniqueItems', `expected distinct items; ${received(e.data)} repeats one`, pointer, at(pointer));
    case 'minItems':
    case 'maxItems':
      return error('schema/length', `expected ${e.message ?? 'a different number of items'}; got ${Array.isArray(e.data) ? e.data.length : 0} items`, pointer, at(pointer));
    default:
      return error(`schema/${e.keyword}`, `${e.message ?? 'invalid value'}; got ${got}`, pointer, at(pointer));
  }
}

/** Property names a schema allows, including those its subschemas (allOf, if/then, oneOf) add. */
function propertyNames(schema: unknown): string[] {
  const names = new Set<string>();
  const visit = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    const s = node as Record<string, unknown>;
    for (const key of Object.keys((s.properties as object) ?? {})) names.add(key);
    for (const sub of ['allOf', 'anyOf', 'oneOf']) (s[sub] as unknown[] | undefined)?.forEach(visit);
    for (const sub of ['then', 'else']) visit(s[sub]);
  };
  visit(schema);
  return [...names];
}

function where(pointer: string): string {
  return pointer ? ` in ${pointer}` : '';
}

function requiredHint(prop: string): string | undefined {
  if (prop === 'block') return 'give `block:` (basic, bottleneck, preact_basic, preact_bottleneck), or `depth:` with a `family:`';
  if (prop === 'blocks') return 'give `blocks:` for the stage, or `depth:` with a `family:` to take it from the depth table';
  if (prop === 'stages' || prop === 'stem' || prop === 'input') return `add \`${prop}:\` or \`extends:\` a spec that has it (e.g. extends: base/imagenet)`;
  return undefined;
}

function alternatives(branches: unknown[]): string {
  const names = branches.map((b) => {
    const s = b as Record<string, unknown>;
    if (Array.isArray(s.enum)) return `one of ${s.enum.join(', ')}`;
    if (typeof s.title === 'string') return `a ${s.title}`;
    if (typeof s.$ref === 'string') return `a ${s.$ref.split('/').pop()}`;
    if (typeof s.type === 'string') return article(s.type);
    return 'a valid value';
  });
  return names.join(' or ');
}

function article(type: string): string {
  return type === 'integer' || type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`;
}

function received(data: unknown): string {
  if (data === null) return 'null';
  if (Array.isArray(data)) return `a list of ${data.length}`;
  if (typeof data === 'object') return 'a mapping';
  if (typeof data === 'string') return `'${data.length > 40 ? data.slice(0, 40) + '…' : data}'`;
  return String(data);
}
