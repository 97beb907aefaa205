/**
 * `npm run generate`: rewrites generated/ with the emitted module of every built-in spec (generated/keras/resnet50.ts
 * for keras/resnet50) and removes modules whose spec is gone. test/backends/typescript/drift.test.ts fails when the
 * committed files differ from what this writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { invariant } from '../../diagnostics/diagnostic';
import { compileSpec } from '../../ir/compile';
import { specsDir } from '../../spec/builtins';
import { GenerateReport, writeGeneratedTree } from '../generated-tree';
import { emitTypeScript } from './module';

export const generatedDir = path.join(path.dirname(specsDir), 'generated');

export const REGENERATE = 'npm run generate';

export function generatedFile(name: string, root = generatedDir): string {
  return path.join(root, `${name}.ts`);
}

/** The module a built-in spec emits, exactly as generated/ should hold it. */
export function emitBuiltin(name: string): string {
  const { graph, diagnostics } = compileSpec(name);
  invariant(graph, `built-in ${name} does not compile: ${diagnostics.map((d) => d.message).join('; ')}`);
  return emitTypeScript(graph, { source: name, regenerate: REGENERATE });
}

/** Every .ts file under `root`, as names relative to it without the extension (`keras/resnet50`). */
export function generatedNames(root = generatedDir): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const visit = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) visit(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith('.ts')) out.push(prefix + entry.name.slice(0, -3));
    }
  };
  visit(root, '');
  return out.sort();
}

export type { GenerateReport };

export function generate(root = generatedDir): GenerateReport {
  return writeGeneratedTree({ fileOf: (name) => generatedFile(name, root), present: () => generatedNames(root), emit: emitBuiltin });
}

if (require.main === module) {
  const started = Date.now();
  const r = generate();
  const list = (label: string, names: string[]) => (names.length > 0 ? `${label}: ${names.join(', ')}\n` : '');
  process.stdout.write(`${list('written', r.written)}${list('removed', r.removed)}`);
  process.stdout.write(`generated/: ${r.written.length} written, ${r.unchanged.length} unchanged, ${r.removed.length} removed (${Date.now() - started} ms)\n`);
}
