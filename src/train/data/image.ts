/** Decoding PNG (pngjs) and JPEG (jpeg-js) into HWC uint8, channel conversion and bilinear resizing. */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DiagnosticError, invariant } from '../../diagnostics/diagnostic';
import { readDataFile } from './bytes';
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

/**
 * The most pixels an image may declare: Pillow's `Image.MAX_IMAGE_PIXELS` (2^30 / 4 / 3 ≈ 89.5 MP), the limit ML
 * engineers already meet as `DecompressionBombError`. The decoders allocate from the header's width and height, so a
 * 400-byte PNG declaring 20000×20000 took 25 s and 3.9 GB before this check; now it is refused before decoding.
 */
export const MAX_IMAGE_PIXELS = Math.floor(2 ** 30 / 4 / 3);

/** One image file: a 24-megapixel camera JPEG is about 10 MB; 256 MiB leaves room for uncompressed 16-bit PNGs. */
const MAX_IMAGE_FILE_BYTES = 256 * 1024 ** 2;

/** jpeg-js' own ceiling on its buffers, a second line behind the pixel check. */
const JPEG_MAX_MEMORY_MB = 1024;

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** Width and height from a PNG's IHDR, which the format requires to be the first chunk (bytes 8–23). */
function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16, false), height: view.getUint32(20, false) };
}

/** JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic): C0–CF except C4, C8 and CC. */
const isStartOfFrame = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Width and height from the first start-of-frame segment, walking the marker segments before it. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // segments without a length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data before any frame header
    if (isStartOfFrame(marker)) {
      if (i + 9 > bytes.length) return undefined;
      return { height: (bytes[i + 5] << 8) | bytes[i + 6], width: (bytes[i + 7] << 8) | bytes[i + 8] };
    }
    i += 2 + ((bytes[i + 2] << 8) | bytes[i + 3]);
  }
  return undefined;
}

/** Refuses an image whose header declares more than `MAX_IMAGE_PIXELS`, before any decoder allocates for it. */
function checkDeclaredSize(size: { width: number; height: number } | undefined, file: string): void {
  if (!size || size.width * size.height <= MAX_IMAGE_PIXELS) return;
  throw dataError(displayPath(file),
    `image declares ${size.width}×${size.height} = ${(size.width * size.height / 1e6).toFixed(1)} megapixels, more than the ` +
    `${(MAX_IMAGE_PIXELS / 1e6).toFixed(1)} MP netspec decodes (Pillow's MAX_IMAGE_PIXELS)`,
    'a training image this large is almost certainly a corrupt or hostile file; resize it first if it is real');
}

/** Reads (a regular file, bounded) and decodes one PNG or JPEG file. */
export function readImageFile(file: string): RawImage {
  return decodeImage(readDataFile(file, { maxBytes: MAX_IMAGE_FILE_BYTES }), file);
}

/** Decodes by content (not by extension) to RGB; alpha is dropped, 16-bit PNGs are scaled to 8 bits by pngjs. */
export function decodeImage(bytes: Uint8Array, file: string): RawImage {
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  let stride: number;
  try {
    if (startsWith(bytes, PNG_MAGIC)) {
      checkDeclaredSize(pngSize(bytes), file);
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
      stride = 4;
    } else if (startsWith(bytes, JPEG_MAGIC)) {
      checkDeclaredSize(jpegSize(bytes), file);
      const img = jpeg.decode(bytes, {
        useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: JPEG_MAX_MEMORY_MB,
      });
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
    invariant(false, `cannot convert ${from} channels to ${to}`);
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
