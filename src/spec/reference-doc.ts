/**
 * Renders the spec reference (docs/spec-reference.md) from specs/netspec.schema.json, so the documentation cannot
 * drift from what the validator accepts. `npm run docs` rewrites it; a test fails when it is stale.
 */
import { discriminatedOf } from './discriminated';

type Schema = Record<string, unknown>;

export function renderSpecReference(schema: Schema, training?: Schema): string {
  const defs = (schema.$defs ?? {}) as Record<string, Schema>;
  const out = [
    '<!-- Generated from specs/netspec.schema.json by `npm run docs`; edit the schema, not this file. -->',
    '# Spec reference',
    '',
    String(schema.description ?? ''),
    '',
    'Every built-in spec starts with a `# yaml-language-server: $schema=…` line, so editors with the YAML language',
    'server complete and check fields as you type.',
    '',
  ];
  section('Top level', schema);
  for (const [name, title] of [['stem', 'stem'], ['stage', 'stages[]'], ['blockOverride', 'stages[].overrides.<index>'], ['head', 'head']] as const) {
    section(`\`${title}\``, defs[name]);
  }
  if (training) section('`train`', training);
  return out.join('\n') + '\n';

  function section(title: string, node: Schema) {
    out.push(`## ${title}`, '');
    if (node.description && node !== schema) out.push(String(node.description), '');
    out.push('| field | type | default | description |', '|---|---|---|---|');
    const props = (node.properties ?? {}) as Record<string, Schema>;
    const required = new Set((node.required as string[] | undefined) ?? []);
    const rows = (entries: [string, Schema][], prefix: string, variant = '') => {
      for (const [key, prop] of entries) {
        const def = prop.default !== undefined ? `\`${JSON.stringify(prop.default)}\`` : '';
        const name = required.has(key) && !prefix ? `\`${key}\` (required)` : `\`${prefix}${key}\`${variant}`;
        out.push(`| ${name} | ${typeOf(prop, defs)} | ${def} | ${cell(String(prop.description ?? describeRef(prop, defs)))} |`);
        if (prop.type === 'object' && prop.properties) rows(Object.entries(prop.properties as Record<string, Schema>), `${prefix}${key}.`);
        // Settings of one `type` only (optimizer.momentum of sgd, optimizer.rho of rmsprop), each row naming it.
        for (const v of discriminatedOf(prop)?.variants ?? []) rows(Object.entries(v.schemas), `${prefix}${key}.`, ` (${v.value})`);
      }
    };
    rows(Object.entries(props), '');
    out.push('');
  }
}

function typeOf(prop: Schema, defs: Record<string, Schema>): string {
  if (prop.$ref) {
    if (String(prop.$ref).endsWith('training.schema.json')) return '[train](#train)';
    const name = String(prop.$ref).split('/').pop() ?? '';
    return name === 'shortcutKind' ? typeOf(defs[name], defs) : `[${name}](#${name.toLowerCase()})`;
  }
  if (prop.const !== undefined) return `\`${JSON.stringify(prop.const)}\``;
  if (Array.isArray(prop.enum)) return prop.enum.map((v) => `\`${v}\``).join(' \\| ');
  const alternatives = (prop.oneOf ?? prop.anyOf) as Schema[] | undefined;
  if (alternatives) return alternatives.map((a) => typeOf(a, defs)).join(' or ');
  if (prop.type === 'array') return `list of ${typeOf((prop.items ?? {}) as Schema, defs)}`;
  if (prop.type === 'object' && prop.properties) return 'mapping';
  return String(prop.type ?? 'any');
}

function describeRef(prop: Schema, defs: Record<string, Schema>): string {
  const name = prop.$ref ? String(prop.$ref).split('/').pop() : undefined;
  return name ? String(defs[name]?.description ?? '') : '';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
