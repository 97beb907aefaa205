/**
 * Renders the spec reference (docs/spec-reference.md) from specs/netspec.schema.json, so the documentation cannot
 * drift from what the validator accepts. `npm run docs` rewrites it; a test fails when it is stale.
 */
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
  for (const [name, title] of [['stem', 'stem'], ['stage', 'stages[]'], ['blockOverride', 'stages[].overrides.<index>'], ['head', 'head'], ['headLayer', 'head.layers[]']] as const) {
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
    const rows = (entries: [string, Schema][], prefix: string) => {
      for (const [key, prop] of entries) {
        const def = prop.default !== undefined ? `\`${JSON.stringify(prop.default)}\`` : '';
        const name = required.has(key) && !prefix ? `\`${key}\` (required)` : `\`${prefix}${key}\``;
        out.push(`| ${name} | ${typeOf(prop, defs)} | ${def} | ${cell(String(prop.description ?? describeRef(prop, defs)))} |`);
        if (prop.type === 'object' && prop.properties) rows(Object.entries(prop.properties as Record<string, Schema>), `${prefix}${key}.`);
      }
    };
    rows(Object.entries(props), '');
    rows(variantProperties(node), '');
    out.push('');
  }
}

/**
 * The settings of each `type` of an object written as an if/then/else chain on `type` (head.layers items), each
 * described with the type it belongs to.
 */
function variantProperties(node: Schema): [string, Schema][] {
  const found: [string, Schema][] = [];
  let branch = ((node.allOf ?? []) as Schema[]).find((s) => s.if !== undefined);
  while (branch && branch.if) {
    const condition = (branch.if as Schema).properties as Record<string, Schema>;
    const [key, value] = Object.entries(condition)[0];
    const props = ((branch.then as Schema)?.properties ?? {}) as Record<string, Schema>;
    for (const [name, prop] of Object.entries(props)) {
      found.push([name, { ...prop, description: `(${key}: ${String(value.const)}) ${String(prop.description ?? '')}` }]);
    }
    branch = branch.else as Schema | undefined;
  }
  return found;
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
