/** Augmentation and normalisation against hand-computed values on tiny arrays, with scripted random draws. */
import { AugmentConfig, ErasingConfig } from '../../src/train/config';
import {
  augmentBatch, computeNormalization, flipImage, normalize, padCrop, RandomSource, randomErasing, randomFlip,
  randomShift, translate,
} from '../../src/train/augment';
import { Dataset, ImageShape } from '../../src/train/data/types';
import { Rng } from '../../src/train/rng';

/** Replays fixed draws and fails loudly if the code under test asks for more or for another kind. */
function scripted(draws: { next?: number[]; int?: [number, number][]; normal?: number[] }): RandomSource & { done(): boolean } {
  const next = [...(draws.next ?? [])];
  const ints = [...(draws.int ?? [])];
  const normals = [...(draws.normal ?? [])];
  return {
    next: () => {
      if (next.length === 0) throw new Error('unexpected next()');
      return next.shift()!;
    },
    int: (n: number) => {
      const d = ints.shift();
      if (!d) throw new Error(`unexpected int(${n})`);
      expect(n).toBe(d[0]); // the range asked for is part of the contract
      return d[1];
    },
    normal: () => {
      if (normals.length === 0) throw new Error('unexpected normal()');
      return normals.shift()!;
    },
    done: () => next.length === 0 && ints.length === 0 && normals.length === 0,
  };
}

const S3: ImageShape = [3, 3, 1];
/** One 3×3 image: 1 2 3 / 4 5 6 / 7 8 9. */
const img = (): Float32Array => Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

test('translate moves content by (dy, dx) with zero or nearest-edge fill', () => {
  const down = img();
  translate(down, S3, 0, 1, 0, 'constant');
  expect([...down]).toEqual([0, 0, 0, 1, 2, 3, 4, 5, 6]);
  const downNearest = img();
  translate(downNearest, S3, 0, 1, 0, 'nearest');
  expect([...downNearest]).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6]);
  const leftUp = img();
  translate(leftUp, S3, 0, -1, -1, 'nearest');
  // out[y][x] = in[clamp(y + 1)][clamp(x + 1)]
  expect([...leftUp]).toEqual([5, 6, 6, 8, 9, 9, 8, 9, 9]);
  const twoChannels = Float32Array.from([1, 10, 2, 20]); // 1×2×2
  translate(twoChannels, [1, 2, 2], 0, 0, 1, 'constant', -1);
  expect([...twoChannels]).toEqual([-1, -1, 1, 10]);
});

test('random shift draws dy, dx in [−round(f·h), round(f·h)] per image', () => {
  // f = 0.34 on 3×3: max shift round(1.02) = 1, so int(3) − 1. Draws 2, 1 → dy = +1, dx = 0.
  const x = img();
  const rng = scripted({ int: [[3, 2], [3, 1]] });
  randomShift(x, S3, rng, 0.34, 'constant');
  expect([...x]).toEqual([0, 0, 0, 1, 2, 3, 4, 5, 6]);
  expect(rng.done()).toBe(true);
  // With a real stream every shift in [−1, 1]² shows up.
  const seen = new Set<string>();
  const real = Rng.fromSeed(0);
  for (let i = 0; i < 200; i++) {
    const one = Float32Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    randomShift(one, S3, real, 0.34, 'constant');
    seen.add(String(one.indexOf(1)));
  }
  expect([...seen].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8']);
});

test('pad-and-crop equals cropping the zero-padded image at the drawn offset', () => {
  // pad 1: offsets in [0, 2]. Crop at (oy, ox) = (0, 2) of the 5×5 padded image:
  // rows −1..1, columns 1..3 of the original → 0 0 0 / 2 3 0 / 5 6 0.
  const x = img();
  const rng = scripted({ int: [[3, 0], [3, 2]] });
  padCrop(x, S3, rng, 1);
  expect([...x]).toEqual([0, 0, 0, 2, 3, 0, 5, 6, 0]);
  // The centre offset (1, 1) is the identity.
  const same = img();
  padCrop(same, S3, scripted({ int: [[3, 1], [3, 1]] }), 1);
  expect([...same]).toEqual([...img()]);
});

test('horizontal flip mirrors rows, per image with probability p', () => {
  const x = Float32Array.from([...img(), ...img()]);
  randomFlip(x, S3, scripted({ next: [0.49, 0.5] }));
  expect([...x]).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const rgb = Float32Array.from([1, 2, 3, 4, 5, 6]); // 1×2×3: pixels keep their channel order
  flipImage(rgb, [1, 2, 3], 0);
  expect([...rgb]).toEqual([4, 5, 6, 1, 2, 3]);
  const many = new Float32Array(2000 * 2);
  many.forEach((_, i) => (many[i] = i % 2));
  randomFlip(many, [1, 2, 1], Rng.fromSeed(1));
  const flipped = many.filter((v, i) => i % 2 === 0 && v === 1).length;
  expect(flipped).toBeGreaterThan(900); // binomial(2000, 0.5): mean 1000, sd 22
  expect(flipped).toBeLessThan(1100);
});

test('random erasing follows Zhong et al.: area, aspect, fit test, placement, fill', () => {
  // 4×4 image, p = 1, area [0.25, 0.5], aspect [0.5, 2].
  const cfg: ErasingConfig = { probability: 1, area: [0.25, 0.5], aspect: [0.5, 2], value: -1, range: [0, 255] };
  const x = new Float32Array(16).fill(1);
  // Draws: p-test 0; attempt 1: area u = 1 → 0.5·16 = 8, aspect u = 1 → 2: h = round(4) = 4 ≥ 4, rejected.
  // Attempt 2: area u = 0 → 4, aspect u = 0 → 0.5: h = round(√2) = 1, w = round(√8) = 3; top int(4) = 2, left int(2) = 1.
  const rng = scripted({ next: [0, 1, 1, 0, 0], int: [[4, 2], [2, 1]] });
  randomErasing(x, [4, 4, 1], rng, cfg);
  expect(rng.done()).toBe(true);
  expect([...x]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, 1, 1, 1, 1]);
  // Probability test fails → untouched, and nothing else is drawn.
  const y = new Float32Array(16).fill(1);
  randomErasing(y, [4, 4, 1], scripted({ next: [0.7] }), { ...cfg, probability: 0.5 });
  expect([...y]).toEqual(new Array(16).fill(1));
  // Per-channel values and standard-normal noise.
  const rgb = new Float32Array(2 * 2 * 2);
  const area = { probability: 1, area: [0.25, 0.25] as [number, number], aspect: [1, 1] as [number, number], range: [0, 255] as [number, number] };
  randomErasing(rgb, [2, 2, 2], scripted({ next: [0, 0, 0], int: [[2, 1], [2, 0]] }), { ...area, value: [7, 8] });
  expect([...rgb]).toEqual([0, 0, 0, 0, 7, 8, 0, 0]);
  const noise = new Float32Array(4);
  randomErasing(noise, [2, 2, 1], scripted({ next: [0, 0, 0], int: [[2, 0], [2, 1]], normal: [0.25] }), { ...area, value: 'random' });
  expect([...noise]).toEqual([0, 0.25, 0, 0]);
});

function dataset(shape: ImageShape, images: number[]): Dataset {
  const size = images.length / (shape[0] * shape[1] * shape[2]);
  return { name: 't', split: 'train', sources: [], classes: ['a'], shape, size, images: Uint8Array.from(images), labels: new Int32Array(size) };
}

test('mean image and per-channel statistics over the training set, in [0, 1] units', () => {
  // Two 1×2×1 images: [0, 255] and [255, 51] → mean image [127.5, 153] / 255.
  const ds = dataset([1, 2, 1], [0, 255, 255, 51]);
  const meanImage = computeNormalization(ds, 'mean_image');
  expect(meanImage).toEqual({ kind: 'mean_image', shape: [1, 2, 1], mean: [0.5, 0.6] });
  const x = Float32Array.from([0.5, 0.5]);
  normalize(x, meanImage);
  expect([...x].map((v) => +v.toFixed(6))).toEqual([0, -0.1]);
  // Two channels over 1×2 pixels × 2 images: channel 0 = 0, 0, 255, 255 → mean 0.5, std 0.5;
  // channel 1 = 51 everywhere → mean 0.2, std 0 (then divided by 1).
  const rgb = dataset([1, 2, 2], [0, 51, 0, 51, 255, 51, 255, 51]);
  const stats = computeNormalization(rgb, 'per_channel');
  expect(stats).toEqual({ kind: 'per_channel', mean: [0.5, 0.2], std: [0.5, 0] });
  const y = Float32Array.from([1, 0.2, 0, 0.3]);
  normalize(y, stats);
  expect([...y].map((v) => +v.toFixed(6))).toEqual([1, 0, -1, 0.1]);
  expect(computeNormalization(ds, 'none')).toEqual({ kind: 'none' });
});

test('the batch pipeline normalises first, then shifts, flips and erases in that order', () => {
  const cfg: AugmentConfig = {
    shift: 0.34, shiftFill: 'constant', padCrop: 0, flip: true, normalize: 'per_channel',
    erasing: { probability: 1, area: [1 / 9, 1 / 9], aspect: [1, 1], value: 100, range: [0, 255] },
  };
  const x = img();
  // Normalise (x − 5) / 2; shift dy = +1, dx = 0 (ints 2, 1); flip (next 0); erase 1×1 at (0, 0) (next 0, 0, 0; ints 3: 0, 0).
  const rng = scripted({ int: [[3, 2], [3, 1], [3, 0], [3, 0]], next: [0, 0, 0, 0] });
  augmentBatch(x, S3, cfg, { kind: 'per_channel', mean: [5], std: [2] }, rng);
  expect(rng.done()).toBe(true);
  // After normalising: −2 −1.5 −1 / −0.5 0 0.5 / 1 1.5 2; shifted down with zero fill: 0 0 0 / −2 −1.5 −1 / −0.5 0 0.5;
  // flipped: 0 0 0 / −1 −1.5 −2 / 0.5 0 −0.5; erased at the top-left pixel: 100.
  expect([...x]).toEqual([100, 0, 0, -1, -1.5, -2, 0.5, 0, -0.5]);
});
