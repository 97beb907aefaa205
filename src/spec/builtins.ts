import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../io/package-root';

export const specsDir = path.join(packageRoot, 'specs');

/**
 * Folders loadable by name but left out of `netspec list` and of what is generated and tested for every built-in:
 * `base` holds building blocks that other specs extend, not models on their own; `tutorials` holds the worked specs
 * of docs/tutorials.md, each a built-in model (keras-cifar/resnet_v1, keras/resnet50) with a tutorial's recipe,
 * checked by test/spec/tutorials.test.ts instead of by every backend's enumeration of built-ins.
 */
const partsFolders = new Set(['base', 'tutorials']);

/** Every built-in spec name (`resnet50`, `keras/resnet50v2`, `base/imagenet`…), sorted; `includeParts` adds base/ and tutorials/. */
export function builtinNames(includeParts = false): string[] {
  const names: string[] = [];
  const visit = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (includeParts || !partsFolders.has(entry.name)) visit(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      } else if (entry.name.endsWith('.yaml') && prefix !== '') {
        names.push(prefix + entry.name.slice(0, -5));
      } else if (entry.name.endsWith('.yaml') && !isTable(entry.name)) {
        names.push(entry.name.slice(0, -5));
      }
    }
  };
  visit(specsDir, '');
  return names.sort();
}

function isTable(file: string): boolean {
  return file === 'families.yaml' || file === 'conventions.yaml';
}

export function builtinPath(name: string): string | undefined {
  if (!/^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/i.test(name) || isTable(`${name}.yaml`)) return undefined;
  const file = path.join(specsDir, `${name}.yaml`);
  return fs.existsSync(file) ? file : undefined;
}

/** A reference is a path when it looks like one; otherwise it names a built-in. */
export function looksLikePath(ref: string): boolean {
  return /\.ya?ml$/i.test(ref) || ref.startsWith('.') || path.isAbsolute(ref);
}
