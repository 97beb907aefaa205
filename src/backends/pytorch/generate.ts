/**
 * `npm run generate` also rewrites generated/pytorch/: the emitted PyTorch module of every built-in spec
 * (generated/pytorch/keras/resnet50.py for keras/resnet50), removing modules whose spec is gone.
 * test/backends/pytorch/drift.test.ts fails when the committed files differ from what this writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { invariant } from '../../diagnostics/diagnostic';
import { compileSpec } from '../../ir/compile';
import { GenerateReport, writeGeneratedTree } from '../generated-tree';
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

export function generatePyTorch(root = pytorchDir): GenerateReport {
  return writeGeneratedTree({ fileOf: (name) => pytorchFile(name, root), present: () => pytorchNames(root), emit: emitBuiltinPyTorch });
}

if (require.main === module) {
  const r = generatePyTorch();
  process.stdout.write(`generated/pytorch/: ${r.written.length} written, ${r.unchanged.length} unchanged, ${r.removed.length} removed\n`);
}
