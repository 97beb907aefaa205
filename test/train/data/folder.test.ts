/** Image folders (PNG via pngjs, JPEG via jpeg-js) and the pixel operations behind them. */
import * as fs from 'fs';
import * as jpeg from 'jpeg-js';
import * as path from 'path';
import { PNG } from 'pngjs';
import { DiagnosticError } from '../../../src/diagnostics/diagnostic';
import { convertChannels, decodeImage, readImageFolder, resizeBilinear } from '../../../src/train/data';
import { dataError, tempDir } from './files';

let root: string;
beforeAll(() => (root = tempDir('folder')));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A w×h PNG whose pixel (x, y) is rgb(x, y, v) — or grey v if `grey`. */
function png(w: number, h: number, v: number, grey = false): Buffer {
  const img = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 4 * (y * w + x);
      img.data.set(grey ? [v, v, v, 255] : [x, y, v, 255], i);
    }
  }
  return PNG.sync.write(img, grey ? { colorType: 0 } : {});
}

/** A flat-colour JPEG (flat blocks survive the lossy coding to within a unit or two). */
function flatJpeg(w: number, h: number, rgb: [number, number, number]): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([...rgb, 255], 4 * i);
  return jpeg.encode({ width: w, height: h, data }, 100).data;
}

function write(file: string, bytes: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
}

function message(fn: () => unknown): string {
  const e = dataError(fn);
  return `${e.message}${e.hint ? ` | ${e.hint}` : ''}`;
}

test('classes are sorted folder names; examples alternate between classes; PNG pixels land in HWC', () => {
  const dir = path.join(root, 'rgb');
  write(path.join(dir, 'dog', 'a.png'), png(4, 3, 200));
  write(path.join(dir, 'dog', 'b.png'), png(4, 3, 201));
  write(path.join(dir, 'dog', 'c.png'), png(4, 3, 202));
  write(path.join(dir, 'cat', 'x.PNG'), png(4, 3, 100));
  write(path.join(dir, 'cat', 'notes.txt'), Buffer.from('ignored'));
  write(path.join(dir, 'cat', '.hidden.png'), Buffer.from('ignored'));
  const { format, train, test } = readImageFolder(dir);
  expect(format).toBe('folder');
  expect(test).toBeUndefined();
  expect(train!.classes).toEqual(['cat', 'dog']);
  expect(train!.shape).toEqual([3, 4, 3]);
  expect([...train!.labels]).toEqual([0, 1, 1, 1]); // cat/x, dog/a, dog/b, dog/c
  // Example 1 = dog/a.png; pixel (x=3, y=2) is rgb(3, 2, 200).
  const at = 1 * 36 + (2 * 4 + 3) * 3;
  expect([...train!.images.subarray(at, at + 3)]).toEqual([3, 2, 200]);
  expect(readImageFolder(dir, { limit: 2 }).train!.labels).toEqual(Int32Array.from([0, 1]));
});

test('a JPEG among PNGs of another size needs resizing; grey content gives 1 channel, any colour gives 3', () => {
  const dir = path.join(root, 'mixed');
  write(path.join(dir, 'a', '1.png'), png(2, 2, 50, true));
  write(path.join(dir, 'b', '1.jpg'), flatJpeg(8, 8, [90, 90, 90]));
  expect(message(() => readImageFolder(dir))).toBe(
    `${path.join(dir, 'b', '1.jpg')}: image is 8×8 but 1.png is 2×2 | images of different sizes need resizing: set data.adapt.spatial to resize`,
  );
  const resized = readImageFolder(dir, { resize: [4, 4] }).train!;
  expect(resized.shape).toEqual([4, 4, 1]);
  expect([...resized.images.subarray(0, 16)]).toEqual(new Array(16).fill(50));
  const jpegPixels = [...resized.images.subarray(16, 32)];
  expect(Math.max(...jpegPixels.map((v) => Math.abs(v - 90)))).toBeLessThanOrEqual(2);
  write(path.join(dir, 'c', '1.jpg'), flatJpeg(8, 8, [200, 10, 10]));
  const colour = readImageFolder(dir, { resize: [4, 4] }).train!;
  expect(colour.shape).toEqual([4, 4, 3]);
  expect([...colour.images.subarray(0, 3)]).toEqual([50, 50, 50]);
  expect(readImageFolder(dir, { resize: [4, 4], channels: 1 }).train!.shape).toEqual([4, 4, 1]);
});

test('train/ and test/ (or val/) sub-folders are two splits sharing the training classes', () => {
  const dir = path.join(root, 'split');
  write(path.join(dir, 'train', 'a', '1.png'), png(2, 2, 1, true));
  write(path.join(dir, 'train', 'b', '1.png'), png(2, 2, 2, true));
  write(path.join(dir, 'val', 'b', '1.png'), png(2, 2, 3, true));
  const { train, test } = readImageFolder(dir);
  expect(train!.size).toBe(2);
  expect(test!.classes).toEqual(['a', 'b']);
  expect([...test!.labels]).toEqual([1]);
  write(path.join(dir, 'val', 'zebra', '1.png'), png(2, 2, 3, true));
  expect(message(() => readImageFolder(dir))).toBe(
    `${path.join(dir, 'val', 'zebra')}: class folder not present in the training split (classes: a, b)`,
  );
});

test('an undecodable image is named in the error', () => {
  const dir = path.join(root, 'corrupt');
  write(path.join(dir, 'a', 'ok.png'), png(2, 2, 1));
  const bad = path.join(dir, 'b', 'bad.png');
  write(bad, png(2, 2, 1).subarray(0, 30));
  expect(message(() => readImageFolder(dir))).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot decode image \\(.+\\)$`));
  write(bad, Buffer.from('GIF89a'));
  expect(message(() => readImageFolder(dir))).toBe(`${bad}: not a PNG or JPEG image (unrecognised file header)`);
  expect(() => decodeImage(Buffer.from([0xff, 0xd8, 0xff, 0]), 'x.jpg')).toThrow(DiagnosticError);
});

test('bilinear resize uses half-pixel centres (hand-computed on linear ramps)', () => {
  // Source value 100·x + 100·y on a 2×2 grid. Upsampling to 4×4 samples source coordinates
  // s(o) = (o + 0.5)/2 − 0.5 clamped to [0, 1] = 0, 0.25, 0.75, 1, so out(x, y) = 100·(s(x) + s(y)).
  const src = Uint8Array.from([0, 100, 100, 200]);
  const s = [0, 0.25, 0.75, 1];
  const expected = s.flatMap((sy) => s.map((sx) => 100 * (sx + sy)));
  expect([...resizeBilinear(src, [2, 2, 1], 4, 4)]).toEqual(expected);
  // Downsampling 1×4 → 1×2 samples s = 2·o + 0.5 = 0.5, 2.5 of the ramp 10·x → 5, 25.
  expect([...resizeBilinear(Uint8Array.from([0, 10, 20, 30]), [1, 4, 1], 1, 2)]).toEqual([5, 25]);
  // Channels are interpolated independently.
  expect([...resizeBilinear(Uint8Array.from([0, 200, 100, 0]), [1, 2, 2], 1, 1)]).toEqual([50, 100]);
});

test('channel conversion: grey repeats, colour becomes ITU-R 601 luma', () => {
  expect([...convertChannels(Uint8Array.from([7, 9]), 2, 1, 3)]).toEqual([7, 7, 7, 9, 9, 9]);
  // 0.299·255 = 76.245 → 76; 0.587·255 = 149.685 → 150; 0.114·255 = 29.07 → 29.
  expect([...convertChannels(Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]), 3, 3, 1)]).toEqual([76, 150, 29]);
});
