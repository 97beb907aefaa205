/**
 * A two-class model with one sigmoid unit (binary cross-entropy, label 1 = the positive class), trained end to end
 * on an image folder whose classes a net separates at once (dark vs bright squares), then scored by
 * `netspec evaluate` and `netspec predict`: one unit read as two classes, accuracy and loss as training's validation
 * reported them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { readMetrics } from '../../src/train/metrics';
import { readRunInfo } from '../../src/train/run-dir';
import { startTraining } from '../../src/train/run';
import { netspec } from '../helpers/cli';

const spec = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-two-class-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** root/{train,test}/{dark,bright}/i.png: 12×12 grey squares, dark ones in 10..70, bright ones in 180..240. */
function writeFolder(root: string): void {
  let state = 12345;
  const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (const [split, n] of [['train', 24], ['test', 12]] as const) {
    for (const [cls, low] of [['bright', 180], ['dark', 10]] as const) {
      const dir = path.join(root, split, cls);
      fs.mkdirSync(dir, { recursive: true });
      for (let i = 0; i < n; i++) {
        const png = new PNG({ width: 12, height: 12 });
        for (let p = 0; p < 144; p++) {
          const v = low + Math.floor(rand() * 60);
          png.data.set([v, v, v, 255], p * 4);
        }
        fs.writeFileSync(path.join(dir, `${i}.png`), PNG.sync.write(png, { colorType: 0 }));
      }
    }
  }
}

test('one sigmoid unit with binary cross-entropy learns dark vs bright; evaluate reads it as two classes', async () => {
  const data = path.join(tmp, 'squares');
  writeFolder(data);
  const out = path.join(tmp, 'run');
  const sets = ['head.classes=1', 'head.activation=sigmoid', 'train.loss={type: binary_crossentropy}', 'train.optimizer={type: rmsprop}', 'train.lr=0.003'];
  const run = await startTraining({ backend: 'wasm', spec, sets, data, epochs: 3, out });
  expect((await run.result).reason).toBe('done');
  const info = readRunInfo(out);
  expect([info.classes, info.loss, info.fromLogits]).toEqual([['bright', 'dark'], 'binary_crossentropy', false]);
  const last = readMetrics(path.join(out, 'metrics.jsonl')).at(-1) as unknown as { val_loss: number; val_accuracy: number };
  console.log(`two-class sigmoid run: ${JSON.stringify(last)}`);
  expect(last.val_accuracy).toBeGreaterThanOrEqual(0.9);
  const r = await netspec('evaluate', out, '--json');
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout) as { loss: number; top1: number; examples: number; confusion: { matrix: number[][] } };
  expect(report.examples).toBe(24);
  expect(report.top1).toBeCloseTo(last.val_accuracy, 5);
  expect(report.loss).toBeCloseTo(last.val_loss, 4);
  expect(report.confusion.matrix.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([12, 12]);
  // predict: both classes with probabilities 1 − p and p (summing to 1), the likelier first.
  const files = ['bright', 'dark'].map((c) => path.join(data, 'test', c, '0.png'));
  const p = await netspec('predict', out, ...files, '--json');
  expect(p.code).toBe(0);
  const tops = (JSON.parse(p.stdout) as { top: { class: string; probability: number }[] }[]).map((x) => x.top);
  expect(tops.map((t) => t[0].class)).toEqual(['bright', 'dark']);
  for (const t of tops) expect(t[0].probability + t[1].probability).toBeCloseTo(1, 5);
}, 120_000);
