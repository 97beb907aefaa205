/** idx reader (MNIST / Fashion-MNIST) on files the test writes, including broken ones. */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { FASHION_MNIST_CLASSES, parseIdx, readIdxDir } from '../../../src/train/data';
import { dataError, idxBytes, idxPixel, tempDir, writeIdx, writeIdxDir } from './files';

let root: string;
beforeAll(() => (root = tempDir('idx')));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function fresh(name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  return dir;
}


test.each([true, false])('reads both splits (gzip=%s): shape, pixels, labels, digit names', (gzip) => {
  const dir = fresh(`plain-${gzip}`);
  writeIdxDir(dir, 12, 5, 4, 3, 10, gzip);
  const { format, train, test } = readIdxDir(dir);
  expect(format).toBe('idx');
  expect(train!.shape).toEqual([4, 3, 1]);
  expect(train!.size).toBe(12);
  expect(test!.size).toBe(5);
  expect(train!.images.length).toBe(12 * 12);
  expect(train!.images[7 * 12 + 5]).toBe(idxPixel(7, 5));
  expect([...train!.labels]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  expect(train!.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  expect(train!.split).toBe('train');
  expect(test!.split).toBe('test');
});

test('--limit keeps the first N of each split', () => {
  const dir = fresh('limit');
  writeIdxDir(dir, 12, 5);
  const { train, test } = readIdxDir(dir, { limit: 3 });
  expect(train!.size).toBe(3);
  expect(test!.size).toBe(3);
  expect(train!.images.length).toBe(3 * 12);
  expect([...test!.labels]).toEqual([0, 1, 2]);
});

test('class names: classes.txt wins, a fashion folder gets the Fashion-MNIST names', () => {
  const fashion = path.join(root, 'fashion-mnist');
  fs.mkdirSync(fashion);
  writeIdxDir(fashion, 10, 0);
  expect(readIdxDir(fashion).train!.classes).toEqual(FASHION_MNIST_CLASSES);
  expect(FASHION_MNIST_CLASSES[9]).toBe('Ankle boot');
  const named = fresh('named');
  writeIdxDir(named, 3, 1, 4, 3, 3);
  fs.writeFileSync(path.join(named, 'classes.txt'), 'cat\ndog\nbird\n\n');
  expect(readIdxDir(named).test!.classes).toEqual(['cat', 'dog', 'bird']);
});

test('the other spellings (train-images.idx3-ubyte) and a train-only folder', () => {
  const dir = fresh('dots');
  writeIdx(path.join(dir, 'train-images.idx3-ubyte'), [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  writeIdx(path.join(dir, 'train-labels.idx1-ubyte'), [2], [3, 4]);
  const { train, test } = readIdxDir(dir);
  expect(test).toBeUndefined();
  expect([...train!.images]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect([...train!.labels]).toEqual([3, 4]);
});

test('a truncated .gz says how many bytes were expected and found', () => {
  const dir = fresh('truncated');
  writeIdxDir(dir, 100, 0, 28, 28);
  const file = path.join(dir, 'train-images-idx3-ubyte.gz');
  // Truncate the image file to a prefix whose decompressed size is exactly 1,000 bytes.
  fs.writeFileSync(file, zlib.gzipSync(idxBytes([100, 28, 28], new Array(100 * 784).fill(3)).subarray(0, 1000)));
  const e = dataError(() => readIdxDir(dir));
  // 16 header bytes + 100 × 28 × 28.
  expect(e.message).toBe(`${file}: expected 78416 bytes for dimensions 100×28×28, found 1000 (file truncated?)`);
  // A gzip stream cut in the middle is decoded as far as it goes, and reported the same way.
  const whole = zlib.gzipSync(idxBytes([100, 28, 28], Array.from({ length: 78400 }, (_, i) => (i * 31) % 251)));
  fs.writeFileSync(file, whole.subarray(0, whole.length >> 1));
  expect(dataError(() => readIdxDir(dir)).message).toMatch(/: expected 78416 bytes for dimensions 100×28×28, found \d+ \(file truncated\?\)$/);
});

test('corrupt and mismatched files each get a specific message', () => {
  const dir = fresh('broken');
  writeIdxDir(dir, 4, 0);
  const images = path.join(dir, 'train-images-idx3-ubyte.gz');
  const labels = path.join(dir, 'train-labels-idx1-ubyte.gz');

  const gz = fs.readFileSync(images);
  gz[gz.length - 5] ^= 0xff; // damage the CRC-32 trailer
  fs.writeFileSync(images, gz);
  expect(dataError(() => readIdxDir(dir)).message).toBe(`${images}: corrupt gzip data (incorrect data check)`);

  fs.writeFileSync(images, zlib.gzipSync(Buffer.from('hello world')));
  expect(dataError(() => readIdxDir(dir)).message).toBe(`${images}: not an idx file (starts with 68 65 6c 6c, expected 00 00 08 0N)`);

  fs.writeFileSync(images, gz.subarray(0, 5));
  expect(dataError(() => readIdxDir(dir)).message).toBe(`${images}: only 0 bytes: empty or truncated file`);

  fs.writeFileSync(images, Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 0]));
  expect(dataError(() => readIdxDir(dir)).message).toBe(`${images}: idx element type is float32; only unsigned bytes (0x08) are supported`);

  writeIdx(images, [4, 4, 3], new Array(48).fill(0));
  writeIdx(labels, [3], [0, 1, 2]);
  expect(dataError(() => readIdxDir(dir)).message).toBe(`${labels}: has 3 labels but train-images-idx3-ubyte.gz has 4 images`);

  writeIdx(labels, [4], [0, 1, 2, 12]);
  fs.writeFileSync(path.join(dir, 'classes.txt'), 'a\nb\nc\n');
  expect(dataError(() => readIdxDir(dir)).message).toBe(`${labels}: label 12 at index 3 is out of range for 3 classes`);

  fs.rmSync(labels);
  const e = dataError(() => readIdxDir(dir));
  expect(e.message).toBe(`${labels}: missing: train split has train-images-idx3-ubyte.gz but no labels file`);
});

test('parseIdx reads N-dimensional headers and rejects trailing bytes', () => {
  const bytes = idxBytes([2, 1, 1, 3], [1, 2, 3, 4, 5, 6]);
  // Header 4 + 4 × 4 = 20 bytes, then 2 × 1 × 1 × 3 = 6.
  expect(parseIdx(bytes, 'x').dims).toEqual([2, 1, 1, 3]);
  expect(() => parseIdx(Buffer.concat([bytes, Buffer.from([9])]), 'x')).toThrow(
    'x: expected 26 bytes for dimensions 2×1×1×3, found 27 (trailing bytes: a different file?)',
  );
});
