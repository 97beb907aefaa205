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
}

export function registerEmit(program: Command): void {
  program
    .command('emit')
    .description('write the TypeScript module that builds the spec\'s model with @tensorflow/tfjs alone (stdout without --out)')
    .argument('<spec>', 'built-in name (see `netspec list`) or spec file')
    .option('--out <file.ts>', 'file to write (replaced atomically; its folder must exist)')
    .option('--set <key=value>', 'override a field, e.g. --set head.classes=10 (repeatable)', collectSets, [])
    .option(ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets, [])
    .action((ref: string, opts: EmitCommandOptions) => emit(ref, opts));
}

/** The emitter (ts-morph, a whole TypeScript compiler) loads only when this command runs. */
async function emit(ref: string, opts: EmitCommandOptions): Promise<void> {
  if (opts.out !== undefined) checkOutFile(opts.out);
  const { graph } = loadGraph(ref, opts.set, opts.allowPath);
  const sets = opts.set.map((s) => ` --set ${s}`).join('');
  const { emitTypeScript } = await import('../../backends/typescript');
  const source = emitTypeScript(graph, { source: ref, sets: opts.set, regenerate: `netspec emit ${ref}${sets}${opts.out ? ` --out ${opts.out}` : ''}` });
  if (opts.out === undefined) {
    process.stdout.write(source);
    return;
  }
  writeFileAtomicSync(opts.out, source);
  process.stderr.write(`wrote ${opts.out} (${graph.name}, ${source.split('\n').length - 1} lines)\n`);
}

/** Fails before compiling when the output cannot be written. */
function checkOutFile(out: string): void {
  if (!/\.[cm]?ts$/.test(out)) throw usageError(`--out ${out}: expected a .ts file`);
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw usageError(`--out ${out}: folder ${path.dirname(out)} does not exist`);
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw usageError(`--out ${out} is a folder; give a file name`);
}
