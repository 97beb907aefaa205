/**
 * Synthetic, seeded, learnable data for tests and smoke runs: every class has a smooth random template (a coarse 4×4
 * grid of random levels per channel, bilinearly upsampled), every example is its class template plus uniform noise.
 * A linear classifier separates the classes; a small convnet learns them in an epoch or two.
 */
import { resizeBilinear } from './image';
import { Rng } from '../rng';
import { Dataset, DataSplits, ImageShape, LoadOptions, Split, SyntheticOptions, imageBytes } from './types';

export const SYNTHETIC_DEFAULTS: Required<SyntheticOptions> = {
  classes: 10,
  shape: [28, 28, 1],
  trainSize: 1000,
  testSize: 200,
  seed: 0,
};

const GRID = 4;
/** Share of the pixel range taken by the class template; the rest is per-example noise. */
const SIGNAL = 0.7;

function templates(classes: number, shape: ImageShape, rng: Rng): Uint8Array[] {
  const [h, w, c] = shape;
  return Array.from({ length: classes }, () => {
    const coarse = new Uint8Array(GRID * GRID * c);
    for (let i = 0; i < coarse.length; i++) coarse[i] = rng.int(256);
    return resizeBilinear(coarse, [GRID, GRID, c], h, w);
  });
}

function makeSplit(split: Split, size: number, opts: Required<SyntheticOptions>, tpl: Uint8Array[]): Dataset {
  const rng = Rng.fromSeed(opts.seed, `synthetic/${split}`);
  const bytes = imageBytes(opts.shape);
  const images = new Uint8Array(size * bytes);
  const labels = new Int32Array(size);
  for (let n = 0; n < size; n++) {
    // Labels cycle through the classes: balanced, and any prefix (--limit) covers every class.
    const label = n % opts.classes;
    labels[n] = label;
    const t = tpl[label];
    for (let i = 0; i < bytes; i++) images[n * bytes + i] = Math.round(SIGNAL * t[i] + (1 - SIGNAL) * rng.int(256));
  }
  return {
    name: 'synthetic',
    split,
    sources: [`synthetic(seed=${opts.seed})`],
    classes: Array.from({ length: opts.classes }, (_, i) => `class${i}`),
    shape: [...opts.shape],
    size,
    images,
    labels,
  };
}

export function syntheticData(options: LoadOptions = {}): DataSplits {
  const opts = { ...SYNTHETIC_DEFAULTS, ...options.synthetic };
  const tpl = templates(opts.classes, opts.shape, Rng.fromSeed(opts.seed, 'synthetic/templates'));
  const result: DataSplits = { format: 'synthetic', path: 'synthetic' };
  const sizes: Record<Split, number> = { train: opts.trainSize, test: opts.testSize };
  for (const split of options.splits ?? (['train', 'test'] as Split[])) {
    result[split] = makeSplit(split, Math.min(sizes[split], options.limit ?? Infinity), opts, tpl);
  }
  return result;
}
