/**
 * The preprocessing presets and the data options end to end: a run on an image folder without test/ records its
 * Keras preprocessing and its validation subset in run.json; evaluate scores that subset; predict on a raw PNG applies
 * the same preprocessing as Keras' preprocess_input (its caffe formula, written out here). Bad data through the CLI
 * is exit 2 with the folder or file named.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../../src/runtime/tf';
import { selectBackend } from '../../src/runtime/backend';
import { evaluate } from '../../src/train/evaluate';
import { predictFiles } from '../../src/train/predict';
import { readRunInfo } from '../../src/train/run-dir';
import { startTraining } from '../../src/train/run';
import { loadServedModel } from '../../src/train/served-model';
import { netspec } from '../helpers/cli';

const spec = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-preprocess-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A 12×12 RGB PNG whose channels differ (so an RGB/BGR mix-up shows): class k is brighter in channel k mod 3. */
function png(file: string, k: number, n: number): Buffer {
  const img = new PNG({ width: 12, height: 12 });
  for (let p = 0; p < 144; p++) {
    const base = (p * 5 + n * 11) % 90;
    img.data.set([base + (k % 3 === 0 ? 150 : 0), base + (k % 3 === 1 ? 150 : 20), base + (k % 3 === 2 ? 150 : 60), 255], 4 * p);
  }
  const bytes = PNG.sync.write(img);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return bytes;
}

const folder = path.join(tmp, 'images');
for (let k = 0; k < 4; k++) for (let n = 0; n < 10; n++) png(path.join(folder, `class${k}`, `${n}.png`), k, n);
const out = path.join(tmp, 'run');

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  const run = await startTraining({
    spec, backend: 'wasm', out, data: folder, epochs: 1,
    sets: ['input=[12, 12, 3]', 'train.data.limit=null', 'train.augment.normalize=caffe', 'train.data.validation_split=0.25',
      'train.augment.erasing={probability: 0.5, value: uniform, range: [0, 255]}'],
  });
  const result = await run.result;
  expect(result.reason).toBe('done');
}, 120_000);

test('run.json records the caffe preset with its numbers and the validation subset with its seed', () => {
  const info = readRunInfo(out);
  expect(info.normalization).toEqual({
    kind: 'preset', preset: 'caffe', bgr: true, mean: [103.939 / 255, 116.779 / 255, 123.68 / 255], std: [1 / 255, 1 / 255, 1 / 255],
  });
  expect(info.data.validation).toEqual({ fraction: 0.25, seed: 7 });
});

test('evaluate scores the held-out quarter: int(0.25 · 40) = 10 images', async () => {
  const report = await evaluate(await loadServedModel(out), {});
  expect(report.examples).toBe(10);
  expect(report.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(10);
});

test('predict on a raw PNG applies Keras\' caffe preprocessing before the model', async () => {
  const file = path.join(tmp, 'query.png');
  png(file, 2, 3);
  const served = await loadServedModel(out);
  const [p] = predictFiles(served, [file], 4);
  // Keras: x = x[..., ::-1] (RGB → BGR); x -= [103.939, 116.779, 123.68]; pixels 0..255, no scaling.
  const { data } = PNG.sync.read(fs.readFileSync(file));
  const x = new Float32Array(144 * 3);
  for (let q = 0; q < 144; q++) {
    x[3 * q] = data[4 * q + 2] - 103.939;
    x[3 * q + 1] = data[4 * q + 1] - 116.779;
    x[3 * q + 2] = data[4 * q] - 123.68;
  }
  const probs = (m: Float32Array) => tf.tidy(() => {
    const y = served.model.predict(tf.tensor4d(m, [1, 12, 12, 3])) as Tensor;
    return Array.from((served.fromLogits ? tf.softmax(y) : y).dataSync());
  });
  const expected = probs(x);
  for (const t of p.top) expect(t.probability).toBeCloseTo(expected[t.index], 5);
  // Not vacuous: the same image without the preset (pixels / 255) scores differently.
  const raw = probs(Float32Array.from({ length: 432 }, (_, i) => data[4 * Math.floor(i / 3) + (i % 3)] / 255));
  expect(Math.max(...raw.map((v, i) => Math.abs(v - expected[i])))).toBeGreaterThan(1e-3);
});

test('an empty class folder and a hostile HDF5 file are exit 2 with the path, never a stack trace', async () => {
  const empty = path.join(tmp, 'with-empty');
  png(path.join(empty, 'a', '0.png'), 0, 0);
  fs.mkdirSync(path.join(empty, 'b'));
  const r = await netspec('train', spec, '--data', empty, '--out', path.join(tmp, 'never'), '--set', 'input=[12, 12, 3]');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(path.join(empty, 'b'));
  expect(r.stderr).toContain('class folder holds no PNG or JPEG images');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const h5 = path.join(tmp, 'signs');
  fs.mkdirSync(h5);
  fs.writeFileSync(path.join(h5, 'train_signs.h5'), Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]));
  const bad = await netspec('train', spec, '--data', h5, '--out', path.join(tmp, 'never2'));
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(path.join(h5, 'train_signs.h5'));
  expect(bad.stderr).toContain('is not a readable HDF5 file');
  expect(bad.stderr).not.toMatch(/\n\s+at /);
}, 60_000);
