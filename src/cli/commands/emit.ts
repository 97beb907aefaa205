import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { writeFileAtomicSync } from '../../io/atomic';
import { usageError } from '../errors';
import { ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets, loadGraph } from '../load';

interface EmitCommandOptions {
  out?: string;
  set: string[];
  allowPath: string[];
  target: string;
}

/** Each target: its file extension and the module that prints it (loaded only when used). */
const TARGETS: Readonly<Record<string, { ext: RegExp; what: string }>> = {
  typescript: { ext: /\.[cm]?ts$/, what: 'a .ts file' },
  pytorch: { ext: /\.py$/, what: 'a .py file' },
};

export function registerEmit(program: Command): void {
  program
    .command('emit')
    .description('write the module that builds the spec\'s model: TypeScript with @tensorflow/tfjs alone, or Python with torch alone (stdout without --out)')
    .argument('<spec>', 'built-in name (see `netspec list`) or spec file')
    .option('--target <target>', `what to write: ${Object.keys(TARGETS).join(' or ')}`, 'typescript')
    .option('--out <file>', 'file to write (replaced atomically; its folder must exist)')
    .option('--set <key=value>', 'override a field, e.g. --set head.classes=10 (repeatable)', collectSets, [])
    .option(ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets, [])
    .action((ref: string, opts: EmitCommandOptions) => emit(ref, opts));
}

/** The emitter (ts-morph, a whole TypeScript compiler) loads only when this command runs. */
async function emit(ref: string, opts: EmitCommandOptions): Promise<void> {
  const target = TARGETS[opts.target];
  if (target === undefined) throw usageError(`--target ${opts.target}: expected one of ${Object.keys(TARGETS).join(', ')}`);
  if (opts.out !== undefined) checkOutFile(opts.out, target);
  const { graph } = loadGraph(ref, opts.set, opts.allowPath);
  const sets = opts.set.map((s) => ` --set ${s}`).join('');
  const targetFlag = opts.target === 'typescript' ? '' : ` --target ${opts.target}`;
  const emitOptions = { source: ref, sets: opts.set, regenerate: `netspec emit ${ref}${sets}${targetFlag}${opts.out ? ` --out ${opts.out}` : ''}` };
  const source = opts.target === 'pytorch'
    ? (await import('../../backends/pytorch/module')).emitPyTorch(graph, emitOptions)
    : (await import('../../backends/typescript')).emitTypeScript(graph, emitOptions);
  if (opts.out === undefined) {
    process.stdout.write(source);
    return;
  }
  writeFileAtomicSync(opts.out, source);
  process.stderr.write(`wrote ${opts.out} (${graph.name}, ${source.split('\n').length - 1} lines)\n`);
}

/** Fails before compiling when the output cannot be written. */
function checkOutFile(out: string, target: { ext: RegExp; what: string }): void {
  if (!target.ext.test(out)) throw usageError(`--out ${out}: expected ${target.what}`);
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw usageError(`--out ${out}: folder ${path.dirname(out)} does not exist`);
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw usageError(`--out ${out} is a folder; give a file name`);
}
