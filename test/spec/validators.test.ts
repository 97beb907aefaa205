/**
 * The build writes the schema validators as standalone JavaScript (dist/src/spec/*.generated.js) so commands start
 * fast. They must be used when current, and must judge every spec exactly as the validators compiled at run time.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { loadValidators } from '../../src/spec/validators';

const dist = path.join(__dirname, '..', '..', 'dist', 'src', 'spec');
const broken = path.join(__dirname, '..', 'fixtures', 'broken');

test('the built CLI uses the standalone validators', () => {
  const built = require(path.join(dist, 'validators.js')) as { loadValidators: typeof loadValidators };
  const v = built.loadValidators();
  expect(v.file).toBe(require(path.join(dist, 'validate-file.generated.js')));
  expect(v.complete).toBe(require(path.join(dist, 'validate-complete.generated.js')));
});

test('standalone and run-time validators give the same verdicts and errors', () => {
  const standalone = (require(path.join(dist, 'validators.js')) as { loadValidators: typeof loadValidators }).loadValidators();
  const compiled = loadValidators(); // from src: no generated files beside it, so compiled now
  expect(compiled.file).not.toBe(standalone.file);
  const docs = fs.readdirSync(broken).filter((f) => f.endsWith('.yaml')).map((f) => {
    try {
      return parse(fs.readFileSync(path.join(broken, f), 'utf8'));
    } catch {
      return undefined;
    }
  }).filter((d) => d !== undefined);
  expect(docs.length).toBeGreaterThan(40);
  for (const kind of ['file', 'complete'] as const) {
    for (const doc of docs) {
      const a = structuredClone(doc);
      const b = structuredClone(doc);
      expect(standalone[kind](a)).toBe(compiled[kind](b));
      const summary = (errors: typeof compiled.file.errors) => (errors ?? []).map((e) => `${e.keyword} ${e.instancePath} ${e.schemaPath}`);
      expect(summary(standalone[kind].errors)).toEqual(summary(compiled[kind].errors));
      expect(a).toEqual(b); // the same defaults filled in
    }
  }
});
