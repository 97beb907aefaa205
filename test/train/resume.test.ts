/**
 * Resume is exact and remembers the run: for SGD (plain, momentum, Nesterov), Adam, RMSprop and AdamW, under every
 * schedule kind (constant, multistep, cosine per step, warm-up, reduce-on-plateau), with either loss, a run stopped
 * mid-epoch and resumed with `--resume --out RUN` alone ends with weights bit-identical to an uninterrupted run's, and its metrics.jsonl equal
 * except for timing. Flags that contradict the run are errors; --epochs is a recorded change; a resume repairs
 * stale artifacts; damaged checkpoints, foreign --out folders and symbolic links are refused. best.ckpt's epoch and
 * value and the per-epoch snapshots come out of a resumed run as out of an uninterrupted one.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { selectBackend } from '../../src/runtime/backend';
import { loadNativeAddon } from '../../src/runtime/onednn/addon';
import { DiagnosticError } from '../../src/diagnostics/diagnostic';
import { readCheckpoint, writeCheckpoint } from '../../src/train/checkpoint';
import { readMetrics } from '../../src/train/metrics';
import { readRunInfo, writeRunInfo } from '../../src/train/run-dir';
import { tfjsNode } from '../../src/runtime/tf';
import { startTraining, TrainRunOptions } from '../../src/train/run';
import { CheckpointState } from '../../src/train/trainer';
import { cliPath, netspec } from '../helpers/cli';

const spec = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-resume-'));
let runs = 0;
const fresh = () => path.join(tmp, `run${++runs}`);

async function train(o: TrainRunOptions, stopAt?: { epoch: number; step: number }) {
  const run = await startTraining({ backend: 'wasm', ...o }, {
    onStep: (s) => {
      if (stopAt && s.epoch === stopAt.epoch && s.step === stopAt.step) run.trainer.requestStop();
    },
  });
  return run.result;
}

const weights = (dir: string) => fs.readFileSync(path.join(dir, 'model', 'weights.bin'));
const untimed = (dir: string) => readMetrics(path.join(dir, 'metrics.jsonl')).map(({ seconds: _s, images_per_second: _i, ...rest }) => rest);

function maxAbsDiff(a: Buffer, b: Buffer): number {
  const x = new Float32Array(a.buffer, a.byteOffset, a.byteLength / 4);
  const y = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  expect(x.length).toBe(y.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

async function caught(p: Promise<unknown>): Promise<DiagnosticError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(DiagnosticError);
  return e as DiagnosticError;
}

let wasm: string;
let auto: string;
beforeAll(async () => {
  auto = (await selectBackend({ backend: 'auto' })).name;
  wasm = (await selectBackend({ backend: 'wasm' })).name;
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const recipes: [string, string[]][] = [
  ['SGD, constant', ['train.optimizer={type: sgd, momentum: 0}', 'train.schedule={type: constant}']],
  ['SGD momentum, multistep', ['train.optimizer={type: sgd, momentum: 0.9}', 'train.schedule={type: multistep, milestones: [1], factors: [0.1]}']],
  ['SGD Nesterov, cosine per step', ['train.optimizer={type: sgd, momentum: 0.9, nesterov: true}', 'train.schedule={type: cosine, min_lr: 0.001, interval: step}']],
  ['Adam, constant', ['train.optimizer={type: adam}', 'train.lr=0.002']],
  ['Adam, warm-up then cosine', ['train.optimizer={type: adam}', 'train.lr=0.002', 'train.warmup={epochs: 1, start_factor: 0.1}', 'train.schedule={type: cosine, min_lr: 0.0001, interval: step}']],
  // Stochastic depth draws a mask per block and step: the masks must come back on resume too.
  ['SGD momentum, stochastic depth', ['train.optimizer={type: sgd, momentum: 0.9}', 'drop_path_rate=0.5']],
  ['Adam, reduce-on-plateau', ['train.optimizer={type: adam}', 'train.lr=0.002', 'train.reduce_on_plateau={enabled: true, monitor: val_accuracy, min_delta: 1, patience: 0, factor: 0.5}']],
  // Keras' RMSprop keeps velocity, momentum and average-gradient slots; AdamW adds its decay to Adam's state.
  ['RMSprop centered with momentum, multistep', ['train.optimizer={type: rmsprop, momentum: 0.9, centered: true}', 'train.schedule={type: multistep, milestones: [1], factors: [0.1]}']],
  ['RMSprop, binary cross-entropy on a sigmoid head, L2 on convs only', ['train.optimizer={type: rmsprop}', 'head.activation=sigmoid', 'train.loss={type: binary_crossentropy}', 'train.weight_decay_on=[conv]']],
  ['AdamW, cosine per step', ['train.optimizer={type: adamw, weight_decay: 0.05}', 'train.lr=0.002', 'train.schedule={type: cosine, min_lr: 0.0001, interval: step}']],
];

// The onednn backend (what auto takes for work beyond the wasm heap; its oneDNN kernels run on several threads)
// must resume exactly too; three recipes cover momentum, Adam's moments and the drop-path masks. Without the addon
// these rows run on auto, the default.
const other: 'onednn' | 'auto' = 'addon' in loadNativeAddon() ? 'onednn' : 'auto';
const onOther = recipes.filter(([name]) => ['SGD Nesterov, cosine per step', 'Adam, warm-up then cosine', 'SGD momentum, stochastic depth'].includes(name));
const cases: [string, 'wasm' | 'onednn' | 'auto', string[]][] = [
  ...recipes.map(([name, sets]): [string, 'wasm', string[]] => [name, 'wasm', sets]),
  ...onOther.map(([name, sets]): [string, 'onednn' | 'auto', string[]] => [name, other, sets]),
];

describe.each(cases)('%s, backend %s: a run stopped mid-epoch resumes bit-identically', (_name, backend, sets) => {
  test('weights and metrics equal the uninterrupted run', async () => {
    const full = fresh();
    const o = { spec, sets, epochs: 3, limit: 48, backend };
    expect((await train({ ...o, out: full })).reason).toBe('done');
    const cut = fresh();
    expect((await train({ ...o, out: cut }, { epoch: 1, step: 2 })).reason).toBe('interrupted');
    // Resume with the run directory alone: data, limit, epochs and every --set come from run.json.
    expect((await train({ out: cut, resume: true, backend })).reason).toBe('done');
    const delta = maxAbsDiff(weights(cut), weights(full));
    console.log(`${_name} (${backend}): max |Δ| after resume = ${delta}`);
    expect(delta).toBe(0);
    expect(weights(cut).equals(weights(full))).toBe(true);
    // The optimizer's state too, including its iteration count (3 epochs of 3 steps). Slot names carry the
    // variables' names, which tfjs suffixes (_1, _2) for the second model in one process: shapes are compared.
    const [a, b] = [full, cut].map((d) => readCheckpoint(path.join(d, 'checkpoints', 'last.ckpt')));
    expect(b.optimizer.map((e) => e.shape)).toEqual(a.optimizer.map((e) => e.shape));
    b.optimizerValues.forEach((v, i) => expect(Buffer.from(v.buffer).equals(Buffer.from(a.optimizerValues[i].buffer))).toBe(true));
    expect(Array.from(b.optimizerValues[b.optimizer.findIndex((e) => e.name === 'iter')])).toEqual([9]);
    expect(untimed(cut)).toEqual(untimed(full));
    expect(untimed(cut).map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(untimed(cut).map((r) => r.backend)).toEqual(Array(3).fill(backend === 'wasm' ? wasm : backend === 'onednn' ? 'onednn' : auto));
  });
});

/** Resumes `out` with no --backend and no --threads; the backend line it would print. */
async function resumedBackend(out: string): Promise<string> {
  let description = '';
  const run = await startTraining({ out, resume: true }, { onStart: ({ backend }) => { description = backend.description; } });
  expect((await run.result).reason).toBe('done');
  return description;
}

test('a resumed run continues on the backend and threads it trained on; one this machine lacks falls back to auto, said', async () => {
  const o = { spec, data: 'synthetic', limit: 48, batchSize: 8, epochs: 2 };
  // cpu: never what auto takes, so continuing on it is the recorded choice at work.
  const out = fresh();
  expect((await train({ ...o, out, backend: 'cpu', threads: 1 }, { epoch: 0, step: 2 })).reason).toBe('interrupted');
  expect(await resumedBackend(out)).toContain('tfjs cpu backend');
  expect(readRunInfo(out).segments.map((s) => [s.backend, s.threads])).toEqual([['cpu', 1], ['cpu', 1]]);
  expect(untimed(out).map((r) => r.backend)).toEqual(['cpu', 'cpu']);
  // A run recorded on a backend that does not load here.
  const moved = fresh();
  expect((await train({ ...o, out: moved }, { epoch: 0, step: 2 })).reason).toBe('interrupted');
  const info = readRunInfo(moved);
  if (tfjsNode === null) {
    writeRunInfo(moved, { ...info, segments: info.segments.map((s) => ({ ...s, backend: 'tfjs-node' })) });
    expect(await resumedBackend(moved)).toContain('the run trained on tfjs-node, unavailable here');
    expect(readRunInfo(moved).segments.map((s) => s.backend)).toEqual(['tfjs-node', auto]);
  } else {
    console.warn('the fallback from a backend this machine lacks is not tested: tfjs-node loads here');
  }
});

test('resume takes every setting from the run; contradicting flags are errors, --epochs a recorded change', async () => {
  const out = fresh();
  const sets = ['train.lr=0.01'];
  expect((await train({ spec, sets, data: 'synthetic', limit: 48, batchSize: 8, epochs: 2, out }, { epoch: 0, step: 2 })).reason).toBe('interrupted');
  const info = readRunInfo(out);
  expect(info.settings).toEqual({ spec, sets, data: { path: 'synthetic', format: 'auto', limit: 48 }, epochs: 2, batchSize: 8 });
  for (const [flags, what] of [
    [{ limit: 64 }, '--limit 64'], [{ batchSize: 16 }, '--batch-size 16'], [{ data: tmp }, `--data ${tmp}`],
    [{ sets: ['train.lr=0.1'] }, '--set train.lr=0.1'], [{ spec: 'fashion/resnet8' }, 'spec "fashion/resnet8"'],
  ] as [Partial<TrainRunOptions>, string][]) {
    const e = await caught(train({ out, resume: true, ...flags }));
    expect(e.diagnostics[0].code).toBe('train/resume-conflict');
    expect(e.message).toContain(`${what} contradicts the run`);
  }
  // The same values again are not a contradiction.
  const result = await train({ out, resume: true, limit: 48, batchSize: 8, sets, data: 'synthetic', epochs: 3, threads: 1 });
  expect(result.reason).toBe('done');
  expect(readMetrics(path.join(out, 'metrics.jsonl')).map((r) => [r.epoch, r.backend])).toEqual([[1, wasm], [2, wasm], [3, wasm]]);
  const after = readRunInfo(out);
  expect(after.settings.epochs).toBe(3);
  expect(after.changes).toEqual([expect.objectContaining({ afterEpoch: 0, epochs: { from: 2, to: 3 } })]);
  expect(after.segments.map((s) => [s.fromEpoch, s.fromStep, s.backend, s.threads])).toEqual([[0, 0, wasm, undefined], [0, 2, wasm, 1]]);
  const fewer = await caught(train({ out, resume: true, epochs: 2 }));
  expect(fewer.message).toMatch(/--epochs 2 is fewer than the run has already trained \(3 epochs begun\)/);
});

test('a kill between the last checkpoint and the other writes is repaired by --resume', async () => {
  const full = fresh();
  expect((await train({ spec, out: full, epochs: 1 })).reason).toBe('done');
  // Killed while best.ckpt of the last epoch was being written: last.ckpt is final, nothing after it exists.
  const out = fresh();
  const child = spawn(process.execPath, [cliPath, 'train', spec, '--out', out, '--epochs', '1', '--backend', 'wasm'], {
    env: { ...process.env, NETSPEC_TEST_PAUSE_AT: 'best.ckpt' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => d.toString().includes('netspec-test-pause best.ckpt') && resolve()));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const ckpts = path.join(out, 'checkpoints');
  expect(fs.readdirSync(ckpts).filter((f) => f.endsWith('.tmp'))).toHaveLength(1);
  expect(fs.existsSync(path.join(ckpts, 'best.ckpt'))).toBe(false);
  expect(fs.existsSync(path.join(out, 'metrics.jsonl'))).toBe(false);
  const cli = await netspec('train', '--resume', '--out', out, '--backend', 'wasm');
  expect(cli.code).toBe(0);
  expect(cli.stdout).toMatch(/resume: metrics.jsonl rewritten from the checkpoint \(0 → 1 epochs\)/);
  expect(cli.stdout).toMatch(/resume: best.ckpt brought to epoch 1/);
  expect(cli.stdout).toMatch(/^done in/m);
  expect(untimed(out)).toEqual(untimed(full));
  expect(weights(out).equals(weights(full))).toBe(true);
  expect(fs.readFileSync(path.join(ckpts, 'best.ckpt')).equals(fs.readFileSync(path.join(ckpts, 'last.ckpt')))).toBe(true);
  expect(fs.readdirSync(ckpts).sort()).toEqual(['best.ckpt', 'last.ckpt']);
  // A stale model/ (here: zeroed weights) is re-exported from the checkpoint by a resume of the finished run.
  fs.writeFileSync(path.join(out, 'model', 'weights.bin'), Buffer.alloc(weights(full).length));
  expect((await netspec('train', '--resume', '--out', out, '--backend', 'wasm')).code).toBe(0);
  expect(weights(out).equals(weights(full))).toBe(true);
});

test('a damaged last.ckpt is never used: exit 2 naming best.ckpt, and --resume-from best continues from it', async () => {
  const out = fresh();
  expect((await train({ spec, out, sets: ['train.lr=0.02'], epochs: 3 }, { epoch: 2, step: 1 })).reason).toBe('interrupted');
  const file = path.join(out, 'checkpoints', 'last.ckpt');
  const bytes = fs.readFileSync(file);
  bytes[bytes.length >> 1] ^= 0xff;
  fs.writeFileSync(file, bytes);
  const refused = await netspec('train', '--resume', '--out', out, '--backend', 'wasm');
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/last.ckpt: error: damaged: its SHA-256 digest does not match/);
  const hint = /hint: best.ckpt is intact \(after epoch (\d)\): continue from it with --resume-from best/.exec(refused.stderr);
  expect(hint).not.toBeNull();
  expect(refused.stderr).not.toMatch(/internal error|\n\s+at /);
  const best = await netspec('train', '--resume-from', 'best', '--out', out, '--backend', 'wasm');
  expect(best.code).toBe(0);
  expect(best.stdout).toContain(`resumed after epoch ${hint![1]}`);
  expect(readMetrics(path.join(out, 'metrics.jsonl')).map((r) => r.epoch)).toEqual([1, 2, 3]);
  fs.truncateSync(file, 18);
  const short = await netspec('train', '--resume', '--out', out);
  expect(short.code).toBe(2);
  expect(short.stderr).toMatch(/last.ckpt: error: truncated: 18 bytes/);
  fs.rmSync(file);
  fs.mkdirSync(file);
  const dir = await netspec('train', '--resume', '--out', out);
  expect(dir.code).toBe(2);
  expect(dir.stderr).toMatch(/last.ckpt: error: is a directory, not a checkpoint/);
});

test('--out refuses a folder of other files and symbolic links in a run', async () => {
  const mine = fresh();
  fs.mkdirSync(mine);
  fs.writeFileSync(path.join(mine, 'notes.txt'), 'my notes\n');
  const refused = await netspec('train', spec, '--out', mine);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/is not empty and not a netspec run \(it holds notes.txt\)/);
  expect(fs.readdirSync(mine)).toEqual(['notes.txt']);

  const out = fresh();
  expect((await train({ spec, out }, { epoch: 0, step: 2 })).reason).toBe('interrupted');
  const outside = path.join(tmp, 'outside.jsonl');
  fs.writeFileSync(outside, 'not yours\n');
  fs.rmSync(path.join(out, 'metrics.jsonl'), { force: true });
  fs.symlinkSync(outside, path.join(out, 'metrics.jsonl'));
  const e = await caught(train({ out, resume: true }));
  expect(e.message).toMatch(/metrics.jsonl: is a symbolic link/);
  expect(fs.readFileSync(outside, 'utf8')).toBe('not yours\n');
  // A linked folder is refused the same way: model/ pointing elsewhere would have the export written there.
  fs.rmSync(path.join(out, 'metrics.jsonl'));
  const elsewhere = fs.mkdtempSync(path.join(tmp, 'elsewhere-'));
  fs.renameSync(path.join(out, 'model'), path.join(elsewhere, 'model'));
  fs.symlinkSync(path.join(elsewhere, 'model'), path.join(out, 'model'));
  expect((await caught(train({ out, resume: true }))).message).toMatch(/model: is a symbolic link/);
});

test('a loss that diverges before the first checkpoint says that none was written', async () => {
  const out = fresh();
  const result = await train({ spec, out, sets: ['train.schedule={type: multistep, milestones: [0.3], factors: [1e30], interval: step}', 'train.lr=0.05'] });
  expect(result.reason).toBe('diverged');
  expect(result.message).toMatch(/at epoch 1, step \d+; no checkpoint had been written yet$/);
  expect(fs.existsSync(path.join(out, 'checkpoints', 'last.ckpt'))).toBe(false);
});

test('a resumed run keeps the best epoch and value and the snapshots an uninterrupted run has', async () => {
  // The highest loss is the first epoch's: a resume that forgot the best so far would make epoch 2 the best.
  const sets = ['train.checkpoint={monitor: loss, mode: max, every: 1, pattern: "e{epoch:02d}-{loss:.4f}.ckpt"}'];
  const o = { spec, sets, epochs: 3, limit: 48 };
  const full = fresh();
  expect((await train({ ...o, out: full })).reason).toBe('done');
  const cut = fresh();
  expect((await train({ ...o, out: cut }, { epoch: 1, step: 2 })).reason).toBe('interrupted');
  expect(readCheckpoint<CheckpointState>(path.join(cut, 'checkpoints', 'last.ckpt')).state.best?.epoch).toBe(1);
  expect((await train({ out: cut, resume: true })).reason).toBe('done');
  const names = (d: string) => fs.readdirSync(path.join(d, 'checkpoints')).sort();
  expect(names(cut)).toEqual(names(full));
  const losses = untimed(full).map((r) => r.loss as number);
  expect(names(full).filter((n) => /^e\d\d-/.test(n))).toEqual(losses.map((l, i) => `e0${i + 1}-${l.toFixed(4)}.ckpt`));
  const expectedBest = losses.indexOf(Math.max(...losses)) + 1;
  for (const name of names(full)) {
    const [a, b] = [full, cut].map((d) => readCheckpoint<CheckpointState>(path.join(d, 'checkpoints', name)));
    expect({ name, epoch: b.state.epoch, best: b.state.best }).toEqual({ name, epoch: a.state.epoch, best: a.state.best });
    b.modelValues.forEach((v, i) => expect(Buffer.from(v.buffer).equals(Buffer.from(a.modelValues[i].buffer))).toBe(true));
  }
  const best = readCheckpoint<CheckpointState>(path.join(cut, 'checkpoints', 'best.ckpt')).state;
  expect(best.epoch).toBe(expectedBest);
  expect(best.best).toEqual({ monitor: 'loss', mode: 'max', value: losses[expectedBest - 1], epoch: expectedBest });
  expect(expectedBest).toBe(1);
});

test('a kill between last.ckpt and the epoch\'s snapshot is repaired by --resume', async () => {
  const out = fresh();
  const child = spawn(process.execPath, [cliPath, 'train', spec, '--out', out, '--epochs', '1', '--backend', 'wasm', '--set', 'train.checkpoint.every=1'], {
    env: { ...process.env, NETSPEC_TEST_PAUSE_AT: 'epoch-001.ckpt' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => d.toString().includes('netspec-test-pause epoch-001.ckpt') && resolve()));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const ckpts = path.join(out, 'checkpoints');
  expect(fs.existsSync(path.join(ckpts, 'epoch-001.ckpt'))).toBe(false);
  const cli = await netspec('train', '--resume', '--out', out, '--backend', 'wasm');
  expect(cli.code).toBe(0);
  expect(cli.stdout).toMatch(/resume: epoch-001.ckpt written \(the snapshot of epoch 1\)/);
  expect(fs.readdirSync(ckpts).sort()).toEqual(['best.ckpt', 'epoch-001.ckpt', 'last.ckpt']);
  expect(fs.readFileSync(path.join(ckpts, 'epoch-001.ckpt')).equals(fs.readFileSync(path.join(ckpts, 'last.ckpt')))).toBe(true);
});

test('a checkpoint of a netspec that tracked the lowest val_loss: the best under the run\'s monitor is found again from its history', async () => {
  const out = fresh();
  expect((await train({ spec, out, epochs: 2, limit: 48 })).reason).toBe('done');
  // The header as netspec wrote it before train.checkpoint existed: bestValLoss and bestEpoch, no `best`.
  const file = path.join(out, 'checkpoints', 'last.ckpt');
  const old = readCheckpoint<CheckpointState & { bestValLoss?: number; bestEpoch?: number }>(file);
  const { best: _dropped, ...state } = old.state;
  const history = state.history;
  const lowest = history.reduce((a, r) => (r.val_loss! < a.val_loss! ? r : a));
  await writeCheckpoint(file, { ...old, state: { ...state, bestValLoss: lowest.val_loss, bestEpoch: lowest.epoch } });
  expect((await train({ out, resume: true, epochs: 3 })).reason).toBe('done');
  const records = readMetrics(path.join(out, 'metrics.jsonl'));
  // Keras ModelCheckpoint on val_accuracy (the default monitor): the first epoch with the highest value.
  const expected = records.reduce((a, r) => ((r.val_accuracy as number) > (a.val_accuracy as number) ? r : a)).epoch;
  const after = readCheckpoint<CheckpointState>(path.join(out, 'checkpoints', 'last.ckpt')).state.best;
  expect(after).toEqual({ monitor: 'val_accuracy', mode: 'max', value: records[expected - 1].val_accuracy, epoch: expected });
});
