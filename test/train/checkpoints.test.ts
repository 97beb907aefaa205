/**
 * Which checkpoints a run keeps, and how the commands pick one. best.ckpt follows `train.checkpoint.monitor`/`mode`
 * as Keras ModelCheckpoint(save_best_only=True) does: the expected epoch is computed here from the run's own
 * metrics.jsonl by Keras' rule written out (best starts at ±inf, replaced only when strictly better, auto = max for
 * accuracies). Snapshots carry the names the pattern gives. `--checkpoint best|last|PATH` changes what evaluate,
 * predict, export and compile write (best and last are different epochs here, checked), and bad names and bad
 * patterns exit 2 with a hint. The torch engine keeps the same checkpoints, through a resume too.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { trainOnTorch } from '../../src/backends/pytorch/train/launch';
import { readCheckpoint } from '../../src/train/checkpoint';
import { MetricsRecord, readMetrics } from '../../src/train/metrics';
import { startTraining, TrainRunOptions } from '../../src/train/run';
import { CheckpointState } from '../../src/train/trainer';
import { describeWithTorch } from '../backends/pytorch/torch-env';
import { netspec } from '../helpers/cli';

const spec = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-ckpt-'));
let runs = 0;
const fresh = () => path.join(tmp, `run${++runs}`);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function train(o: TrainRunOptions): Promise<string> {
  const out = fresh();
  const run = await startTraining({ backend: 'wasm', spec, out, ...o });
  expect((await run.result).reason).toBe('done');
  return out;
}

const state = (file: string) => readCheckpoint<CheckpointState>(file).state;
const ckpt = (dir: string, name: string) => path.join(dir, 'checkpoints', name);
const records = (dir: string) => readMetrics(path.join(dir, 'metrics.jsonl'));

/** Keras' ModelCheckpoint: `if self.monitor_op(current, self.best)` with best = ±inf at the start. */
function kerasBestEpoch(history: MetricsRecord[], monitor: string, mode: 'auto' | 'min' | 'max'): number {
  const max = mode === 'max' || (mode === 'auto' && monitor.includes('acc'));
  let best = max ? -Infinity : Infinity;
  let epoch = 0;
  for (const r of history) {
    const v = r[monitor] as number;
    if (max ? v > best : v < best) [best, epoch] = [v, r.epoch];
  }
  return epoch;
}

test('best.ckpt is the epoch Keras ModelCheckpoint would keep, for each monitor and mode', async () => {
  const chosen: number[] = [];
  for (const [monitor, mode] of [['val_accuracy', 'auto'], ['val_loss', 'auto'], ['loss', 'max'], ['accuracy', 'min'], ['val_loss', 'max']] as const) {
    const out = await train({ epochs: 5, limit: 48, sets: [`train.checkpoint={monitor: ${monitor}, mode: ${mode}}`] });
    const history = records(out);
    const expected = kerasBestEpoch(history, monitor, mode);
    const best = state(ckpt(out, 'best.ckpt'));
    console.log(`${monitor} ${mode}: ${history.map((r) => (r[monitor] as number).toFixed(4)).join(' ')} → best epoch ${expected}`);
    expect(best.epoch).toBe(expected);
    expect(best.stepInEpoch).toBe(0);
    const direction = mode !== 'auto' ? mode : monitor.endsWith('accuracy') ? 'max' : 'min';
    // The record survives in every later checkpoint's header: last.ckpt names the same epoch and value.
    expect(state(ckpt(out, 'last.ckpt')).best).toEqual({ monitor, mode: direction, value: history[expected - 1][monitor], epoch: expected });
    chosen.push(expected);
  }
  // Not vacuous: the rules pick different epochs, and not always the last one.
  expect(new Set(chosen).size).toBeGreaterThan(1);
  expect(chosen.some((e) => e !== 5)).toBe(true);
});

test('snapshots every N epochs are named by the pattern, each the checkpoint of its epoch', async () => {
  const out = await train({ epochs: 5, sets: ['train.checkpoint={every: 2, pattern: "ep{epoch:03d}-{val_accuracy:.4f}.ckpt"}'] });
  const history = records(out);
  const expected = [2, 4].map((e) => `ep${String(e).padStart(3, '0')}-${(history[e - 1].val_accuracy as number).toFixed(4)}.ckpt`);
  expect(fs.readdirSync(path.join(out, 'checkpoints')).sort()).toEqual(['best.ckpt', ...expected, 'last.ckpt'].sort());
  expect(expected.map((f) => state(ckpt(out, f)).epoch)).toEqual([2, 4]);
  expect(state(ckpt(out, expected[1])).history.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
});

describe('--checkpoint on evaluate, predict, export and compile', () => {
  let run: string;
  let bestEpoch: number;
  let image: string;
  beforeAll(async () => {
    // The highest training loss: the first epochs, while the last checkpoint is epoch 4.
    run = await train({ epochs: 4, sets: ['train.checkpoint={monitor: loss, mode: max, every: 2}'] });
    bestEpoch = kerasBestEpoch(records(run), 'loss', 'max');
    const png = new PNG({ width: 12, height: 12, colorType: 0 });
    for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 37) % 256;
    image = path.join(tmp, 'x.png');
    fs.writeFileSync(image, PNG.sync.write(png, { colorType: 0 }));
  });

  test('best and last are different epochs of this run', () => {
    expect(state(ckpt(run, 'best.ckpt')).epoch).toBe(bestEpoch);
    expect(bestEpoch).toBeLessThan(4);
  });

  test('evaluate: best and last differ, last is the run\'s model/, a path and a snapshot name give the same', async () => {
    const evaluate = async (...flags: string[]) => {
      const r = await netspec('evaluate', run, '--json', '--backend', 'wasm', ...flags);
      expect(r.stderr).not.toMatch(/error/);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as { loss: number; top1: number; checkpoint?: { file: string; epoch: number } };
    };
    const [best, last, plain, byName, byPath] = [
      await evaluate('--checkpoint', 'best'), await evaluate('--checkpoint', 'last'), await evaluate(),
      await evaluate('--checkpoint', 'epoch-002.ckpt'), await evaluate('--checkpoint', ckpt(run, 'epoch-002.ckpt')),
    ];
    expect(best.checkpoint?.epoch).toBe(bestEpoch);
    expect(last.checkpoint?.epoch).toBe(4);
    expect(best.loss).not.toBe(last.loss);
    expect(last.loss).toBe(plain.loss);
    expect(plain.checkpoint).toBeUndefined();
    expect(byName.loss).toBe(byPath.loss);
    expect(byName.checkpoint?.epoch).toBe(2);
    const text = await netspec('evaluate', run, '--checkpoint', 'best', '--backend', 'wasm');
    expect(text.stdout).toContain(`checkpoint: ${ckpt(run, 'best.ckpt')} (after epoch ${bestEpoch})`);
  });

  test('predict: best and last give other probabilities, last those of the run', async () => {
    const predict = async (...flags: string[]) => {
      const r = await netspec('predict', run, image, '--json', '--top', '4', ...flags);
      expect(r.code).toBe(0);
      const [p] = JSON.parse(r.stdout) as { top: { class: string; probability: number }[] }[];
      return Object.fromEntries(p.top.map((t) => [t.class, t.probability]));
    };
    const [best, last, plain] = [await predict('--checkpoint', 'best'), await predict('--checkpoint', 'last'), await predict()];
    expect(last).toEqual(plain);
    expect(best).not.toEqual(last);
  });

  test('export: the ONNX model of best differs from last and says where its weights come from', async () => {
    const files = ['best', 'last'].map((c) => path.join(tmp, `${c}.onnx`));
    const [best, last] = [await netspec('export', run, '--checkpoint', 'best', '--out', files[0]), await netspec('export', run, '--checkpoint', 'last', '--out', files[1])];
    expect([best.code, last.code]).toEqual([0, 0]);
    expect(best.stdout).toContain(`weights from ${ckpt(run, 'best.ckpt')} (after epoch ${bestEpoch})`);
    const [a, b] = files.map((f) => fs.readFileSync(f));
    expect(a.length).toBe(b.length);
    expect(a.equals(b)).toBe(false);
  });

  test('compile --weights RUN --checkpoint: last is the run\'s model/ byte for byte (as --weights RUN), best is not; a .ckpt file works alone', async () => {
    const compile = async (name: string, ...flags: string[]) => {
      const out = path.join(tmp, name);
      const r = await netspec('compile', path.join(run, 'spec.yaml'), '--out', out, '--backend', 'wasm', ...flags);
      expect(r.code).toBe(0);
      return { stdout: r.stdout, weights: fs.readFileSync(path.join(out, 'weights.bin')) };
    };
    const last = await compile('c-last', '--weights', run, '--checkpoint', 'last');
    const best = await compile('c-best', '--weights', run, '--checkpoint', 'best');
    const file = await compile('c-file', '--weights', ckpt(run, 'best.ckpt'));
    const plain = await compile('c-run', '--weights', run);
    expect(last.stdout).toMatch(/loaded 27 of 27 weights from .*last\.ckpt \(after epoch 4\)/);
    expect(last.weights.equals(fs.readFileSync(path.join(run, 'model', 'weights.bin')))).toBe(true);
    expect(best.weights.equals(last.weights)).toBe(false);
    expect(file.weights.equals(best.weights)).toBe(true);
    expect(plain.weights.equals(last.weights)).toBe(true);
  });

  test('a name the run does not have, a keyword without a run, or a checkpoint of another model: exit 2 with a hint', async () => {
    const typo = await netspec('evaluate', run, '--checkpoint', 'bset');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(`error: no checkpoint bset in ${path.join(run, 'checkpoints')}`);
    expect(typo.stderr).toContain("hint: the run has best.ckpt, epoch-002.ckpt, epoch-004.ckpt, last.ckpt; did you mean 'best'?");
    const snapshot = await netspec('predict', run, image, '--checkpoint', 'epoch-02.ckpt');
    expect(snapshot.code).toBe(2);
    expect(snapshot.stderr).toContain("did you mean 'epoch-002.ckpt'?");
    const bare = await netspec('evaluate', path.join(run, 'model', 'model.json'), '--checkpoint', 'best');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--checkpoint best needs a run directory/);
    const notRun = await netspec('compile', spec, '--out', path.join(tmp, 'c-x'), '--weights', path.join(run, 'model', 'model.json'), '--checkpoint', 'best');
    expect(notRun.code).toBe(2);
    expect(notRun.stderr).toMatch(/--checkpoint picks a checkpoint of the run given to --weights/);
    const other = await train({ epochs: 1, sets: ['stages.1.filters=32'] });
    const foreign = await netspec('export', run, '--checkpoint', ckpt(other, 'last.ckpt'), '--out', path.join(tmp, 'x.onnx'));
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/last\.ckpt: error: does not fit this model: 0 weight\(s\) missing, \d+ with another shape/);
    for (const r of [typo, snapshot, bare, notRun, foreign]) expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(fs.existsSync(path.join(tmp, 'x.onnx'))).toBe(false);
  });
});

test('a bad snapshot pattern stops train before it starts: exit 2, located, with a hint', async () => {
  const out = fresh();
  const r = await netspec('train', spec, '--out', out, '--set', 'train.checkpoint={every: 1, pattern: "../{epoch}.ckpt"}');
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/<command line>:1:\d+: error: pattern '\.\.\/\{epoch\}\.ckpt' has a path separator/);
  expect(r.stderr).toMatch(/hint: give a file name only/);
  expect(fs.existsSync(path.join(out, 'run.json'))).toBe(false);
});

test('data without a test split: best.ckpt tracks the training metric and says so; val_ fields in a pattern are refused', async () => {
  const folder = path.join(tmp, 'images');
  for (let c = 0; c < 4; c++) {
    fs.mkdirSync(path.join(folder, `class${c}`), { recursive: true });
    for (let i = 0; i < 4; i++) {
      const png = new PNG({ width: 12, height: 12, colorType: 0 });
      for (let k = 0; k < png.data.length; k++) png.data[k] = (k * (c + 1) * 13 + i * 7) % 256;
      fs.writeFileSync(path.join(folder, `class${c}`, `${i}.png`), PNG.sync.write(png, { colorType: 0 }));
    }
  }
  const out = fresh();
  const r = await netspec('train', spec, '--data', folder, '--out', out, '--epochs', '3', '--backend', 'wasm');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('checkpoints: best.ckpt by max accuracy (the data has no test split, so best.ckpt tracks accuracy instead of val_accuracy)');
  expect(state(ckpt(out, 'best.ckpt')).epoch).toBe(kerasBestEpoch(records(out), 'accuracy', 'max'));
  const refused = await netspec('train', spec, '--data', folder, '--out', fresh(), '--set', 'train.checkpoint={every: 1, pattern: "{epoch}-{val_loss:.3f}.ckpt"}');
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/has no test split, so the snapshot pattern's \{val_loss\} has no value/);
  expect(refused.stderr).toMatch(/hint: use training metrics in train.checkpoint.pattern \(e\.g\. \{loss\}\)/);
});

test('--resume-from best trains the later epochs again: their snapshots are named in a warning, then replaced by equal ones', async () => {
  const sets = ['train.checkpoint={monitor: loss, mode: max, every: 1}'];
  const out = await train({ epochs: 3, limit: 48, sets });
  const before = ['epoch-002.ckpt', 'epoch-003.ckpt'].map((n) => readCheckpoint(ckpt(out, n)).modelValues);
  expect(state(ckpt(out, 'best.ckpt')).epoch).toBe(kerasBestEpoch(records(out), 'loss', 'max'));
  expect(state(ckpt(out, 'best.ckpt')).epoch).toBe(1);
  const r = await netspec('train', '--resume-from', 'best', '--out', out, '--backend', 'wasm');
  expect(r.code).toBe(0);
  for (const [name, epoch] of [['epoch-002.ckpt', 2], ['epoch-003.ckpt', 3]]) {
    expect(r.stdout).toContain(`resume: warning: ${name} is of epoch ${epoch}, which this run trains again from epoch 2`);
  }
  // Training is deterministic, so the epochs trained again write the same weights under the same names.
  ['epoch-002.ckpt', 'epoch-003.ckpt'].forEach((n, k) => {
    const after = readCheckpoint(ckpt(out, n)).modelValues;
    after.forEach((v, i) => expect(Buffer.from(v.buffer).equals(Buffer.from(before[k][i].buffer))).toBe(true));
  });
  expect(records(out).map((m) => m.epoch)).toEqual([1, 2, 3]);
});

describeWithTorch('the torch engine keeps best.ckpt and snapshots too', [], (python) => {
  test('best by the monitor, snapshots by the pattern (Python formats them), kept through --resume; --checkpoint reads them', async () => {
    const out = fresh();
    const sets = ['train.checkpoint={monitor: loss, mode: max, every: 1, pattern: "e{epoch:02d}-{val_accuracy:.4f}.ckpt"}'];
    const first = await trainOnTorch({ spec, sets, out, epochs: 2, limit: 48, python: python.executable });
    expect(first.code).toBe(0);
    const resumed = await trainOnTorch({ out, resume: true, epochs: 3, limit: 48, python: python.executable });
    expect(resumed.code).toBe(0);
    const history = records(out);
    expect(history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    const expected = kerasBestEpoch(history, 'loss', 'max');
    const best = state(ckpt(out, 'best.ckpt'));
    expect([best.epoch, best.best]).toEqual([expected, { monitor: 'loss', mode: 'max', value: history[expected - 1].loss, epoch: expected }]);
    const snapshots = history.map((r) => `e${String(r.epoch).padStart(2, '0')}-${(r.val_accuracy as number).toFixed(4)}.ckpt`);
    expect(fs.readdirSync(path.join(out, 'checkpoints')).sort()).toEqual(['best.ckpt', ...snapshots, 'torch-last.ckpt'].sort());
    expect(snapshots.map((n) => state(ckpt(out, n)).epoch)).toEqual([1, 2, 3]);
    const evaluate = async (...flags: string[]) => JSON.parse((await netspec('evaluate', out, '--json', ...flags)).stdout) as { loss: number };
    const [last, viaSnapshot, viaBest] = [await evaluate(), await evaluate('--checkpoint', snapshots[2]), await evaluate('--checkpoint', 'best')];
    expect(viaSnapshot.loss).toBe(last.loss);
    expect(expected).toBeLessThan(3);
    expect(viaBest.loss).not.toBe(last.loss);
    const tfjs = await netspec('train', '--resume-from', 'best', '--out', out);
    expect(tfjs.code).toBe(2);
    expect(tfjs.stderr).toMatch(/holds the weights of a torch-engine run[\s\S]*hint: continue the run with netspec train --engine torch --resume/);
  }, 10 * 60 * 1000);
});
