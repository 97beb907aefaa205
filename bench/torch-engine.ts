/**
 * The torch engine (`netspec train --engine torch`) on the train suite's case, ResNet-20 CIFAR at batch 64 on
 * synthetic data: img/s of the second of two short epochs (the first pays for process start and allocation), at 1
 * and 2 DDP processes (gloo, one thread each). Its figure is an epoch's wall time, data loading and the per-epoch
 * checkpoint included; the tfjs rows of the train suite time steps alone, so this comparison favours tfjs slightly.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findTorchPython } from '../src/backends/pytorch/python';
import { trainOnTorch } from '../src/backends/pytorch/train/launch';
import { readMetrics } from '../src/train/metrics';
import { BATCH, SPEC } from './train';
import { BenchRow } from './types';

export async function benchTorchEngine(o: { quick?: boolean; log?: (line: string) => void }): Promise<BenchRow[]> {
  const python = findTorchPython();
  if (python === undefined) {
    o.log?.('torch engine: skipped, no Python that imports torch (apt-get install python3-torch)');
    return [];
  }
  const rows: BenchRow[] = [];
  // One thread per process, so `threads` is what the row says (the launcher would give a lone process every core).
  const threads = process.env.OMP_NUM_THREADS;
  process.env.OMP_NUM_THREADS = '1';
  for (const nproc of [1, 2]) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-bench-torch-'));
    try {
      const { code } = await trainOnTorch({ spec: SPEC, data: 'synthetic', limit: (o.quick ? 10 : 40) * BATCH, epochs: 2, batchSize: BATCH, out: path.join(out, 'run'), nprocPerNode: nproc });
      const last = readMetrics(path.join(out, 'run', 'metrics.jsonl')).pop();
      if (code !== 0 || last === undefined) throw new Error(`torch engine run failed (status ${code})`);
      rows.push({ case: `${SPEC} train bs ${BATCH}, torch engine (${nproc} DDP process${nproc > 1 ? 'es' : ''})`, backend: `torch ${python.torchVersion} gloo`, threads: nproc, unit: 'img/s', value: last.images_per_second as number });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  if (threads === undefined) delete process.env.OMP_NUM_THREADS;
  else process.env.OMP_NUM_THREADS = threads;
  return rows;
}
