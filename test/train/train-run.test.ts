/**
 * Training end to end on a tiny net and synthetic data: a resumed run (after Ctrl-C mid-epoch, or after the process
 * was killed) ends with the same weights as an uninterrupted one; a diverging run stops and keeps its last good
 * checkpoint; evaluate and predict work on the result.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { selectBackend } from '../../src/runtime/backend';
import { readCheckpoint } from '../../src/train/checkpoint';
import { evaluate } from '../../src/train/evaluate';
import { predictFiles } from '../../src/train/predict';
import { startTraining, TrainRunOptions } from '../../src/train/run';
import { loadServedModel } from '../../src/train/served-model';
import { readMetrics } from '../../src/train/metrics';

const spec = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
const cli = path.join(__dirname, '..', '..', 'bin', 'netspec.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-train-'));
const dir = (name: string) => path.join(tmp, name);

async function train(o: TrainRunOptions, stopAt?: { epoch: number; step: number }) {
  const run = await startTraining({ spec, backend: 'wasm', ...o }, {
    onStep: (s) => {
      if (stopAt && s.epoch === stopAt.epoch && s.step === stopAt.step) run.trainer.requestStop();
    },
  });
  return run.result;
}

function weightsOf(runDir: string): Float32Array {
  const bytes = fs.readFileSync(path.join(runDir, 'model', 'weights.bin'));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

let reference: Float32Array;

test('an uninterrupted run trains: loss falls, files are written', async () => {
  const result = await train({ out: dir('full') });
  expect(result.reason).toBe('done');
  expect(result.history).toHaveLength(2);
  expect(result.history[1].loss).toBeLessThan(result.history[0].loss);
  for (const f of ['spec.yaml', 'run.json', 'metrics.jsonl', 'metrics.svg', 'checkpoints/last.ckpt', 'checkpoints/best.ckpt', 'model/model.json']) {
    expect(fs.existsSync(path.join(dir('full'), f))).toBe(true);
  }
  expect(readMetrics(path.join(dir('full'), 'metrics.jsonl')).map((r) => r.epoch)).toEqual([1, 2]);
  reference = weightsOf(dir('full'));
});

test('Ctrl-C mid-epoch saves; --resume ends where the uninterrupted run ended', async () => {
  const first = await train({ out: dir('interrupted') }, { epoch: 0, step: 3 });
  expect(first.reason).toBe('interrupted');
  expect(readCheckpoint<{ epoch: number; stepInEpoch: number }>(path.join(dir('interrupted'), 'checkpoints', 'last.ckpt')).state)
    .toMatchObject({ epoch: 0, stepInEpoch: 3 });
  const second = await train({ out: dir('interrupted'), resume: true });
  expect(second.reason).toBe('done');
  expect(maxAbsDiff(weightsOf(dir('interrupted')), reference)).toBeLessThan(1e-5);
  expect(readMetrics(path.join(dir('interrupted'), 'metrics.jsonl')).map((r) => r.epoch)).toEqual([1, 2]);
});

test('a run killed after its first epoch resumes to the same weights', async () => {
  const out = dir('killed');
  const child = spawn(process.execPath, [cli, 'train', spec, '--out', out, '--backend', 'wasm'], { stdio: 'ignore' });
  const metrics = path.join(out, 'metrics.jsonl');
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (fs.existsSync(metrics) && readMetrics(metrics).length >= 1) {
        clearInterval(poll);
        child.kill('SIGKILL');
        resolve();
      }
    }, 5);
    child.on('exit', () => {
      clearInterval(poll);
      resolve();
    });
    child.on('error', reject);
  });
  expect(await exited).toBe('SIGKILL');
  const ckpt = readCheckpoint<{ epoch: number }>(path.join(out, 'checkpoints', 'last.ckpt'));
  expect(ckpt.state.epoch).toBe(1);
  const resumed = await train({ out, resume: true });
  expect(resumed.reason).toBe('done');
  expect(maxAbsDiff(weightsOf(out), reference)).toBeLessThan(1e-5);
});

test('a diverging run stops with a message and keeps the last good checkpoint', async () => {
  const out = dir('diverged');
  const result = await train({ out, sets: ['train.schedule={type: multistep, milestones: [1], factors: [1e30]}', 'train.lr=0.05'] });
  expect(result.reason).toBe('diverged');
  expect(result.message).toMatch(/^loss became (NaN|Infinity|-Infinity) at epoch 2/);
  const ckpt = readCheckpoint<{ epoch: number }>(path.join(out, 'checkpoints', 'last.ckpt'));
  expect(ckpt.state.epoch).toBe(1);
  for (const values of ckpt.modelValues) expect(values.every(Number.isFinite)).toBe(true);
});

test('evaluate reports loss, top-1, top-5 and a confusion matrix that adds up', async () => {
  const served = await loadServedModel(dir('full'));
  expect(served.classes).toEqual(['0', '1', '2', '3'].map((c) => expect.stringContaining(c)));
  const report = await evaluate(served, { limit: 40 });
  expect(report.examples).toBe(40);
  expect(report.top1).toBeGreaterThanOrEqual(0);
  expect(report.top5).toBe(1); // 4 classes: the true class is always in the top 5
  expect(report.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(40);
  const diagonal = report.confusion.matrix.reduce((a, row, k) => a + row[k], 0);
  expect(diagonal / 40).toBeCloseTo(report.top1, 10);
});

test('predict ranks classes of PNG files', async () => {
  const png = new PNG({ width: 20, height: 16 });
  for (let i = 0; i < png.data.length; i++) png.data[i] = i % 4 === 3 ? 255 : (i * 7) % 256;
  const file = path.join(tmp, 'x.png');
  fs.writeFileSync(file, PNG.sync.write(png));
  const [p] = predictFiles(await loadServedModel(dir('full')), [file], 3);
  expect(p.top).toHaveLength(3);
  expect(p.top[0].probability).toBeGreaterThanOrEqual(p.top[1].probability);
  const sum = p.top.reduce((a, t) => a + t.probability, 0);
  expect(sum).toBeGreaterThan(0);
  expect(sum).toBeLessThanOrEqual(1 + 1e-6);
});

test('bad data is a clear error with exit code 2', async () => {
  const child = spawn(process.execPath, [cli, 'train', spec, '--data', path.join(tmp, 'missing'), '--out', dir('bad')]);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((r) => child.on('close', r));
  expect(code).toBe(2);
  expect(stderr).toMatch(/^\S*missing: error: no such file or directory \[data\/invalid\]/m);
  expect(stderr).not.toMatch(/\n\s+at /);
});
