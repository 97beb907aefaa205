/**
 * `data.validation_split` on an image folder without test/ (Keras image_dataset_from_directory semantics: shuffled
 * with the seed, the last int(fraction · n) validate), and the empty class folder error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { loadData } from '../../../src/train/data';
import { dataError, tempDir } from './files';

let root: string;
beforeAll(() => (root = tempDir('valsplit')));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A 2×2 grey PNG of value v: the value identifies the file after loading. */
function png(file: string, v: number): void {
  const img = new PNG({ width: 2, height: 2 });
  for (let i = 0; i < 4; i++) img.data.set([v, v, v, 255], 4 * i);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(img, { colorType: 0 }));
}

/** Class a: values 0…9, class b: 100…114 (25 images). */
function folder(name: string): string {
  const dir = path.join(root, name);
  for (let i = 0; i < 10; i++) png(path.join(dir, 'a', `${i}.png`), i);
  for (let i = 0; i < 15; i++) png(path.join(dir, 'b', `${i}.png`), 100 + i);
  return dir;
}

const values = (images: Uint8Array): number[] => Array.from({ length: images.length / 4 }, (_, n) => images[4 * n]);

test('the last int(fraction · n) of a seeded shuffle validate; train and validation partition the folder', () => {
  const dir = folder('plain');
  const { train, test } = loadData(dir, { validation: { fraction: 0.2, seed: 3 } });
  // Keras: num_val_samples = int(validation_split * len(samples)) = int(0.2 · 25) = 5.
  expect(test!.size).toBe(5);
  expect(train!.size).toBe(20);
  expect(test!.split).toBe('test');
  const seen = [...values(train!.images), ...values(test!.images)].sort((a, b) => a - b);
  expect(seen).toEqual([...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 15 }, (_, i) => 100 + i)]);
  // Labels still follow their images.
  for (const ds of [train!, test!]) values(ds.images).forEach((v, i) => expect(ds.labels[i]).toBe(v < 100 ? 0 : 1));
  // The same seed gives the same subset (evaluate and resume rely on it); another seed another one.
  expect(values(loadData(dir, { validation: { fraction: 0.2, seed: 3 }, splits: ['test'] }).test!.images)).toEqual(values(test!.images));
  const other = [0, 1, 2, 4].map((seed) => values(loadData(dir, { validation: { fraction: 0.2, seed }, splits: ['test'] }).test!.images).join());
  expect(new Set([...other, values(test!.images).join()]).size).toBeGreaterThan(1);
  // int(0.5 · 25) = 12.
  expect(loadData(dir, { validation: { fraction: 0.5, seed: 0 } }).test!.size).toBe(12);
});

test('a dataset with its own test split, or too few images for one validation image, is refused', () => {
  const dir = path.join(root, 'split');
  png(path.join(dir, 'train', 'a', '0.png'), 0);
  png(path.join(dir, 'test', 'a', '0.png'), 1);
  expect(dataError(() => loadData(dir, { validation: { fraction: 0.2, seed: 0 } })).message).toMatch(/has a test split of its own \(1 images\)/);
  const tiny = path.join(root, 'tiny');
  png(path.join(tiny, 'a', '0.png'), 0);
  png(path.join(tiny, 'b', '0.png'), 1);
  expect(dataError(() => loadData(tiny, { validation: { fraction: 0.2, seed: 0 } })).diagnostics[0].message).toBe('validation_split 0.2 of 2 images is no image');
});

test('an empty class folder is an error located at the folder', () => {
  const dir = folder('empty');
  fs.mkdirSync(path.join(dir, 'c'));
  fs.writeFileSync(path.join(dir, 'c', 'notes.txt'), 'a class without images');
  const e = dataError(() => loadData(dir));
  expect(e.diagnostics[0].file).toBe(path.join(dir, 'c'));
  expect(e.diagnostics[0].message).toBe('class folder holds no PNG or JPEG images (1 other file(s))');
  expect(e.diagnostics[0].hint).toMatch(/remove the folder: every sub-folder is a class/);
  // In the test split too.
  const split = path.join(root, 'empty-test');
  png(path.join(split, 'train', 'a', '0.png'), 0);
  png(path.join(split, 'train', 'b', '0.png'), 0);
  png(path.join(split, 'test', 'a', '0.png'), 0);
  fs.mkdirSync(path.join(split, 'test', 'b'));
  expect(dataError(() => loadData(split)).diagnostics[0].file).toBe(path.join(split, 'test', 'b'));
});
