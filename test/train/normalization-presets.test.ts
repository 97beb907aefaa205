/**
 * The normalisation presets against Keras' `preprocess_input` (keras/src/applications/imagenet_utils.py,
 * `_preprocess_numpy_input`): its formulas written out here, and real Keras when the venv of scripts/ci/keras.sh is
 * there. Random erasing's uniform fill against get_random_eraser's arithmetic, converted through each normalisation.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { computeNormalization, normalize, NormalizationStats, RandomSource, randomErasing } from '../../src/train/augment';
import { Dataset } from '../../src/train/data/types';
import { DiagnosticError } from '../../src/diagnostics/diagnostic';
import { kerasPython } from '../backends/keras/fixtures';

/** Every byte value once in each channel, shifted per channel so no two channels are alike: 256 RGB pixels. */
const PIXELS = Array.from({ length: 256 }, (_, i) => [i, (i + 85) % 256, (i + 170) % 256]).flat();

const rgb = (): Dataset => ({
  name: 't', split: 'train', sources: [], classes: ['a'], shape: [16, 16, 3], size: 1, images: Uint8Array.from(PIXELS), labels: new Int32Array(1),
});

/** Keras' formulas on pixel values 0..255, written as imagenet_utils.py writes them (channels_last). */
const KERAS: Record<'caffe' | 'tf' | 'torch', (px: number[]) => number[]> = {
  // x = x[..., ::-1]; x[..., 0] -= 103.939; x[..., 1] -= 116.779; x[..., 2] -= 123.68
  caffe: ([r, g, b]) => [b - 103.939, g - 116.779, r - 123.68],
  // x /= 127.5; x -= 1.0
  tf: (px) => px.map((v) => v / 127.5 - 1),
  // x /= 255.0; mean = [0.485, 0.456, 0.406]; std = [0.229, 0.224, 0.225]
  torch: (px) => px.map((v, k) => (v / 255 - [0.485, 0.456, 0.406][k]) / [0.229, 0.224, 0.225][k]),
};

function netspecNormalized(preset: 'caffe' | 'tf' | 'torch'): Float32Array {
  const x = Float32Array.from(PIXELS, (v) => v / 255); // what gatherBatch hands over
  normalize(x, computeNormalization(rgb(), preset));
  return x;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe.each(['caffe', 'tf', 'torch'] as const)('normalize: %s', (preset) => {
  test('matches Keras preprocess_input\'s formula on every byte value', () => {
    const expected: number[] = [];
    for (let p = 0; p < PIXELS.length; p += 3) expected.push(...KERAS[preset](PIXELS.slice(p, p + 3)));
    // float32 rounding of values up to ~150 (caffe) is 1e-5; the others stay within a few units of 1.
    expectClose(netspecNormalized(preset), expected, preset === 'caffe' ? 2e-5 : 2e-6);
  });

  test('is recorded with its numbers, for evaluate and predict to apply', () => {
    const stats = computeNormalization(rgb(), preset);
    expect(stats).toMatchObject({ kind: 'preset', preset, bgr: preset === 'caffe' });
    // JSON round trip, as run.json stores it: the same batch comes out.
    const again = Float32Array.from(PIXELS, (v) => v / 255);
    normalize(again, JSON.parse(JSON.stringify(stats)) as NormalizationStats);
    expect([...again]).toEqual([...netspecNormalized(preset)]);
  });

  test('refuses grey images with the setting that fixes it', () => {
    const grey: Dataset = { ...rgb(), shape: [16, 16, 1], images: new Uint8Array(256) };
    let thrown: unknown;
    try {
      computeNormalization(grey, preset);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DiagnosticError);
    const d = (thrown as DiagnosticError).diagnostics[0];
    expect(d.pointer).toBe('/train/augment/normalize');
    expect(d.message).toContain('1 channel');
    expect(d.hint).toContain('adapt.channels to repeat');
  });
});

if (!fs.existsSync(kerasPython)) {
  console.warn(`normalization presets: real Keras not compared (no venv at ${kerasPython}; scripts/ci/keras.sh makes it)`);
  test('the Keras venv is really absent', () => expect(fs.existsSync(kerasPython)).toBe(false));
} else {
  test('real Keras: keras.applications.imagenet_utils.preprocess_input gives the same numbers in every mode', () => {
    const script = [
      'import json, sys, numpy as np',
      'from keras.src.applications import imagenet_utils as iu',
      'x = np.array(json.loads(sys.stdin.read()), dtype="float32").reshape(1, 16, 16, 3)',
      'print(json.dumps({m: iu.preprocess_input(x.copy(), data_format="channels_last", mode=m).ravel().tolist() for m in ["caffe", "tf", "torch"]}))',
    ].join('\n');
    const out = execFileSync(kerasPython, ['-c', script], {
      input: JSON.stringify(PIXELS), env: { ...process.env, KERAS_BACKEND: 'jax', JAX_PLATFORMS: 'cpu' }, encoding: 'utf8',
    });
    const keras = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number[]>;
    for (const preset of ['caffe', 'tf', 'torch'] as const) expectClose(netspecNormalized(preset), keras[preset], preset === 'caffe' ? 2e-5 : 2e-6);
  }, 60_000);
}

/** Draws for one 2×2 rectangle at (0, 0) of a 4×4 image: p-test, area, aspect, then the uniform fill. */
function drawsFor(fill: number): RandomSource {
  const next = [0, 0, 0, fill];
  return { next: () => next.shift()!, int: () => 0, normal: () => { throw new Error('normal() not expected'); } };
}

describe('random erasing with a uniform fill (get_random_eraser, pixel_level=False)', () => {
  const erasing = { probability: 1, area: [0.25, 0.25] as [number, number], aspect: [1, 1] as [number, number], value: 'uniform' as const, range: [0, 255] as [number, number] };
  // u = 0.4 over [v_l, v_h] = [0, 255] → one value, 102, for every element of the rectangle (np.random.uniform(v_l, v_h)).
  const PIXEL = 0.4 * 255;
  const inside = [0, 1, 4, 5]; // the 2×2 rectangle at the top-left of a 4×4 image

  test('without normalisation: the pixel value / 255, the same in every channel', () => {
    const x = new Float32Array(4 * 4 * 3).fill(-7);
    randomErasing(x, [4, 4, 3], drawsFor(0.4), erasing);
    for (const p of inside) expect([...x.subarray(3 * p, 3 * p + 3)]).toEqual(Array(3).fill(Math.fround(PIXEL / 255)));
    expect(x[3 * 2]).toBe(-7);
  });

  test('per channel and caffe: the pixel value goes through the batch\'s normalisation', () => {
    const stats: NormalizationStats = { kind: 'per_channel', mean: [0.5, 0.25, 0], std: [0.5, 0.25, 1] };
    const x = new Float32Array(4 * 4 * 3);
    randomErasing(x, [4, 4, 3], drawsFor(0.4), erasing, stats);
    expectClose(x.subarray(0, 3), [(0.4 - 0.5) / 0.5, (0.4 - 0.25) / 0.25, 0.4], 1e-6);
    const caffe = computeNormalization(rgb(), 'caffe');
    const y = new Float32Array(4 * 4 * 3);
    randomErasing(y, [4, 4, 3], drawsFor(0.4), { ...erasing, range: [50, 150] }, caffe);
    // 50 + 0.4 · 100 = 90 in pixel units, BGR means subtracted (a grey value is the same in either order).
    expectClose(y.subarray(15, 18), [90 - 103.939, 90 - 116.779, 90 - 123.68], 2e-5);
  });

  test('mean image: the mean of that very pixel is subtracted', () => {
    const mean = Array.from({ length: 16 }, (_, i) => i / 100);
    const x = new Float32Array(16);
    randomErasing(x, [4, 4, 1], drawsFor(0.4), erasing, { kind: 'mean_image', shape: [4, 4, 1], mean });
    expectClose(inside.map((p) => x[p]), inside.map((p) => 0.4 - p / 100), 1e-6);
    expect(x[2]).toBe(0);
  });
});
