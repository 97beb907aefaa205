/**
 * Training on torchrun with Debian's torch (gloo, CPU): two DDP processes against one with the same global batch
 * and data order; the CLI run of fashion/resnet8 and its evaluation by netspec; kill -9 of a worker, then --resume.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { trainOnTorch } from '../../../src/backends/pytorch/train/launch';
import { readSafetensors } from '../../../src/io/safetensors';
import { readMetrics } from '../../../src/train/metrics';
import { cliPath, netspec } from '../../helpers/cli';
import { describeWithTorch } from './torch-env';

const lastWeights = (dir: string) => readSafetensors(path.join(dir, 'torch', 'last.safetensors'));

/** Largest |a − b| over every float tensor of two state dicts (which must have the same names). */
function maxWeightDiff(a: ReturnType<typeof lastWeights>, b: ReturnType<typeof lastWeights>): number {
  expect([...b.keys()]).toEqual([...a.keys()]);
  let worst = 0;
  for (const [k, t] of a) {
    if (k.endsWith('num_batches_tracked')) continue;
    const u = b.get(k)!.values;
    t.values.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - u[i])); });
  }
  return worst;
}

describeWithTorch('torchrun training', [], (python) => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-ddp-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // SGD: Adam divides by √v, so weights whose gradients are ~0 move by ±lr on float rounding alone (measured: 3e-4
  // between 2 and 1 processes, with every gradient equal to float noise).
  const run = (name: string, nproc: number, bnEval: boolean) => trainOnTorch({
    spec: 'fashion/resnet8', sets: ['train.optimizer.type=sgd', 'train.lr=0.05'], out: path.join(dir, name), epochs: 1, limit: 256, nprocPerNode: nproc, bnEval, python: python.executable,
  });

  test('2 processes (gloo) and 1 give the same weights after 4 steps of the same global batches, BN on running statistics (|Δ| ≤ 1e-5)', async () => {
    const [one, two] = [await run('one', 1, true), await run('two', 2, true)];
    expect([one.code, two.code]).toEqual([0, 0]);
    const diff = maxWeightDiff(lastWeights(one.dir), lastWeights(two.dir));
    const moved = maxWeightDiff(readSafetensors(path.join(one.dir, 'torch', 'initial.safetensors')), lastWeights(one.dir));
    console.log(`DDP 2 vs 1 process, frozen BN statistics: max |Δw| ${diff.toExponential(2)} (training moved weights by up to ${moved.toFixed(4)})`);
    expect(moved).toBeGreaterThan(1e-3);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  test('with BN normalising each process\'s own shard (gloo has no SyncBatchNorm), 2 processes differ from 1: the note in the README holds', async () => {
    const [one, two] = [await run('one-bn', 1, false), await run('two-bn', 2, false)];
    expect([one.code, two.code]).toEqual([0, 0]);
    const diff = maxWeightDiff(lastWeights(one.dir), lastWeights(two.dir));
    console.log(`DDP 2 vs 1 process, BN in training mode: max |Δw| ${diff.toExponential(2)}`);
    expect(diff).toBeGreaterThan(1e-5);
  });

  test('frozen_stages: 1 keeps the stem and stage 1 (weights and BN statistics) as they started; the rest trains', async () => {
    const r = await trainOnTorch({ spec: 'fashion/resnet8', sets: ['frozen_stages=1'], out: path.join(dir, 'frozen'), epochs: 1, limit: 128, python: python.executable });
    expect(r.code).toBe(0);
    const before = readSafetensors(path.join(r.dir, 'torch', 'initial.safetensors'));
    const after = lastWeights(r.dir);
    const changed = (k: string) => before.get(k)!.values.some((v, i) => v !== after.get(k)!.values[i]);
    for (const k of ['conv1.weight', 'bn1.weight', 'bn1.running_mean', 'layer1.0.conv2.weight', 'layer1.0.bn2.running_var']) expect({ k, changed: changed(k) }).toEqual({ k, changed: false });
    for (const k of ['layer2.0.conv1.weight', 'layer3.0.bn1.running_mean', 'fc.weight']) expect({ k, changed: changed(k) }).toEqual({ k, changed: true });
  });

  test('netspec train fashion/resnet8 --engine torch --nproc-per-node 2 --epochs 1, then netspec evaluate on its run directory', async () => {
    const out = path.join(dir, 'cli');
    const r = await netspec('train', 'fashion/resnet8', '--engine', 'torch', '--nproc-per-node', '2', '--epochs', '1', '--out', out, '--python', python.executable);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^backend: torch .*2 process\(es\), gloo on CPU$/m);
    expect(r.stdout).toMatch(/^epoch 1\/1 {2}loss [\d.]+ {2}acc [\d.]+% {2}val_loss [\d.]+ {2}val_acc [\d.]+%/m);
    const [m] = readMetrics(path.join(out, 'metrics.jsonl'));
    expect(m).toMatchObject({ epoch: 1, backend: 'torch' });
    expect(fs.existsSync(path.join(out, 'metrics.svg'))).toBe(true);
    const e = await netspec('evaluate', out, '--json');
    expect(e.code).toBe(0);
    const report = JSON.parse(e.stdout) as { loss: number; top1: number };
    console.log(`torch val_loss ${m.val_loss} val_acc ${m.val_accuracy}; netspec evaluate of the converted tfjs model: ${JSON.stringify({ loss: report.loss, top1: report.top1 })}`);
    // The same 1,000 test images through the torch model (rank 0's BN statistics, all ranks) and the tfjs model it became.
    expect(report.top1).toBe(m.val_accuracy);
    expect(Math.abs(report.loss - (m.val_loss as number)) / (m.val_loss as number)).toBeLessThan(1e-5);
  });

  test('kill -9 of one worker mid-run stops the run with the last checkpoint; --resume continues from it to the end', async () => {
    const out = path.join(dir, 'killed');
    const args = [cliPath, 'train', 'fashion/resnet8', '--engine', 'torch', '--nproc-per-node', '2', '--epochs', '3', '--limit', '2048', '--out', out, '--python', python.executable];
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const metrics = path.join(out, 'metrics.jsonl');
    while (readMetrics(metrics).length < 1) await new Promise((r) => setTimeout(r, 200));
    // One worker of this run, found by its command line.
    const ps = spawnSync('pgrep', ['-f', `netspec_train.py ${out}`], { encoding: 'utf8' }).stdout.trim().split('\n').map(Number);
    const worker = ps.find((pid) => !fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('torch.distributed.run'));
    expect(worker).toBeDefined();
    process.kill(worker!, 'SIGKILL');
    expect(await exited).not.toBe(0);
    const kept = readMetrics(metrics).length;
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(3);
    const r = await netspec('train', '--engine', 'torch', '--nproc-per-node', '2', '--resume', '--out', out, '--python', python.executable);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(resumed)');
    // Epochs up to the checkpoint are not trained again.
    expect(r.stdout).not.toMatch(new RegExp(`^epoch ${kept}/3`, 'm'));
    expect(r.stdout).toMatch(/^epoch 3\/3 /m);
    expect(readMetrics(metrics).map((x) => x.epoch)).toEqual([1, 2, 3]);
  });
});

describe('without a Python that imports torch', () => {
  test('--engine torch says which interpreter it asked and how to install torch (exit 2)', async () => {
    const r = await netspec('train', 'fashion/resnet8', '--engine', 'torch', '--python', '/nonexistent/python3', '--out', path.join(os.tmpdir(), 'netspec-never'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no Python with PyTorch found (asked: /nonexistent/python3)');
    expect(r.stderr).toContain('apt-get install python3-torch');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
