/**
 * `npm run generate` also rewrites generated/pytorch/: the emitted PyTorch module of every built-in spec
 * (generated/pytorch/keras/resnet50.py for keras/resnet50), removing modules whose spec is gone.
 * test/backends/pytorch/drift.test.ts fails when the committed files differ from what this writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { invariant } from '../../diagnostics/diagnostic';
import { compileSpec } from '../../ir/compile';
import { writeFileAtomicSync } from '../../io/atomic';
import { builtinNames } from '../../spec/builtins';
import { generatedDir, REGENERATE } from '../typescript/generate';
import { emitPyTorch } from './module';

export const pytorchDir = path.join(generatedDir, 'pytorch');

export function pytorchFile(name: string, root = pytorchDir): string {
  return path.join(root, `${name}.py`);
}

export function emitBuiltinPyTorch(name: string): string {
  const { graph, diagnostics } = compileSpec(name);
  invariant(graph, `built-in ${name} does not compile: ${diagnostics.map((d) => d.message).join('; ')}`);
  return emitPyTorch(graph, { source: name, regenerate: REGENERATE });
}

/** Every .py file under `root`, relative and without the extension. */
export function pytorchNames(root = pytorchDir): string[] {
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.py')).map((f) => f.slice(0, -3).split(path.sep).join('/')).sort();
}

export function generatePyTorch(root = pytorchDir): { written: string[]; unchanged: string[]; removed: string[] } {
  const report = { written: [] as string[], unchanged: [] as string[], removed: [] as string[] };
  const names = builtinNames();
  for (const name of names) {
    const file = pytorchFile(name, root);
    const text = emitBuiltinPyTorch(name);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) {
      report.unchanged.push(name);
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomicSync(file, text);
    report.written.push(name);
  }
  for (const stale of pytorchNames(root).filter((n) => !names.includes(n))) {
    fs.rmSync(pytorchFile(stale, root));
    report.removed.push(stale);
  }
  return report;
}

if (require.main === module) {
  const r = generatePyTorch();
  process.stdout.write(`generated/pytorch/: ${r.written.length} written, ${r.unchanged.length} unchanged, ${r.removed.length} removed\n`);
}
