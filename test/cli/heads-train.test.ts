/**
 * A spec with head.layers and an in-model resize through the CLI: it trains one step on synthetic data, is saved
 * and evaluated by netspec from the saved model (UpSampling2D and batch norm on [N, C] read back), and is drawn.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { netspec } from '../helpers/cli';

const SMALL = path.join(__dirname, '..', 'fixtures', 'heads', 'small.yaml');
const ONE_STEP = ['--data', 'synthetic', '--limit', '8', '--epochs', '1'];

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-heads-train-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('one step with the tfjs engine, saved, evaluated', async () => {
  const out = path.join(dir, 'tfjs');
  const r = await netspec('train', SMALL, ...ONE_STEP, '--out', out);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^model: small-heads, 223,562 parameters \(214,762 trainable\)$/m);
  const loss = Number(/^epoch 1\/1 +loss (\d+\.\d+)/m.exec(r.stdout)?.[1]);
  // Ten classes: about ln 10 = 2.30 at the start; finite, and not a saturated softmax's 16.
  expect(loss).toBeGreaterThan(1);
  expect(loss).toBeLessThan(5);
  const e = await netspec('evaluate', out, '--json');
  expect(e.code).toBe(0);
  const metrics = JSON.parse(e.stdout) as { loss: number; top1: number };
  expect(Number.isFinite(metrics.loss)).toBe(true);
  expect(metrics.top1).toBeGreaterThanOrEqual(0);
});

test('graph draws the resize and every head item with its shape (16×16 input, 2×: 32×32)', async () => {
  const r = await netspec('graph', SMALL, '--level', 'layer', '--format', 'dot');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('"upsample" [label="upsample\\nUpSampling2D · 32×32×3"]');
  // 8×8×64 flattened: 4,096 features; 4·4,096 BN parameters; 4,096·32 + 32 dense parameters.
  expect(r.stdout).toContain('"head.2" [label="head.2\\nBatchNormalization · 4096 · 16,384 params"]');
  expect(r.stdout).toContain('"head.3" [label="head.3\\nDense · 32 · 131,104 params"]');
  expect(r.stdout).toContain('"head_act" [label="head_act\\nActivation · 16"]');
});
