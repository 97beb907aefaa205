/**
 * Fitting a dataset to a model input shape. Nothing is changed silently: a 28×28×1 dataset goes into a 32×32×3 model
 * only when the run says how (`adapt.spatial: pad | resize`, `adapt.channels: repeat | luma`); otherwise the error
 * names the two shapes and the settings that would make them fit.
 */
import { dataError } from './errors';
import type { DiagnosticError } from '../../diagnostics/diagnostic';
import { convertChannels, resizeBilinear } from './image';
import { Dataset, ImageShape, imageBytes } from './types';

export interface AdaptOptions {
  /** `pad`: centre the image and fill the border with zeros (never crops). `resize`: bilinear to the input size. */
  spatial?: 'pad' | 'resize';
  /** `repeat`: grey into every channel (1 → 3). `luma`: colour to grey (3 → 1). */
  channels?: 'repeat' | 'luma';
}

const fmt = (s: ImageShape): string => s.join('×');

function shapeError(ds: Dataset, target: ImageShape, problem: string, hint: string): DiagnosticError {
  return dataError(ds.sources[0] ?? ds.name, `images are ${fmt(ds.shape)} but the model input is ${fmt(target)}: ${problem}`, hint);
}

/** The channel conversion that turns `c` channels into `tc`, if there is one. */
function channelFix(c: number, tc: number): 'repeat' | 'luma' | undefined {
  if (c === 1 && tc === 3) return 'repeat';
  if (c === 3 && tc === 1) return 'luma';
  return undefined;
}

/** Checks that `adapt` turns `ds.shape` into `target`, throwing a `dataError` that names the fix otherwise. */
export function checkAdaptable(ds: Dataset, target: ImageShape, adapt: AdaptOptions = {}): void {
  const [h, w, c] = ds.shape;
  const [th, tw, tc] = target;
  const needs: string[] = [];
  let alternative = '';
  if (h !== th || w !== tw) {
    const fits = h <= th && w <= tw;
    if (adapt.spatial === 'pad' && !fits) {
      throw shapeError(ds, target, 'padding cannot shrink an image', 'set train.data.adapt.spatial to resize');
    }
    if (!adapt.spatial) {
      needs.push(fits ? 'spatial: pad' : 'spatial: resize');
      if (fits) alternative = ' (or spatial: resize to scale instead of padding)';
    }
  }
  if (c !== tc) {
    const fix = channelFix(c, tc);
    if (!fix) throw shapeError(ds, target, `${c} channels cannot become ${tc}`, 'only 1 ↔ 3 channels can be converted');
    if (adapt.channels !== fix) needs.push(`channels: ${fix}`);
  }
  if (needs.length > 0) {
    throw shapeError(ds, target, 'the shapes differ', `set train.data.adapt to {${needs.join(', ')}}${alternative}`);
  }
}

/** Zero-pads one HWC image to [th, tw], centred (an odd remainder goes to the bottom/right, as in Keras/torch). */
export function padImage(src: Uint8Array, shape: ImageShape, th: number, tw: number): Uint8Array {
  const [h, w, c] = shape;
  const out = new Uint8Array(th * tw * c);
  const top = Math.floor((th - h) / 2);
  const left = Math.floor((tw - w) / 2);
  for (let y = 0; y < h; y++) out.set(src.subarray(y * w * c, (y + 1) * w * c), ((top + y) * tw + left) * c);
  return out;
}

/** Returns `ds` reshaped to `target` (the same object when the shapes already agree). */
export function adaptDataset(ds: Dataset, target: ImageShape, adapt: AdaptOptions = {}): Dataset {
  checkAdaptable(ds, target, adapt);
  const [h, w, c] = ds.shape;
  const [th, tw, tc] = target;
  if (h === th && w === tw && c === tc) return ds;
  const inBytes = imageBytes(ds.shape);
  const outBytes = imageBytes(target);
  const images = new Uint8Array(ds.size * outBytes);
  for (let n = 0; n < ds.size; n++) {
    let img = ds.images.subarray(n * inBytes, (n + 1) * inBytes);
    img = convertChannels(img, h * w, c, tc);
    if (h !== th || w !== tw) {
      img = adapt.spatial === 'pad' ? padImage(img, [h, w, tc], th, tw) : resizeBilinear(img, [h, w, tc], th, tw);
    }
    images.set(img, n * outBytes);
  }
  return { ...ds, shape: [...target], images };
}
