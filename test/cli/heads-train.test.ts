/**
 * A spec with head.layers and an in-model resize trains through the CLI: one step on synthetic data, saved, and
 * evaluated by netspec from the saved model (UpSampling2D and batch norm on [N, C] read back).
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
