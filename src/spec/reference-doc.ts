/**
 * Renders the spec reference (docs/spec-reference.md) from specs/netspec.schema.json and
 * specs/training.schema.json, so the documentation cannot drift from what the validator accepts. `npm run docs`
 * rewrites it; a test fails when it is stale. The rows come from `reference-rows.ts`; every definition with
 * properties of its own gets a section, the named ones first.
 */
import { Condition, hasRows, isSchema, Row, rowsOf, Schema } from './reference-rows';

/** Definitions with a title other than their name, in the order of the page. */
const TITLED: readonly (readonly [string, string])[] = [['stem', 'stem'], ['stage', 'stages[]'], ['blockOverride', 'stages[].overrides.<index>'], ['head', 'head'], ['headLayer', 'head.layers[]']];

export function renderSpecReference(schema: Schema, training?: Schema): string {
  // One namespace for both schemas' definitions: each `$ref` names one section, whichever file defines it.
  const specDefs = (schema.$defs ?? {}) as Record<string, Schema>;
  const trainingDefs = (training?.$defs ?? {}) as Record<string, Schema>;
  const defs = { ...trainingDefs, ...specDefs };
  const out = [
    '<!-- Generated from specs/netspec.schema.json and specs/training.schema.json by `npm run docs`; edit the schemas, not this file. -->',
    '# Spec reference',
    '',
    String(schema.description ?? ''),
    '',
    'Every built-in spec starts with a `# yaml-language-server: $schema=…` line, so editors with the YAML language',
    'server complete and check fields as you type. A row marked *(type: sgd)* applies when the object\'s `type` is',
    'that value; *(mapping form)* marks the fields of the mapping a field also accepts instead of a plain value.',
    '',
  ];
  section('top', 'Top level', schema);
  for (const [name, title] of TITLED) if (defs[name]) section(name, `\`${title}\``, defs[name]);
  const untitled = (all: Record<string, Schema>) => {
    for (const [name, def] of Object.entries(all)) if (!TITLED.some(([n]) => n === name) && hasRows(def)) section(name, `\`${name}\``, def);
  };
  untitled(specDefs);
  if (training) section('train', '`train`', training);
  untitled(trainingDefs);
  return out.join('\n') + '\n';

  function section(anchor: string, title: string, node: Schema) {
    out.push(`<a id="${anchor.toLowerCase()}"></a>`, '', `## ${title}`, '');
    if (node.description && node !== schema) out.push(String(node.description), '');
    out.push('| field | type | default | description |', '|---|---|---|---|');
    for (const row of rowsOf(node)) out.push(rowLine(row, defs));
    out.push('');
  }
}

function rowLine(row: Row, defs: Record<string, Schema>): string {
  const { schema: prop } = row;
  const def = prop.default !== undefined ? `\`${JSON.stringify(prop.default)}\`` : '';
  const notes = [...(row.required ? ['required'] : []), ...row.when.map(conditionText)];
  const name = `\`${row.path}\`${notes.length ? ` (${notes.join('; ')})` : ''}`;
  return `| ${name} | ${typeOf(prop, defs)} | ${def} | ${cell(String(prop.description ?? describeRef(prop, defs)))} |`;
}

function conditionText(c: Condition): string {
  return c.key ? `${c.key}: ${c.values.join(', ')}` : c.values.join(', ');
}

function typeOf(prop: Schema, defs: Record<string, Schema>): string {
  if (prop.$ref) {
    if (String(prop.$ref).endsWith('training.schema.json')) return '[train](#train)';
    const name = String(prop.$ref).split('/').pop() ?? '';
    return hasRows(defs[name] ?? {}) ? `[${name}](#${name.toLowerCase()})` : typeOf(defs[name] ?? {}, defs);
  }
  if (prop.const !== undefined) return `\`${JSON.stringify(prop.const)}\``;
  if (Array.isArray(prop.enum)) return prop.enum.map((v) => `\`${v}\``).join(' \\| ');
  const alternatives = (prop.oneOf ?? prop.anyOf) as Schema[] | undefined;
  if (alternatives) return [...new Set(alternatives.map((a) => typeOf(a, defs)))].join(' or ');
  if (prop.type === 'array') return `list of ${typeOf((prop.items ?? {}) as Schema, defs)}`;
  if (isSchema(prop.additionalProperties)) return `mapping of ${typeOf(prop.additionalProperties, defs)}`;
  if (prop.type === 'object' || prop.properties) return 'mapping';
  if (Array.isArray(prop.type)) return prop.type.join(' or ');
  return String(prop.type ?? 'any');
}

function describeRef(prop: Schema, defs: Record<string, Schema>): string {
  const name = prop.$ref ? String(prop.$ref).split('/').pop() : undefined;
  return name ? String(defs[name]?.description ?? '') : '';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
