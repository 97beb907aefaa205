import { compileSpec } from '../src/ir/compile';
import { BenchRow } from './types';

const TARGET_MS = 50;

/**
 * Front-half speed: parse + schema + resolve + semantic rules + lowering + counts for the largest built-ins, in
 * process. The first call also compiles the JSON Schema validators; later calls are what an editor or a test sees.
 */
export async function benchCompile(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const name of ['resnet152', 'keras/resnet152v2']) {
    const first = time(() => compileSpec(name));
    const runs = Array.from({ length: options.quick ? 5 : 30 }, () => time(() => compileSpec(name)));
    const median = runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)];
    rows.push(row(`compile ${name}, first call`, first));
    rows.push(row(`compile ${name}, median`, median));
  }
  return rows;
}

function row(name: string, ms: number): BenchRow {
  return { case: name, backend: 'node', threads: 1, unit: 'ms', value: round(ms), peer: 'target', peerValue: TARGET_MS, ratio: round(ms / TARGET_MS) };
}

function time(f: () => unknown): number {
  const start = process.hrtime.bigint();
  const result = f() as { graph?: unknown };
  if (!result.graph) throw new Error('benchmark spec did not compile');
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
