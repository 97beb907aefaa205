/**
 * `netspec train --engine torch`: prepares the run directory (./prepare.ts), launches torchrun
 * (`python -m torch.distributed.run`, which every torch since 1.10 has) with netspec_train.py, relays rank 0's
 * epoch lines into metrics.jsonl, the terminal and metrics.svg as the tfjs engine does, and at the end converts the
 * last state dict into the tfjs Layers model in model/, so evaluate and predict work on the run unchanged.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import { userError } from '../../../diagnostics/diagnostic';
import type { BestRecord } from '../../../train/best';
import { writeCheckpoint } from '../../../train/checkpoint';
import { appendMetrics, readMetrics, writeMetrics } from '../../../train/metrics';
import { plotRun } from '../../../train/plot';
import { RUN_FILES } from '../../../train/run-dir';
import { readSafetensors } from '../../../io/safetensors';
import { requireTorchPython, TorchPython } from '../python';
import { PreparedRun, prepareTorchRun, TORCH_DIR, TORCH_FILES, TorchRunOptions } from './prepare';

export interface DistributedOptions {
  nprocPerNode?: number;
  nnodes?: number;
  nodeRank?: number;
  masterAddr?: string;
  masterPort?: number;
  python?: string;
  /** Write the run directory and report the torchrun command without launching it (for a cluster's scheduler). */
  dryRun?: boolean;
}

export interface TorchTrainEvents {
  onStart?(run: PreparedRun, python: TorchPython, command: string[]): void;
  onEpoch?(metrics: Record<string, number>, epochs: number): void;
}

/**
 * torchrun's arguments: a standalone rendezvous on one machine, a static one (rank 0's address) across several.
 * With `localPort`, the one-machine rendezvous listens there instead: torch 1.13's `--standalone` always takes port
 * 29400, so two runs on one machine at once (two users, a test suite) would meet at the same store and hang.
 */
export function torchrunArgs(script: string, runDir: string, d: DistributedOptions, resume: boolean, localPort?: number): string[] {
  const nodes = d.nnodes ?? 1;
  const args = ['-m', 'torch.distributed.run', `--nproc_per_node=${d.nprocPerNode ?? 1}`, `--nnodes=${nodes}`];
  if (nodes > 1) {
    if (d.nodeRank === undefined || d.masterAddr === undefined) {
      throw userError('cli/usage', `--nnodes ${nodes} needs --node-rank and --master-addr (the address of the machine with --node-rank 0)`);
    }
    args.push(`--node_rank=${d.nodeRank}`, `--master_addr=${d.masterAddr}`, `--master_port=${d.masterPort ?? 29500}`);
  } else if (localPort !== undefined) {
    args.push('--rdzv_backend=c10d', `--rdzv_endpoint=localhost:${localPort}`, `--rdzv_id=${path.basename(runDir)}-${process.pid}`);
  } else {
    args.push('--standalone');
  }
  // Worker stdout goes to torch/logs and is teed here. Also needed: torch 1.13's torchrun on Python 3.11 reads
  // the default '0' (no redirect) as None and fails before starting any worker, while '1' (stdout) parses.
  args.push('--redirects=1', '--tee=1', `--log_dir=${path.join(runDir, TORCH_DIR, 'logs')}`);
  return [...args, script, runDir, ...(resume ? ['--resume'] : [])];
}

/** A TCP port nothing listens on now, chosen by the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function trainOnTorch(o: TorchRunOptions & DistributedOptions, events: TorchTrainEvents = {}): Promise<{ dir: string; code: number; launched: boolean }> {
  const python = requireTorchPython(o.python);
  if (!python.distributed) throw userError('env/no-torch-distributed', `${python.executable}: this torch was built without torch.distributed`, { hint: 'install a torch build with distributed support (Debian\'s python3-torch has it)' });
  const run = await prepareTorchRun(o);
  const torchDir = path.join(run.dir, TORCH_DIR);
  const localPort = (o.nnodes ?? 1) === 1 && !o.dryRun ? await freePort() : undefined;
  const args = torchrunArgs(path.join(torchDir, TORCH_FILES.script), run.dir, o, run.resumed, localPort);
  events.onStart?.(run, python, [python.executable, ...args]);
  if (o.dryRun) return { dir: run.dir, code: 0, launched: false };
  const metricsFile = path.join(run.dir, RUN_FILES.metrics);
  const code = await new Promise<number>((resolve, reject) => {
    // One thread per process unless told otherwise: N processes on N cores, as torchrun itself advises.
    // GOMP_SPINCOUNT is what netspec's oneDNN addon set for itself when the initial weights were drawn; torch's
    // OpenMP runs with its own defaults.
    const { GOMP_SPINCOUNT: _spin, ...inherited } = process.env;
    const env = { ...inherited, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? String(Math.max(1, Math.floor(os.cpus().length / (o.nprocPerNode ?? 1)))) };
    const child = spawn(python.executable, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        // torchrun prefixes teed lines with the worker ('[default0]:'); only rank 0 writes NETSPEC lines.
        const at = line.indexOf('NETSPEC {');
        if (at < 0) {
          process.stdout.write(`${line}\n`);
          continue;
        }
        const { event, ...fields } = JSON.parse(line.slice(at + 8)) as { event: string } & Record<string, number>;
        // Epochs trained after the checkpoint it resumes from are trained again: their lines go.
        if (event === 'resumed') writeMetrics(metricsFile, readMetrics(metricsFile).filter((r) => r.epoch <= fields.epoch));
        if (event === 'epoch') {
          appendMetrics(metricsFile, { ...fields, epoch: fields.epoch, backend: 'torch' });
          plotRun(run.dir);
          events.onEpoch?.(fields, run.config.epochs);
        }
      }
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve(status ?? (signal ? 128 + 9 : 1)));
  });
  const last = path.join(torchDir, TORCH_FILES.last);
  if (fs.existsSync(last)) await writeTfjsModel(run, last);
  return { dir: run.dir, code, launched: true };
}

/** torch/kept.json: the checkpoints train.checkpoint keeps (best.ckpt, snapshots), by name, as netspec_train.py lists them. */
type KeptIndex = Record<string, { epoch: number; best: BestRecord | null }>;

/**
 * The latest torch weights as the run's tfjs model (model/), through the same state-dict loader as compile; and
 * every checkpoint the run keeps (torch/kept/NAME.safetensors) as checkpoints/NAME, a netspec checkpoint of the
 * weights alone, so `--checkpoint best|NAME` reads torch runs as tfjs ones. Written again only when newer.
 */
async function writeTfjsModel(run: PreparedRun, file: string): Promise<void> {
  const [{ selectBackend }, { buildLayersModel }, { transferStateDict }, { saveModel }] = await Promise.all([
    import('../../../runtime/backend'), import('../../tfjs/build'), import('../../tfjs/torch-weights'), import('../../tfjs/load'),
  ]);
  await selectBackend({ backend: 'auto' });
  const model = buildLayersModel(run.graph);
  const load = (from: string) => {
    const report = transferStateDict(model, run.graph, readSafetensors(from), from);
    if (!report.applied) throw new Error(`netspec internal error: the torch run's state dict does not fit its own model (${report.missing.length} missing, ${report.mismatched.length} mismatched)`);
  };
  try {
    const index = path.join(run.dir, TORCH_DIR, 'kept.json');
    const kept: KeptIndex = fs.existsSync(index) ? JSON.parse(fs.readFileSync(index, 'utf8')) : {};
    for (const [name, record] of Object.entries(kept)) {
      const from = path.join(run.dir, TORCH_DIR, 'kept', `${name}.safetensors`);
      const to = path.join(run.dir, RUN_FILES.checkpoints, name);
      if (fs.existsSync(to) && fs.statSync(to).mtimeMs >= fs.statSync(from).mtimeMs) continue;
      load(from);
      const values = model.getWeights();
      await writeCheckpoint(to, {
        state: { engine: 'torch', epoch: record.epoch, stepInEpoch: 0, ...(record.best ? { best: record.best } : {}), history: readMetrics(path.join(run.dir, RUN_FILES.metrics)).filter((m) => m.epoch <= record.epoch) },
        model: model.weights.map((w, i) => ({ name: w.originalName, shape: values[i].shape })),
        optimizer: [],
        modelValues: values.map((v) => v.dataSync() as Float32Array),
        optimizerValues: [],
      });
    }
    load(file);
    await saveModel(model, path.join(run.dir, RUN_FILES.model));
  } finally {
    model.dispose();
  }
}
