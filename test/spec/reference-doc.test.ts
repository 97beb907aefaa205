import * as fs from 'fs';
import * as path from 'path';
import { renderSpecReference } from '../../src/spec/reference-doc';
import { specSchema, trainingSchema } from '../../src/spec/schema';

test('docs/spec-reference.md is up to date with the schema (run `npm run docs`)', () => {
  const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'spec-reference.md'), 'utf8');
  expect(committed).toBe(renderSpecReference(specSchema(), trainingSchema()));
});

test('every schema property is documented with a description', () => {
  const missing: string[] = [];
  const visit = (node: unknown, where: string) => {
    if (typeof node !== 'object' || node === null) return;
    const props = (node as { properties?: Record<string, Record<string, unknown>> }).properties;
    for (const [key, prop] of Object.entries(props ?? {})) {
      if (!prop.description && !prop.$ref) missing.push(`${where}.${key}`);
      visit(prop, `${where}.${key}`);
    }
    for (const [key, def] of Object.entries((node as { $defs?: Record<string, unknown> }).$defs ?? {})) visit(def, `$defs.${key}`);
  };
  visit(specSchema(), '');
  expect(missing).toEqual([]);
});

type Node = Record<string, unknown>;

/**
 * Every property a schema mentions anywhere below `node` (nested objects, list items, and the branches of
 * allOf / oneOf / anyOf / if-then-else), as the dotted path a user writes. `if` holds conditions, not fields;
 * `$ref`s are documented in their definition's own section.
 */
function propertyPaths(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return [];
  const n = node as Node;
  const found: string[] = [];
  for (const [key, prop] of Object.entries((n.properties ?? {}) as Node)) found.push(prefix + key, ...propertyPaths(prop, `${prefix}${key}.`));
  for (const keyword of ['allOf', 'oneOf', 'anyOf']) for (const branch of (n[keyword] ?? []) as unknown[]) found.push(...propertyPaths(branch, prefix));
  for (const keyword of ['then', 'else']) found.push(...propertyPaths(n[keyword], prefix));
  if (n.items) found.push(...propertyPaths(n.items, prefix.replace(/\.$/, '[].')));
  return found;
}

/** The page's section after `<a id="anchor">`, up to the next one. */
function section(page: string, anchor: string): string {
  const start = page.indexOf(`<a id="${anchor}"></a>`);
  if (start < 0) return '';
  const end = page.indexOf('<a id="', start + 1);
  return page.slice(start, end < 0 ? undefined : end);
}

describe('the reference lists every property of both schemas, in its section', () => {
  const page = renderSpecReference(specSchema(), trainingSchema());
  const defs = { ...((trainingSchema().$defs ?? {}) as Record<string, unknown>), ...((specSchema().$defs ?? {}) as Record<string, unknown>) };
  const roots: [string, unknown][] = [['top', specSchema()], ['train', trainingSchema()], ...Object.entries(defs).map(([k, d]) => [k.toLowerCase(), d] as [string, unknown])];
  for (const [anchor, root] of roots) {
    const paths = [...new Set(propertyPaths(root))];
    if (paths.length === 0) continue;
    test(`${anchor}: ${paths.length} properties`, () => {
      const text = section(page, anchor);
      expect(paths.filter((p) => !text.includes(`| \`${p}\``))).toEqual([]);
    });
  }

  test('the settings of each optimizer and schedule are marked with the type that takes them', () => {
    const train = section(page, 'train');
    const row = (p: string) => train.split('\n').find((l) => l.startsWith(`| \`${p}\``)) ?? '';
    expect(row('optimizer.momentum')).toContain('(type: sgd)');
    expect(row('optimizer.nesterov')).toContain('(type: sgd)');
    expect(row('optimizer.beta1')).toContain('(type: adam');
    expect(row('schedule.min_lr')).toContain('(type: cosine)');
    expect(row('schedule.milestones')).toContain('(type: multistep)');
    expect(row('schedule.factors')).toContain('(type: multistep)');
    expect(row('augment.erasing.probability')).toMatch(/^\| `augment\.erasing\.probability` \| number \| `0` \|/);
    expect(row('reduce_on_plateau.min_lr')).toContain('| `0` |');
  });

  test("the shortcut's mapping form is documented field by field", () => {
    const stage = section(page, 'stage');
    expect(stage).toContain('| `shortcut.kind` (required; mapping form) | `projection` \\| `identity` \\| `option_a` \\| `maxpool` \\| `avg_down` |');
    expect(stage).toContain('| `shortcut.norm` (mapping form) | boolean |');
  });
});

test('a list of discriminated mappings written as oneOf renders one row per setting with the types that take it', () => {
  // The shape a layer list takes in a schema (one alternative per `type`), whatever field it is added under.
  const layer = (type: string, extra: Node) => ({ type: 'object', properties: { type: { const: type }, name: { type: 'string', description: 'Layer name.' }, ...extra } });
  const schema = {
    description: 'x',
    properties: {
      layers: {
        type: 'array',
        description: 'Layers.',
        items: { oneOf: [layer('flatten', {}), layer('dense', { units: { type: 'integer', description: 'Units.' } }), layer('dropout', { rate: { type: 'number', description: 'Rate.' } })] },
      },
    },
  };
  const rows = renderSpecReference(schema).split('\n').filter((l) => l.startsWith('| `layers'));
  expect(rows).toEqual([
    '| `layers` | list of mapping |  | Layers. |',
    '| `layers[].type` | `flatten` \\| `dense` \\| `dropout` |  |  |',
    '| `layers[].name` (type: flatten, dense, dropout) | string |  | Layer name. |',
    '| `layers[].units` (type: dense) | integer |  | Units. |',
    '| `layers[].rate` (type: dropout) | number |  | Rate. |',
  ]);
});

test('an if/then/else chain on `type` marks each setting with its types, the last else with the values left', () => {
  const epsilon = { type: 'number', description: 'ε.' };
  const schema = {
    properties: {
      optimizer: {
        type: 'object',
        properties: { type: { enum: ['adam', 'sgd', 'rmsprop', 'adamw'], description: 'Kind.' } },
        allOf: [{
          if: { properties: { type: { const: 'sgd' } }, required: ['type'] },
          then: { properties: { momentum: { type: 'number', description: 'Momentum.' } } },
          else: {
            if: { properties: { type: { const: 'rmsprop' } }, required: ['type'] },
            then: { properties: { rho: { type: 'number', description: 'ρ.' }, epsilon } },
            else: { properties: { beta1: { type: 'number', description: 'β₁.' }, epsilon } },
          },
        }],
      },
    },
  };
  const rows = renderSpecReference(schema).split('\n').filter((l) => l.startsWith('| `optimizer.'));
  expect(rows).toEqual([
    '| `optimizer.type` | `adam` \\| `sgd` \\| `rmsprop` \\| `adamw` |  | Kind. |',
    '| `optimizer.momentum` (type: sgd) | number |  | Momentum. |',
    '| `optimizer.rho` (type: rmsprop) | number |  | ρ. |',
    '| `optimizer.epsilon` (type: rmsprop, adam, adamw) | number |  | ε. |',
    '| `optimizer.beta1` (type: adam, adamw) | number |  | β₁. |',
  ]);
});

test("a definition of the training schema gets its own section, linked from where it is used", () => {
  const training = {
    properties: { loss: { $ref: '#/$defs/loss' } },
    $defs: { loss: { type: 'object', description: 'The loss.', properties: { from_logits: { type: 'boolean', description: 'Logits in.' } } } },
  };
  const page = renderSpecReference({ properties: {} }, training);
  expect(page).toContain('| `loss` | [loss](#loss) |  | The loss. |');
  expect(page).toContain('<a id="loss"></a>\n\n## `loss`\n\nThe loss.\n');
  expect(page).toContain('| `from_logits` | boolean |  | Logits in. |');
});
