/**
 * generated/ holds what the emitter writes for every built-in today. When the emitter, a spec or the IR changes,
 * this fails until `npm run generate` has been run and its output committed.
 */
import * as fs from 'fs';
import { emitBuiltin, generatedFile, generatedNames } from '../../../src/backends/typescript/generate';
import { builtinNames } from '../../../src/spec/builtins';

const stale = (what: string) => new Error(`${what}: run \`npm run generate\` and commit generated/`);

test.each(builtinNames())('generated/%s.ts is what the emitter writes now', (name) => {
  const file = generatedFile(name);
  if (!fs.existsSync(file)) throw stale(`generated/${name}.ts is missing`);
  const committed = fs.readFileSync(file, 'utf8');
  const emitted = emitBuiltin(name);
  if (committed !== emitted) {
    const line = committed.split('\n').findIndex((l, i) => l !== emitted.split('\n')[i]) + 1;
    throw stale(`generated/${name}.ts differs from the emitter's output from line ${line}`);
  }
});

test('generated/ holds no module of a spec that is gone', () => {
  const extra = generatedNames().filter((n) => !builtinNames().includes(n));
  if (extra.length > 0) throw stale(`generated/ has modules without a built-in spec (${extra.join(', ')})`);
});
