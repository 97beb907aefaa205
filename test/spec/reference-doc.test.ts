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
