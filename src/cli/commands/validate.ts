import { Command } from 'commander';
import { EXIT_BAD_INPUT } from '../../diagnostics/diagnostic';
import { renderDiagnosticLine } from '../../diagnostics/render';
import { compileSpec } from '../../ir/compile';
import { ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets } from '../load';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check spec files: one line per problem (file:line:col), exit 0 when all are valid, 2 otherwise')
    .argument('<specs...>', 'spec files or built-in names')
    .option('--set <key=value>', 'override a field, e.g. --set stages.3.blocks=4 (repeatable)', collectSets, [])
    .option(ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets, [])
    .option('--json', 'print the diagnostics as JSON')
    .action((specs: string[], opts: { set: string[]; allowPath: string[]; json?: boolean }) => {
      let failed = false;
      const all: unknown[] = [];
      for (const ref of specs) {
        const result = compileSpec(ref, { sets: opts.set, allowPaths: opts.allowPath });
        const valid = !!result.graph && !result.diagnostics.some((d) => d.severity === 'error');
        failed ||= !valid;
        if (opts.json) all.push({ spec: ref, valid, diagnostics: result.diagnostics });
        else for (const d of result.diagnostics) process.stdout.write(renderDiagnosticLine(d) + '\n');
      }
      if (opts.json) process.stdout.write(JSON.stringify(all, null, 2) + '\n');
      if (failed) process.exitCode = EXIT_BAD_INPUT;
    });
}
