import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomicSync } from '../io/atomic';
import { builtinNames } from '../spec/builtins';

export interface GenerateReport {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/** Where each emitter keeps one module per built-in spec (generated/, generated/pytorch/). */
export interface GeneratedTree {
  fileOf(name: string): string;
  /** The built-in names that have a file in the tree now. */
  present(): string[];
  emit(name: string): string;
}

/**
 * Brings a tree of emitted modules up to date with the built-ins: writes what changed (atomically), leaves what
 * did not, removes modules whose spec is gone. The drift tests run the same emitters and compare.
 */
export function writeGeneratedTree(tree: GeneratedTree): GenerateReport {
  const report: GenerateReport = { written: [], unchanged: [], removed: [] };
  const names = builtinNames();
  for (const name of names) {
    const file = tree.fileOf(name);
    const text = tree.emit(name);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) {
      report.unchanged.push(name);
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomicSync(file, text);
    report.written.push(name);
  }
  for (const stale of tree.present().filter((n) => !names.includes(n))) {
    fs.rmSync(tree.fileOf(stale));
    report.removed.push(stale);
  }
  return report;
}
