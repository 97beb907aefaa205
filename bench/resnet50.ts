/**
 * ResNet-50 at 224×224 (netspec's `resnet50`, torchvision's layout): training (Adam) at batch 8 and 64 and
 * inference at batch 8, on the `onednn` backend and in PyTorch (2.x and Debian's 1.13 where installed) at the
 * same threads. Every case runs in a fresh process of its own (ours: ./resnet50-case.ts), so that its peak RSS —
 * reported beside img/s — is that case's alone. Timing is one warm-up call and a few timed calls: at ~3 s a
 * step on two cores, best-of rounds would take an hour.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { CaseResult, measureResnet50Peer } from './resnet50-peer';
import { peerPythons } from './train-peer';
import { BenchRow } from './types';

interface Case {
  kind: 'train' | 'inference';
  batch: number;
  /** Timed calls after the warm-up call. */
  calls: number;
}

const CASES: readonly Case[] = [
  { kind: 'train', batch: 8, calls: 3 },
  { kind: 'inference', batch: 8, calls: 5 },
  { kind: 'train', batch: 64, calls: 1 },
];

/** Ours, in a child process running the compiled resnet50-case.js next to this file. */
function measureOurs(threads: number, c: Case): CaseResult | { error: string } {
  const script = path.join(__dirname, 'resnet50-case.js');
  const r = spawnSync(process.execPath, [script, 'onednn', String(threads), c.kind, String(c.batch), String(c.calls)], {
    encoding: 'utf8', timeout: 60 * 60_000,
  });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) return { error: (r.stderr ?? '').trim().split('\n').pop() || `exit status ${r.status ?? r.signal}` };
  return JSON.parse(line) as CaseResult | { error: string };
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The `resnet50` suite of `netspec bench`. */
export async function benchResnet50(opts: { threads?: readonly number[]; log?: (line: string) => void } = {}): Promise<BenchRow[]> {
  const log = opts.log ?? (() => undefined);
  const pythons = peerPythons();
  const rows: BenchRow[] = [];
  for (const threads of opts.threads ?? [2]) {
    for (const c of CASES) {
      const name = `resnet50 224² ${c.kind} bs${c.batch}`;
      log(`${name}: onednn, ${threads} thread(s)`);
      const ours = measureOurs(threads, c);
      const peers = pythons.map((python) => {
        log(`${name}: pytorch (${python}), ${threads} thread(s)`);
        return measureResnet50Peer(python, threads, c.kind, c.batch, c.calls);
      });
      if ('error' in ours) log(`${name} on onednn failed: ${ours.error}`);
      peers.forEach((p, i) => { if ('error' in p) log(`${name} in ${pythons[i]} failed: ${p.error}`); });
      const ran = peers.filter((p): p is CaseResult & { name: string } => !('error' in p));
      const value = 'error' in ours ? 0 : ours.imagesPerSecond;
      const rss = 'error' in ours ? 0 : ours.peakRssMB;
      const pair = (unit: string, mine: number, theirs: (p: CaseResult) => number, suffix: string): BenchRow[] =>
        (ran.length === 0 ? [undefined] : ran).map((p) => ({
          case: `${name}${suffix}`, backend: 'onednn', threads, unit, value: round(mine, unit === 'MB' ? 0 : 2),
          ...(p === undefined ? {} : {
            peer: p.name, peerValue: round(theirs(p), unit === 'MB' ? 0 : 2),
            ratio: mine === 0 ? 0 : round(mine / theirs(p), 3),
          }),
        }));
      rows.push(...pair('img/s', value, (p) => p.imagesPerSecond, ''));
      rows.push(...pair('MB', rss, (p) => p.peakRssMB, ' peak RSS'));
    }
  }
  return rows;
}
