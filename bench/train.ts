/**
 * ResNet-20 CIFAR (cifar/resnet20: 32×32×3, batch 64, synthetic data) training and inference img/s on every
 * backend this machine has — onednn and wasm + oneDNN at 1 and 2 threads, portable wasm, cpu (inference only: it
 * trains at under 0.5 img/s) — with PyTorch as the peer in the same run (the 2.x venv of scripts/ci/torch2.sh and
 * Debian's `/usr/bin/python3`, whichever have torch; ratios against each), and a per-op breakdown of one training
 * step per training backend.
 *
 * Training runs the real `Trainer.step` (forward in training mode, cross-entropy, L2 1e-4 on kernels, SGD with
 * momentum 0.9); inference runs `inferenceModel` (batch norm folded, fused conv + bias + ReLU), as evaluate and
 * predict do. Each figure is the best of a few timed rounds after warm-up steps: other processes on a shared
 * machine only ever slow a round down. Ratios are ours / PyTorch's at the same thread count.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { selectBackend } from '../src/runtime/backend';
import { buildLayersModel } from '../src/backends/tfjs/build';
import { inferenceModel } from '../src/backends/tfjs/inference';
import { tf } from '../src/runtime/tf';
import { compileSpec } from '../src/ir/compile';
import { IRGraph } from '../src/ir/types';
import { Trainer } from '../src/train/trainer';
import { decayedNodes } from '../src/train/weight-decay';
import { Breakdown, CATEGORIES, profileSteps } from './step-breakdown';
import { measurePeer, peerPythons, PeerResult } from './train-peer';
import { BenchRow } from './types';

export const SPEC = 'cifar/resnet20';
export const BATCH = 64;

export interface TrainBenchOptions {
  /** Thread counts for the native kernels (default 1 and 2). The portable wasm and cpu backends use one. */
  threads?: readonly number[];
  /** Shorter rounds (for a quick look; the default is what docs/speed.md reports). */
  quick?: boolean;
  /** Run PyTorch as the peer when it is installed (default true). */
  peer?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface Timing {
  /** Calls before timing (the first call of a shape creates oneDNN primitives and grows the wasm heap). */
  warmup: number;
  rounds: number;
  /** Each round lasts at least this long and makes at least `minCalls` calls. */
  seconds: number;
  minCalls: number;
}

/** Best img/s over `rounds` timed rounds. */
export function imagesPerSecond(run: () => void, batch: number, { warmup, rounds, seconds, minCalls }: Timing): number {
  for (let i = 0; i < warmup; i++) run();
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (n < minCalls || elapsed < seconds) {
      run();
      n++;
      elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    }
    best = Math.max(best, (n * batch) / elapsed);
  }
  return best;
}

/** The training setup the rows describe; the PyTorch peer mirrors it. */
function benchTrainer(model: LayersModel): Trainer {
  return new Trainer(model, {
    epochs: 1, batchSize: BATCH, seed: 1,
    optimizer: { type: 'sgd', momentum: 0.9, nesterov: false },
    schedule: { rate: () => 0.01 },
    weightDecay: 1e-4, decayed: decayedNodes(benchGraph(), ['conv', 'dense']), labelSmoothing: 0, loss: 'categorical_crossentropy', fromLogits: false,
  }, '');
}

function benchGraph(): IRGraph {
  const { graph } = compileSpec(SPEC);
  if (!graph) throw new Error(`benchmark spec ${SPEC} did not compile`);
  return graph;
}

function buildModel(): LayersModel {
  return buildLayersModel(benchGraph());
}

interface Batch {
  x: Tensor;
  labels: Int32Array;
}

function syntheticBatch(): Batch {
  const x = tf.randomNormal([BATCH, 32, 32, 3], 0, 1, 'float32', 1);
  return { x, labels: Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % 10) };
}

interface Measured {
  train?: number;
  inference: number;
  breakdown?: Breakdown;
}

/** Measures one backend configuration, on a fresh model whose tensors are all freed afterwards. */
function measure(train: boolean, timing: Timing): Measured {
  const model = buildModel();
  const batch = syntheticBatch();
  try {
    let trainRate: number | undefined;
    let breakdown: Breakdown | undefined;
    if (train) {
      const trainer = benchTrainer(model);
      trainRate = imagesPerSecond(() => trainer.step(batch.x, batch.labels), BATCH, timing);
      breakdown = profileSteps(() => trainer.step(batch.x, batch.labels));
    }
    const folded = inferenceModel(model);
    const inference = imagesPerSecond(() => tf.tidy(() => {
      (folded.predict(batch.x, { batchSize: BATCH }) as Tensor).dataSync();
    }), BATCH, timing);
    folded.dispose();
    return { train: trainRate, inference, breakdown };
  } finally {
    model.dispose();
    batch.x.dispose();
  }
}

function rowsOf(measured: Measured, backend: string, threads: number, peers: PeerResult[]): BenchRow[] {
  const row = (kind: 'train' | 'inference', value: number, peer?: PeerResult): BenchRow => ({
    case: `resnet20 ${kind} bs${BATCH}`, backend, threads, unit: 'img/s', value: round(value),
    ...(peer === undefined ? {} : { peer: peer.name, peerValue: round(peer[kind]), ratio: round(value / peer[kind], 3) }),
  });
  const against = (kind: 'train' | 'inference', value: number): BenchRow[] =>
    peers.length === 0 ? [row(kind, value)] : peers.map((p) => row(kind, value, p));
  const rows: BenchRow[] = [];
  if (measured.train !== undefined) rows.push(...against('train', measured.train));
  rows.push(...against('inference', measured.inference));
  const b = measured.breakdown;
  if (b !== undefined) {
    // value / peerValue = the category's share of the step.
    for (const c of CATEGORIES) {
      rows.push({ case: `resnet20 train step: ${c}`, backend, threads, unit: 'ms', value: round(b[c]),
        peer: 'whole step', peerValue: round(b.total), ratio: round(b[c] / b.total, 3) });
    }
  }
  return rows;
}

/** The `train` suite of `netspec bench`. */
export async function benchTraining(opts: TrainBenchOptions = {}): Promise<BenchRow[]> {
  const timing: Timing = opts.quick
    ? { warmup: 2, rounds: 2, seconds: 1, minCalls: 2 }
    : { warmup: 2, rounds: 3, seconds: 3, minCalls: 2 };
  // The cpu backend takes seconds per batch: one warm-up and one timed call.
  const cpuTiming: Timing = { warmup: 1, rounds: 1, seconds: 0, minCalls: 1 };
  const log = opts.log ?? (() => undefined);
  const pythons = (opts.peer ?? true) ? peerPythons() : [];
  /** Best figures per interpreter and thread count. */
  const peers = new Map<string, PeerResult | null>();
  /** Measures each PyTorch at `threads` (again: keeping the best of each figure). */
  const measurePeersAt = (threads: number): void => {
    for (const python of pythons) {
      log(`pytorch (${python}), ${threads} thread(s)`);
      const fresh = measurePeer(threads, BATCH, timing.seconds, timing.rounds, python);
      const key = `${python} ${threads}`;
      const known = peers.get(key) ?? null;
      const best = fresh === null || known === null ? fresh ?? known
        : { name: fresh.name, train: Math.max(fresh.train, known.train), inference: Math.max(fresh.inference, known.inference) };
      peers.set(key, best);
    }
  };
  const peersAt = (threads: number): PeerResult[] =>
    pythons.map((python) => peers.get(`${python} ${threads}`) ?? null).filter((p): p is PeerResult => p !== null);
  /**
   * Ours between two PyTorch runs (one in quick mode): on a shared machine the load changes over a minute, and
   * the best of a run before and after keeps the ratio from favouring either side.
   */
  const measured = new Set<number>();
  const sandwich = (threads: number, ours: () => Measured): Measured => {
    if (!measured.has(threads)) measurePeersAt(threads);
    measured.add(threads);
    const result = ours();
    if (!opts.quick) measurePeersAt(threads);
    return result;
  };
  // Rows are made at the end, against the best peer figures of the whole run.
  const results: Array<{ measured: Measured; backend: string; threads: number }> = [];
  let nativeLoaded = false;
  for (const backend of ['onednn', 'wasm'] as const) {
    for (const threads of opts.threads ?? [1, 2]) {
      const info = await selectBackend({ backend, threads })
        .catch((err: Error) => ({ name: 'unavailable', description: err.message }));
      if (info.name !== 'onednn' && info.name !== 'wasm+onednn') {
        log(`no native kernels: ${info.description}`);
        break;
      }
      nativeLoaded = true;
      const result = sandwich(threads, () => {
        log(`${info.name}, ${threads} thread(s)`);
        return measure(true, timing);
      });
      results.push({ measured: result, backend: info.name, threads });
    }
  }
  // The portable path: the same wasm backend with the oneDNN kernels taken out.
  await selectBackend({ backend: 'wasm', threads: 1 });
  if (nativeLoaded) (await import('../src/runtime/onednn/kernels')).unregisterNativeKernels();
  const portable = sandwich(1, () => {
    log('wasm (portable kernels), 1 thread');
    return measure(true, timing);
  });
  results.push({ measured: portable, backend: 'wasm', threads: 1 });
  await selectBackend({ backend: 'cpu' });
  log('cpu, 1 thread (inference only)');
  results.push({ measured: measure(false, cpuTiming), backend: 'cpu', threads: 1 });
  // Leave the process on the backend it would pick by itself.
  await selectBackend({ backend: 'auto' });
  return results.flatMap((r) => rowsOf(r.measured, r.backend, r.threads, peersAt(r.threads)));
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
