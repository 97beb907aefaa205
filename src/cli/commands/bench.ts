import { Command } from 'commander';
import type { BenchRow, BenchSuite } from '../../../bench/types';
import { usageError } from '../errors';

/**
 * The suites live in bench/ at the top of the source tree, outside the published library: an installed package has
 * none, and says where they are instead of failing on a missing module.
 */
function loadBenchSuites(): readonly BenchSuite[] {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../../bench/suites') as typeof import('../../../bench/suites')).benchSuites;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    throw usageError('the benchmarks are not part of the installed package', 'run them from a clone of the netspec repository: npm ci && npm run bench');
  }
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('measure speed against peers timed in the same run (from a source checkout)')
    .option('--suite <names>', 'comma-separated suites to run (default: all)')
    .option('--quick', 'fewer repetitions')
    .option('--list', 'print the suites that would run, and run nothing')
    .option('--json', 'print an array of { case, backend, threads, unit, value, peer, peerValue, ratio }')
    .action(async (opts: { suite?: string; quick?: boolean; json?: boolean; list?: boolean }) => {
      const benchSuites = loadBenchSuites();
      const wanted = opts.suite ? opts.suite.split(',').map((s) => s.trim()) : benchSuites.map((s) => s.name);
      const unknown = wanted.filter((w) => !benchSuites.some((s) => s.name === w));
      if (unknown.length) throw usageError(`unknown suite ${unknown.join(', ')}`, `choose from ${benchSuites.map((s) => s.name).join(', ')}`);
      if (opts.list) {
        for (const suite of benchSuites.filter((s) => wanted.includes(s.name))) process.stdout.write(`${suite.name}: ${suite.description}\n`);
        return;
      }
      const rows: BenchRow[] = [];
      for (const suite of benchSuites.filter((s) => wanted.includes(s.name))) {
        if (!opts.json) process.stderr.write(`running ${suite.name}: ${suite.description}\n`);
        rows.push(...(await suite.run({ quick: opts.quick })));
      }
      process.stdout.write(opts.json ? JSON.stringify(rows, null, 2) + '\n' : table(rows));
    });
}

/** A plain aligned table: case, backend, threads, value, peer, ratio. */
export function table(rows: readonly BenchRow[]): string {
  const cells = rows.map((r) => [
    r.case, r.backend, String(r.threads), `${fmt(r.value)} ${r.unit}`,
    r.peer ? `${r.peer} ${fmt(r.peerValue ?? NaN)}` : '', r.ratio !== undefined ? `${fmt(r.ratio)}×` : '',
  ]);
  const head = ['case', 'backend', 'threads', 'value', 'peer', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i >= 2 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '-';
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}
