/**
 * The two JSON Schema validators: one file as written (shape only), and the merged spec (complete, defaults filled).
 * Compiling them takes ajv ~150 ms, paid by every command; so the build (`npm run build`) also writes them out as
 * plain JavaScript (ajv's standalone code) next to this module, and they are compiled at run time only when those
 * files are missing or were made from other schema files than the ones in specs/.
 */
import Ajv2020, { Options, ValidateFunction } from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { specsDir } from './builtins';

export const schemaPath = path.join(specsDir, 'netspec.schema.json');
export const trainingSchemaPath = path.join(specsDir, 'training.schema.json');

type Schema = Record<string, unknown>;
type Kind = 'file' | 'complete';

export interface Validators {
  schema: Schema;
  file: ValidateFunction;
  complete: ValidateFunction;
}

const generatedName = (kind: Kind) => path.join(__dirname, `validate-${kind}.generated.js`);

export function loadValidators(): Validators {
  const schemaText = fs.readFileSync(schemaPath, 'utf8');
  const trainingText = fs.readFileSync(trainingSchemaPath, 'utf8');
  const hash = sourceHash(schemaText, trainingText);
  const schema = JSON.parse(schemaText) as Schema;
  const training = JSON.parse(trainingText) as Schema;
  const pick = (kind: Kind): ValidateFunction => precompiled(kind, hash) ?? compile(kind, schema, training).validate;
  return { schema, file: pick('file'), complete: pick('complete') };
}

/** Writes the standalone validators for the current schema files (run by `npm run build`). */
export function writeStandaloneValidators(): string[] {
  const schemaText = fs.readFileSync(schemaPath, 'utf8');
  const trainingText = fs.readFileSync(trainingSchemaPath, 'utf8');
  const hash = sourceHash(schemaText, trainingText);
  return (['file', 'complete'] as const).map((kind) => {
    const { ajv, validate } = compile(kind, JSON.parse(schemaText), JSON.parse(trainingText), { code: { source: true } });
    const file = generatedName(kind);
    fs.writeFileSync(file, `${standaloneCode(ajv, validate)}\nmodule.exports.schemaHash = ${JSON.stringify(hash)};\n`);
    return file;
  });
}

function precompiled(kind: Kind, hash: string): ValidateFunction | undefined {
  const file = generatedName(kind);
  if (!fs.existsSync(file)) return undefined;
  const mod = require(file) as ValidateFunction & { schemaHash?: string };
  return mod.schemaHash === hash ? mod : undefined;
}

function compile(kind: Kind, schema: Schema, training: Schema, extra: Options = {}): { ajv: Ajv2020; validate: ValidateFunction } {
  const options = { allErrors: true, verbose: true, strict: false, ...extra };
  if (kind === 'file') {
    // One file on its own: shape only. A file that extends another may leave anything but `netspec` to its base.
    const ajv = new Ajv2020(options).addSchema(withoutRequired(training));
    return { ajv, validate: ajv.compile({ ...withoutRequired(schema), required: ['netspec'] }) };
  }
  // The merged spec: complete, and filled with the schema's defaults.
  const ajv = new Ajv2020({ ...options, useDefaults: true }).addSchema(training);
  const validate = ajv.compile({
    ...schema,
    $id: undefined,
    required: ['netspec', 'input', 'stem', 'stages', 'block'],
    properties: {
      ...(schema.properties as object),
      head: { $ref: '#/$defs/head', default: {} },
      stages: {
        ...((schema.properties as Record<string, object>).stages),
        items: { allOf: [{ $ref: '#/$defs/stage' }], required: ['blocks', 'filters'] },
      },
    },
  });
  return { ajv, validate };
}

/**
 * A copy of the schema with no `required` outside conditions: what one file of an `extends` chain must satisfy.
 * An `if` keeps its `required`: without it `if: {properties: {type: {const: cosine}}}` holds for an object with no
 * `type`, and a schedule that relies on the default multistep was told its milestones are unknown.
 */
function withoutRequired(node: unknown): Schema {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(v)) {
      if (key === 'required') continue;
      out[key] = key === 'if' ? child : strip(child);
    }
    return out;
  };
  return strip(node) as Schema;
}

function sourceHash(...texts: string[]): string {
  const h = createHash('sha256');
  for (const t of texts) h.update(t).update('\0');
  return h.digest('hex').slice(0, 16);
}
