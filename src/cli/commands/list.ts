import { Command } from 'commander';
import { builtinNames } from '../../spec/builtins';
import { compileSpec } from '../../ir/compile';
import { formatCount } from '../format';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the built-in specs')
    .option('--json', 'print a JSON array')
    .action((opts: { json?: boolean }) => {
      const rows = builtinNames().map((name) => {
        const g = compileSpec(name).graph;
        return { name, params: g?.params.total ?? null, trainable: g?.params.trainable ?? null, macs: g?.macs ?? null };
      });
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      const width = Math.max(...rows.map((r) => r.name.length));
      process.stdout.write(`${'name'.padEnd(width)}  ${'params'.padStart(12)}  ${'trainable'.padStart(12)}  ${'MACs'.padStart(9)}\n`);
      for (const r of rows) {
        const macs = r.macs === null ? '-' : `${(r.macs / 1e9).toFixed(3)} G`;
        process.stdout.write(`${r.name.padEnd(width)}  ${formatCount(r.params).padStart(12)}  ${formatCount(r.trainable).padStart(12)}  ${macs.padStart(9)}\n`);
      }
    });
}
