/**
 * Every built-in spec (`netspec list`) trains: one optimizer step through the CLI on synthetic data, with its own
 * `train:` defaults. ImageNet-size nets train at 64×64 (`--set input=[64,64,3]`; global pooling makes the weights the
 * same at any input size) with plain SGD (`--set train.optimizer={type: sgd, momentum: 0}`: no optimizer slots, so
 * ResNet-152's checkpoint is 241 MB instead of Adam's 723 MB), so that all of them take a few minutes on two cores
 * (measured: 2.0 min of CPU, 1 min of it system time writing checkpoints and models). Two run at a time: much of
 * each command is writing files, which leaves a core free.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileSpec } from '../../src/ir/compile';
import { readCheckpoint } from '../../src/train/checkpoint';
import { readMetrics } from '../../src/train/metrics';
import { netspec } from '../helpers/cli';

/** Keras applications' totals (weights + BN statistics), from ../shared/REFERENCE.md, not from netspec. */
const KERAS_TOTALS: Record<string, number> = {
  'keras/resnet50': 25_636_712, 'keras/resnet101': 44_707_176, 'keras/resnet152': 60_419_944,
  'keras/resnet50v2': 25_613_800, 'keras/resnet101v2': 44_675_560, 'keras/resnet152v2': 60_380_648,
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-builtins-'));
let builtins: string[] = [];

beforeAll(async () => {
  const listed = await netspec('list', '--json');
  expect(listed.code).toBe(0);
  builtins = (JSON.parse(listed.stdout) as { name: string }[]).map((b) => b.name);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('every built-in trains one step from the command line', async () => {
  expect(builtins.length).toBeGreaterThanOrEqual(20);
  const failures: string[] = [];
  const trainOne = async (name: string) => {
    const input = compileSpec(name).graph!.input;
    const small = input[0] > 64 ? ['--set', 'input=[64,64,3]', '--set', 'train.optimizer={type: sgd, momentum: 0}'] : [];
    const out = path.join(tmp, name.replace(/\//g, '_'));
    const started = Date.now();
    const r = await netspec('train', name, ...small, '--data', 'synthetic', '--limit', '2', '--batch-size', '2', '--epochs', '1', '--out', out, '--backend', 'wasm');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (r.code !== 0) {
      failures.push(`${name}: exit ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
      return;
    }
    const [epoch] = readMetrics(path.join(out, 'metrics.jsonl'));
    const ckpt = readCheckpoint<{ epoch: number; history: unknown[] }>(path.join(out, 'checkpoints', 'last.ckpt'));
    const total = ckpt.model.reduce((a, e) => a + e.shape.reduce((x, y) => x * y, 1), 0);
    console.log(`${name}: 1 step in ${seconds} s (whole command), loss ${epoch.loss}, ${total} weights`);
    if (!Number.isFinite(epoch.loss as number)) failures.push(`${name}: loss ${epoch.loss}`);
    if (ckpt.state.epoch !== 1 || ckpt.state.history.length !== 1) failures.push(`${name}: checkpoint at epoch ${ckpt.state.epoch}`);
    if (KERAS_TOTALS[name] !== undefined && total !== KERAS_TOTALS[name]) failures.push(`${name}: ${total} weights, Keras has ${KERAS_TOTALS[name]}`);
    if (!fs.existsSync(path.join(out, 'model', 'model.json'))) failures.push(`${name}: no model/model.json`);
    fs.rmSync(out, { recursive: true, force: true });
  };
  const queue = [...builtins];
  await Promise.all([0, 1].map(async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) await trainOne(name);
  }));
  expect(failures).toEqual([]);
});
