/** Decoding PNG (pngjs) and JPEG (jpeg-js) into HWC uint8, channel conversion and bilinear resizing. */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DiagnosticError } from '../../diagnostics/diagnostic';
import { dataError, displayPath } from './errors';
import { ImageShape } from './types';

export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** HWC, row-major. */
  data: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** Decodes by content (not by extension) to RGB; alpha is dropped, 16-bit PNGs are scaled to 8 bits by pngjs. */
export function decodeImage(bytes: Uint8Array, file: string): RawImage {
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  let stride: number;
  try {
    if (startsWith(bytes, PNG_MAGIC)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
      stride = 4;
    } else if (startsWith(bytes, JPEG_MAGIC)) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
      ({ width, height } = img);
      rgba = img.data;
      stride = 3;
    } else {
      throw dataError(displayPath(file), 'not a PNG or JPEG image (unrecognised file header)');
    }
  } catch (e) {
    if (e instanceof DiagnosticError) throw e;
    throw dataError(displayPath(file), `cannot decode image (${(e as Error).message})`);
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; q < data.length; p += stride, q += 3) {
    data[q] = rgba[p];
    data[q + 1] = rgba[p + 1];
    data[q + 2] = rgba[p + 2];
  }
  return { width, height, channels: 3, data };
}

/** True when every pixel has R = G = B: greyscale content, whatever the container said. */
export function isGrey(img: RawImage): boolean {
  if (img.channels === 1) return true;
  const d = img.data;
  for (let i = 0; i < d.length; i += 3) if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return false;
  return true;
}

/** ITU-R 601 luma with the weights PIL's `convert('L')` uses. */
export function luma(r: number, g: number, b: number): number {
  return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
}

/** Converts HWC pixels between 1 and 3 channels: grey is repeated, colour becomes luma. */
export function convertChannels(data: Uint8Array, pixels: number, from: number, to: number): Uint8Array {
  if (from === to) return data;
  const out = new Uint8Array(pixels * to);
  if (from === 1 && to === 3) {
    for (let p = 0; p < pixels; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = data[p];
  } else if (from === 3 && to === 1) {
    for (let p = 0; p < pixels; p++) out[p] = luma(data[3 * p], data[3 * p + 1], data[3 * p + 2]);
  } else {
    throw new RangeError(`cannot convert ${from} channels to ${to}`);
  }
  return out;
}

/**
 * Bilinear resize of one HWC image with half-pixel centres (`tf.image.resize` bilinear, PyTorch
 * `interpolate(align_corners=False)`), no antialiasing: source coordinate = (dst + 0.5) · in/out − 0.5, clamped.
 */
export function resizeBilinear(src: Uint8Array, shape: ImageShape, outH: number, outW: number): Uint8Array {
  const [h, w, c] = shape;
  const out = new Uint8Array(outH * outW * c);
  if (h === outH && w === outW) {
    out.set(src);
    return out;
  }
  const ys = axisWeights(h, outH);
  const xs = axisWeights(w, outW);
  for (let y = 0; y < outH; y++) {
    const r0 = ys.i0[y] * w * c;
    const r1 = ys.i1[y] * w * c;
    const fy = ys.f[y];
    for (let x = 0; x < outW; x++) {
      const c0 = xs.i0[x] * c;
      const c1 = xs.i1[x] * c;
      const fx = xs.f[x];
      for (let k = 0; k < c; k++) {
        const top = src[r0 + c0 + k] * (1 - fx) + src[r0 + c1 + k] * fx;
        const bottom = src[r1 + c0 + k] * (1 - fx) + src[r1 + c1 + k] * fx;
        out[(y * outW + x) * c + k] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}

function axisWeights(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const f = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const s = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
    i0[o] = Math.floor(s);
    i1[o] = Math.min(i0[o] + 1, inSize - 1);
    f[o] = s - i0[o];
  }
  return { i0, i1, f };
}
