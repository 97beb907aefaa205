/** Format detection of a --data path, synthetic data, batches, and fitting data to a model input. */
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import {
  adaptDataset, batchRanges, classCounts, Dataset, detectFormat, gatherBatch, loadData, padImage,
} from '../../../src/train/data';
import { cifarRecord, dataError, tempDir, writeIdxDir } from './files';

let root: string;
beforeAll(() => (root = tempDir('load')));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));


function mk(...parts: string[]): string {
  const dir = path.join(root, ...parts);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

test('detects every format from names and layout, descending into a lone sub-folder', () => {
  const idx = mk('idx');
  writeIdxDir(idx, 3, 2);
  const c10 = mk('archive', 'cifar-10-batches-bin');
  fs.writeFileSync(path.join(c10, 'data_batch_1.bin'), cifarRecord([1], 0));
  const c100 = mk('c100');
  fs.writeFileSync(path.join(c100, 'train.bin'), cifarRecord([1, 2], 0));
  const folder = mk('folder', 'cls');
  const img = new PNG({ width: 1, height: 1 });
  fs.writeFileSync(path.join(folder, 'a.png'), PNG.sync.write(img));

  expect(detectFormat(idx)).toEqual({ format: 'idx', path: idx });
  expect(detectFormat(path.join(root, 'archive'))).toEqual({ format: 'cifar10', path: c10 });
  expect(detectFormat(c100)).toEqual({ format: 'cifar100', path: c100 });
  expect(detectFormat(path.join(root, 'folder'))).toEqual({ format: 'folder', path: path.join(root, 'folder') });
  expect(detectFormat(path.join(c10, 'data_batch_1.bin')).format).toBe('cifar10');
  expect(detectFormat(path.join(c100, 'train.bin')).format).toBe('cifar100');
  expect(detectFormat(path.join(idx, 't10k-images-idx3-ubyte.gz')).format).toBe('idx');
  expect(detectFormat('synthetic').format).toBe('synthetic');

  // Reading through the same entry point.
  expect(loadData(path.join(root, 'archive')).train!.size).toBe(1);
  const fromFile = loadData(path.join(idx, 't10k-images-idx3-ubyte.gz'));
  expect(fromFile.train).toBeUndefined();
  expect(fromFile.test!.size).toBe(2);
  expect(loadData(idx, { format: 'idx', limit: 1 }).train!.size).toBe(1);
});

test('unusable paths get a DataError that says what was expected', () => {
  const missing = path.join(root, 'nope');
  expect(dataError(() => loadData(missing)).message).toBe(`${missing}: no such file or directory`);
  expect(dataError(() => loadData(missing, { format: 'cifar10' })).message).toBe(`${missing}: no such file or directory`);
  const empty = mk('empty');
  const e = dataError(() => loadData(empty));
  expect(e.message).toBe(`${empty}: no dataset found in this folder`);
  expect(e.hint).toMatch(/^expected idx files .*CIFAR-10 batches .*image folder/);
  const stray = path.join(empty, 'notes.csv');
  fs.writeFileSync(stray, 'a,b');
  expect(dataError(() => loadData(stray)).message).toBe(`${stray}: unrecognised data file`);
  expect(dataError(() => loadData(empty, { format: 'tfrecord' as never })).message).toBe(`${empty}: unknown data format 'tfrecord'`);
});

test('synthetic data is seeded, balanced in every prefix, and learnable by nearest class mean', () => {
  const a = loadData('synthetic', { synthetic: { seed: 3, trainSize: 200, testSize: 50, shape: [8, 8, 3], classes: 4 } });
  const b = loadData('synthetic', { synthetic: { seed: 3, trainSize: 200, testSize: 50, shape: [8, 8, 3], classes: 4 } });
  const c = loadData('synthetic', { synthetic: { seed: 4, trainSize: 200, testSize: 50, shape: [8, 8, 3], classes: 4 } });
  expect(Buffer.from(a.train!.images).equals(Buffer.from(b.train!.images))).toBe(true);
  expect(Buffer.from(a.train!.images).equals(Buffer.from(c.train!.images))).toBe(false);
  expect(classCounts(a.train!)).toEqual([50, 50, 50, 50]);
  expect(classCounts(loadData('synthetic', { limit: 7 }).train!)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  // Nearest class mean, fitted on train, must classify held-out examples well above chance (25 %).
  const train = a.train!;
  const test = a.test!;
  const d = 8 * 8 * 3;
  const means = Array.from({ length: 4 }, () => new Float64Array(d));
  for (let n = 0; n < train.size; n++) for (let i = 0; i < d; i++) means[train.labels[n]][i] += train.images[n * d + i] / 50;
  let correct = 0;
  for (let n = 0; n < test.size; n++) {
    const dist = means.map((m) => m.reduce((s, v, i) => s + (v - test.images[n * d + i]) ** 2, 0));
    if (dist.indexOf(Math.min(...dist)) === test.labels[n]) correct++;
  }
  expect(correct / test.size).toBeGreaterThan(0.9);
});

function tiny(shape: [number, number, number], values: number[], labels = [0]): Dataset {
  return { name: 't', split: 'train', sources: ['t.bin'], classes: ['a', 'b'], shape, size: labels.length,
    images: Uint8Array.from(values), labels: Int32Array.from(labels) };
}

test('batches: picked by an order, scaled to [0, 1]; the last batch may be short', () => {
  const ds = tiny([1, 1, 2], [0, 255, 51, 102, 10, 20], [0, 1, 1]);
  const batch = gatherBatch(ds, [2, 0, 1], 0, 2);
  expect(batch.size).toBe(2);
  expect([...batch.x]).toEqual([10 / 255, 20 / 255, 0, 1].map(Math.fround));
  expect([...batch.y]).toEqual([1, 0]);
  expect(batchRanges(10, 4)).toEqual([[0, 4], [4, 8], [8, 10]]);
});

test('shape adaptation happens only when asked, with an error that names the fix', () => {
  const ds = tiny([2, 2, 1], [1, 2, 3, 4]);
  const e = dataError(() => adaptDataset(ds, [4, 4, 3]));
  expect(e.message).toBe('t.bin: images are 2×2×1 but the model input is 4×4×3: the shapes differ');
  expect(e.hint).toBe('set train.data.adapt to {spatial: pad, channels: repeat} (or spatial: resize to scale instead of padding)');
  expect(dataError(() => adaptDataset(ds, [1, 1, 1])).hint).toBe('set train.data.adapt to {spatial: resize}');
  expect(dataError(() => adaptDataset(ds, [1, 1, 1], { spatial: 'pad' })).message).toBe(
    't.bin: images are 2×2×1 but the model input is 1×1×1: padding cannot shrink an image',
  );
  expect(dataError(() => adaptDataset(ds, [2, 2, 4], { channels: 'repeat' })).message).toBe(
    't.bin: images are 2×2×1 but the model input is 2×2×4: 1 channels cannot become 4',
  );
  expect(dataError(() => adaptDataset(tiny([1, 1, 3], [1, 2, 3]), [1, 1, 1], { channels: 'repeat' })).hint).toBe(
    'set train.data.adapt to {channels: luma}',
  );
  expect(adaptDataset(ds, [2, 2, 1])).toBe(ds);

  // pad 2×2 → 4×4: one zero row/column on every side; repeat copies grey into R, G, B.
  const padded = adaptDataset(ds, [4, 4, 3], { spatial: 'pad', channels: 'repeat' });
  expect(padded.shape).toEqual([4, 4, 3]);
  const grey = [...padded.images].filter((_, i) => i % 3 === 0);
  expect(grey).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
  expect([...padded.images.subarray(15, 18)]).toEqual([1, 1, 1]);
  // resize 2×2 → 4×4 of the ramp [[0, 100], [100, 200]]: 100·(s(x) + s(y)), s = 0, 0.25, 0.75, 1.
  const resized = adaptDataset(tiny([2, 2, 1], [0, 100, 100, 200]), [4, 4, 1], { spatial: 'resize' });
  expect([...resized.images.subarray(0, 4)]).toEqual([0, 25, 75, 100]);
  // An odd margin puts the extra row/column at the bottom/right.
  expect([...padImage(Uint8Array.from([9]), [1, 1, 1], 2, 2)]).toEqual([9, 0, 0, 0]);
});
