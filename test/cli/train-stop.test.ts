/**
 * How a training run ends early, through the real CLI: its standard output closed (`netspec train | head -2`), Ctrl-C,
 * a loss that diverges before the first checkpoint, and `--resume` of a run that has none. Each ends with a true
 * message, the exit code of what happened, and a run that `--resume` continues.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readCheckpoint } from '../../src/train/checkpoint';
import { readMetrics } from '../../src/train/metrics';
import { cliPath, netspec } from '../helpers/cli';
import { tempDir } from '../train/data/files';

jest.setTimeout(120_000);

const tiny = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
let dir: string;
beforeAll(() => (dir = tempDir('train-stop')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `netspec train …` and, once its stdout holds `lines` lines, either closes the read end of the pipe (as `head`
 * does when it has printed enough) or sends SIGINT (Ctrl-C).
 */
function trainUntil(args: string[], lines: number, then: 'close' | 'sigint'): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'train', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let done = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (done || stdout.split('\n').length - 1 < lines) return;
      done = true;
      if (then === 'close') child.stdout.destroy();
      else child.kill('SIGINT');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const noStack = (r: Ended) => expect(r.stderr).not.toMatch(/internal error|\n\s+at /);

test('a closed standard output stops the run after a checkpoint, exit 130, and --resume completes it', async () => {
  const out = path.join(dir, 'piped');
  // 40 epochs of 4 steps: far more than runs before the pipe closes after the second header line.
  const r = await trainUntil([tiny, '--out', out, '--epochs', '40', '--limit', '64', '--backend', 'wasm'], 2, 'close');
  expect(r.code).toBe(130);
  noStack(r);
  expect(r.stderr).toContain('standard output was closed: stopping after this step, with a checkpoint');
  expect(r.stderr).toContain(`continue with: netspec train --resume --out ${out}`);
  const ckpt = readCheckpoint<{ epoch: number; stepInEpoch: number }>(path.join(out, 'checkpoints', 'last.ckpt'));
  const stoppedAt = ckpt.state.epoch * 4 + ckpt.state.stepInEpoch;
  expect(stoppedAt).toBeGreaterThan(0);
  expect(stoppedAt).toBeLessThan(40 * 4);

  const resumed = await netspec('train', '--resume', '--out', out, '--epochs', String(ckpt.state.epoch + 1), '--backend', 'wasm');
  expect(resumed.code).toBe(0);
  expect(resumed.stdout).toContain(`resumed after epoch ${ckpt.state.epoch}`);
  expect(readMetrics(path.join(out, 'metrics.jsonl')).map((m) => m.epoch))
    .toEqual(Array.from({ length: ckpt.state.epoch + 1 }, (_, i) => i + 1));
});

test('Ctrl-C before the first checkpoint saves one mid-epoch and says how to continue', async () => {
  const out = path.join(dir, 'sigint');
  // One epoch of 63 steps of 16 (synthetic data holds 1000 training images): Ctrl-C comes as the first step starts,
  // long before the epoch's end writes a checkpoint.
  const r = await trainUntil([tiny, '--out', out, '--epochs', '1', '--limit', '1000', '--backend', 'wasm'], 4, 'sigint');
  expect(r.code).toBe(130);
  noStack(r);
  expect(r.stderr).toContain('stopping: saving a checkpoint after this step');
  expect(r.stdout).toContain(`interrupted after`);
  expect(r.stdout).toContain(`checkpoint saved; continue with: netspec train --resume --out ${out}`);
  const ckpt = readCheckpoint<{ epoch: number; stepInEpoch: number }>(path.join(out, 'checkpoints', 'last.ckpt'));
  expect(ckpt.state.epoch).toBe(0);
  expect(ckpt.state.stepInEpoch).toBeGreaterThan(0);
  expect(ckpt.state.stepInEpoch).toBeLessThan(63);
});

test('a loss that diverges before any checkpoint says none was written; --resume says it starts again', async () => {
  const out = path.join(dir, 'nan');
  // The learning rate becomes 0.05 × 1e30 after 30 % of epoch 1: the loss is not finite within a few steps.
  const sets = ['--set', 'train.schedule={type: multistep, milestones: [0.3], factors: [1e30], interval: step}', '--set', 'train.lr=0.05'];
  const r = await netspec('train', tiny, '--out', out, ...sets, '--backend', 'wasm');
  expect(r.code).toBe(1);
  noStack(r);
  expect(r.stderr).toMatch(/netspec: training stopped: loss became (NaN|Infinity|-Infinity) at epoch 1, step \d+; no checkpoint had been written yet\n/);
  expect(fs.existsSync(path.join(out, 'checkpoints', 'last.ckpt'))).toBe(false);

  const resumed = await netspec('train', '--resume', '--out', out, '--backend', 'wasm');
  expect(resumed.stdout).toContain('resume: no checkpoint yet (the run stopped before its first one): training starts again from epoch 1, step 1');
  expect(resumed.stdout).not.toContain('resumed after epoch');
  // The recorded settings are the same, so the same steps diverge again: the hint said so.
  expect(resumed.code).toBe(1);
  expect(resumed.stderr).toContain('--resume would repeat the same steps');
});
