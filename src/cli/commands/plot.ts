import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { usageError } from '../errors';

export function registerPlot(program: Command): void {
  program
    .command('plot')
    .description('write an SVG of the loss and accuracy curves of a run (from its metrics.jsonl)')
    .argument('<run>', 'run directory')
    .option('--out <file.svg>', 'where to write (default: <run>/metrics.svg)')
    .action(async (run: string, opts: { out?: string }) => {
      if (!fs.existsSync(path.join(run, 'metrics.jsonl'))) throw usageError(`${run}: no metrics.jsonl (is it a run directory?)`);
      const { plotRun } = await import('../../train/plot');
      process.stdout.write(`wrote ${plotRun(run, opts.out)}\n`);
    });
}
