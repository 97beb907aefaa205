/**
 * Input normalisation and training-time augmentation on float NHWC batches (values in [0, 1] from `gatherBatch`).
 * Every random choice comes from the `RandomSource` passed in (the run's "augment" stream), so augmentation is
 * repeatable and resumes exactly.
 *
 * Per training batch: normalise → shift or pad-and-crop → horizontal flip → random erasing. Normalising first is what
 * the Keras CIFAR-10 example does (its ImageDataGenerator shifts the mean-subtracted images), and it makes the zero
 * fill of pad-and-crop and erasing mean "the average pixel" rather than black.
 */
import { AugmentConfig, ErasingConfig, Normalization } from './config';
import { Dataset, ImageShape, imageBytes } from './data/types';
import { isNormalizationPreset, NormalizationPreset, presetStats } from './normalization-presets';

/** The draws augmentation needs; `Rng` provides them, tests can script them. */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  normal(): number;
}

/** Statistics of the training set, kept with the model so evaluation and prediction normalise the same way. */
export type NormalizationStats =
  | { kind: 'none' }
  /** The mean image (h × w × c values, HWC), in [0, 1] units. */
  | { kind: 'mean_image'; shape: ImageShape; mean: number[] }
  | { kind: 'per_channel'; mean: number[]; std: number[] }
  /** A pretrained model's fixed preprocessing (Keras `preprocess_input`), recorded with its numbers. */
  | { kind: 'preset'; preset: NormalizationPreset; bgr: boolean; mean: number[]; std: number[] };

/** Computes the statistics `kind` needs over a (training) dataset, in the [0, 1] units of `gatherBatch`. */
export function computeNormalization(ds: Dataset, kind: Normalization): NormalizationStats {
  if (kind === 'none') return { kind };
  if (isNormalizationPreset(kind)) return presetStats(kind, ds.shape[2]);
  const bytes = imageBytes(ds.shape);
  if (kind === 'mean_image') {
    const sum = new Float64Array(bytes);
    for (let n = 0; n < ds.size; n++) {
      const base = n * bytes;
      for (let i = 0; i < bytes; i++) sum[i] += ds.images[base + i];
    }
    return { kind, shape: [...ds.shape], mean: Array.from(sum, (s) => s / ds.size / 255) };
  }
  // Two passes (mean, then squared deviations) in float64: exact enough without E[x²] − E[x]² cancellation.
  const c = ds.shape[2];
  const count = ds.size * ds.shape[0] * ds.shape[1];
  const total = ds.size * bytes;
  const sum = new Float64Array(c);
  for (let i = 0; i < total; i++) sum[i % c] += ds.images[i];
  const mean = Array.from(sum, (s) => s / count);
  const sq = new Float64Array(c);
  for (let i = 0; i < total; i++) sq[i % c] += (ds.images[i] - mean[i % c]) ** 2;
  return { kind, mean: mean.map((m) => m / 255), std: Array.from(sq, (s) => Math.sqrt(s / count) / 255) };
}

/** Normalises a batch in place. A zero standard deviation (a constant channel) divides by 1 instead. */
export function normalize(x: Float32Array, stats: NormalizationStats): void {
  if (stats.kind === 'mean_image') {
    const m = stats.mean;
    for (let i = 0; i < x.length; i++) x[i] -= m[i % m.length];
  } else if (stats.kind !== 'none') {
    const c = stats.mean.length;
    if (stats.kind === 'preset' && stats.bgr) {
      for (let i = 0; i < x.length; i += c) {
        const r = x[i];
        x[i] = x[i + c - 1];
        x[i + c - 1] = r;
      }
    }
    const inv = stats.std.map((s) => (s > 0 ? 1 / s : 1));
    for (let i = 0; i < x.length; i++) x[i] = (x[i] - stats.mean[i % c]) * inv[i % c];
  }
}

/**
 * What a pixel value `v` (in [0, 1]) becomes after `stats`, at element `i` of an image (HWC index): erasing fills in
 * pixel units before normalisation, as the Keras example's eraser does, but here the batch is normalised first.
 */
export function normalizedValue(stats: NormalizationStats, v: number, i: number): number {
  if (stats.kind === 'none') return v;
  if (stats.kind === 'mean_image') return v - stats.mean[i % stats.mean.length];
  const k = i % stats.mean.length;
  const s = stats.std[k];
  return (v - stats.mean[k]) / (s > 0 ? s : 1);
}

/**
 * Moves image `n` of a batch by (dy, dx) pixels in place: out[y][x] = in[y − dy][x − dx]. Pixels from outside the
 * image take the nearest edge pixel or `value`.
 */
export function translate(
  x: Float32Array, shape: ImageShape, n: number, dy: number, dx: number, fill: 'nearest' | 'constant', value = 0,
): void {
  if (dy === 0 && dx === 0) return;
  const [h, w, c] = shape;
  const base = n * h * w * c;
  const src = x.slice(base, base + h * w * c);
  for (let y = 0; y < h; y++) {
    let sy = y - dy;
    const rowOutside = sy < 0 || sy >= h;
    sy = Math.min(Math.max(sy, 0), h - 1);
    for (let xx = 0; xx < w; xx++) {
      let sx = xx - dx;
      const outside = rowOutside || sx < 0 || sx >= w;
      sx = Math.min(Math.max(sx, 0), w - 1);
      const o = base + (y * w + xx) * c;
      const s = (sy * w + sx) * c;
      for (let k = 0; k < c; k++) x[o + k] = outside && fill === 'constant' ? value : src[s + k];
    }
  }
}

/** Random whole-pixel shifts in [−round(fraction·h), +round(fraction·h)] (and likewise for w), per image. */
export function randomShift(x: Float32Array, shape: ImageShape, rng: RandomSource, fraction: number, fill: 'nearest' | 'constant'): void {
  const maxDy = Math.round(fraction * shape[0]);
  const maxDx = Math.round(fraction * shape[1]);
  const count = x.length / imageBytes(shape);
  for (let n = 0; n < count; n++) {
    const dy = rng.int(2 * maxDy + 1) - maxDy;
    const dx = rng.int(2 * maxDx + 1) - maxDx;
    translate(x, shape, n, dy, dx, fill);
  }
}

/**
 * Zero-pad by `pad` on every side and crop back at a random offset (oy, ox) ∈ [0, 2·pad]²: the same as a translation
 * by (pad − oy, pad − ox) with zero fill, which is how it is computed (no padded copy).
 */
export function padCrop(x: Float32Array, shape: ImageShape, rng: RandomSource, pad: number): void {
  const count = x.length / imageBytes(shape);
  for (let n = 0; n < count; n++) {
    const oy = rng.int(2 * pad + 1);
    const ox = rng.int(2 * pad + 1);
    translate(x, shape, n, pad - oy, pad - ox, 'constant', 0);
  }
}

/** Mirrors image `n` left–right in place. */
export function flipImage(x: Float32Array, shape: ImageShape, n: number): void {
  const [h, w, c] = shape;
  const base = n * h * w * c;
  for (let y = 0; y < h; y++) {
    for (let a = 0, b = w - 1; a < b; a++, b--) {
      const pa = base + (y * w + a) * c;
      const pb = base + (y * w + b) * c;
      for (let k = 0; k < c; k++) {
        const t = x[pa + k];
        x[pa + k] = x[pb + k];
        x[pb + k] = t;
      }
    }
  }
}

/** Flips each image with probability `p`. */
export function randomFlip(x: Float32Array, shape: ImageShape, rng: RandomSource, p = 0.5): void {
  const count = x.length / imageBytes(shape);
  for (let n = 0; n < count; n++) if (rng.next() < p) flipImage(x, shape, n);
}

/** Tries per image, as in the reference implementation of Zhong et al. (github.com/zhunzhong07/Random-Erasing). */
const ERASING_ATTEMPTS = 100;

/**
 * Random erasing (Zhong et al., 2017, Algorithm 1): with probability p pick an area S_e ∈ [s_l, s_h]·H·W and an aspect
 * ratio r_e ∈ [r_1, r_2] (height / width), H_e = round(√(S_e·r_e)), W_e = round(√(S_e / r_e)); retry until the
 * rectangle fits, place it uniformly, fill it.
 */
export function randomErasing(
  x: Float32Array, shape: ImageShape, rng: RandomSource, cfg: ErasingConfig, stats: NormalizationStats = { kind: 'none' },
): void {
  const [h, w, c] = shape;
  const count = x.length / imageBytes(shape);
  for (let n = 0; n < count; n++) {
    if (!(rng.next() < cfg.probability)) continue;
    for (let attempt = 0; attempt < ERASING_ATTEMPTS; attempt++) {
      const area = (cfg.area[0] + (cfg.area[1] - cfg.area[0]) * rng.next()) * h * w;
      const aspect = cfg.aspect[0] + (cfg.aspect[1] - cfg.aspect[0]) * rng.next();
      const eh = Math.round(Math.sqrt(area * aspect));
      const ew = Math.round(Math.sqrt(area / aspect));
      if (eh >= h || ew >= w) continue;
      const top = rng.int(h - eh + 1);
      const left = rng.int(w - ew + 1);
      const fill = erasingFill(cfg, stats, rng);
      for (let y = top; y < top + eh; y++) {
        for (let xx = left; xx < left + ew; xx++) {
          const at = (y * w + xx) * c;
          for (let k = 0; k < c; k++) x[n * h * w * c + at + k] = fill(at + k, k);
        }
      }
      break;
    }
  }
}

/** The fill of one rectangle, by element (HWC index within the image) and channel. */
function erasingFill(cfg: ErasingConfig, stats: NormalizationStats, rng: RandomSource): (at: number, channel: number) => number {
  const value = cfg.value;
  if (value === 'uniform') {
    // get_random_eraser's default (pixel_level=False): one value for the whole rectangle, in pixel units.
    const pixel = (cfg.range[0] + (cfg.range[1] - cfg.range[0]) * rng.next()) / 255;
    return (at) => normalizedValue(stats, pixel, at);
  }
  if (value === 'random') return () => rng.normal();
  if (Array.isArray(value)) return (_at, channel) => value[channel % value.length];
  return () => value;
}

/** A training batch in place: normalise, then the configured augmentations in the documented order. */
export function augmentBatch(
  x: Float32Array, shape: ImageShape, cfg: AugmentConfig, stats: NormalizationStats, rng: RandomSource,
): void {
  normalize(x, stats);
  if (cfg.shift > 0) randomShift(x, shape, rng, cfg.shift, cfg.shiftFill);
  if (cfg.padCrop > 0) padCrop(x, shape, rng, cfg.padCrop);
  if (cfg.flip) randomFlip(x, shape, rng);
  if (cfg.erasing.probability > 0) randomErasing(x, shape, rng, cfg.erasing, stats);
}
