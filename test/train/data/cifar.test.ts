/** CIFAR-10 / CIFAR-100 binary batches written by the test: channel-major records become HWC. */
import * as fs from 'fs';
import * as path from 'path';
import { CIFAR10_CLASSES, readCifar100Dir, readCifar10Dir, readCifarFile } from '../../../src/train/data';
import { cifarRecord, dataError, tempDir } from './files';

let root: string;
beforeAll(() => (root = tempDir('cifar')));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** CIFAR-10 folder: batch b (1..batches) holds `perBatch` records with labels (b + r) mod 10; test_batch 3 records. */
function writeCifar10(name: string, batches = 5, perBatch = 2, meta = true): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  let record = 0;
  for (let b = 1; b <= batches; b++) {
    const recs = Array.from({ length: perBatch }, (_, r) => cifarRecord([(b + r) % 10], record++));
    fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), Buffer.concat(recs));
  }
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), Buffer.concat([0, 1, 2].map((r) => cifarRecord([9 - r], 100 + r))));
  if (meta) fs.writeFileSync(path.join(dir, 'batches.meta.txt'), CIFAR10_CLASSES.map((c) => `${c}\n`).join('') + '\n');
  return dir;
}

function message(fn: () => unknown): string {
  const e = dataError(fn);
  return e.message;
}

test('CIFAR-10: five batches in order, channel-major pixels moved to HWC', () => {
  const dir = writeCifar10('c10');
  const { format, train, test } = readCifar10Dir(dir);
  expect(format).toBe('cifar10');
  expect(train!.shape).toEqual([32, 32, 3]);
  expect(train!.size).toBe(10);
  expect(test!.size).toBe(3);
  expect([...train!.labels]).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
  expect([...test!.labels]).toEqual([9, 8, 7]);
  expect(train!.classes).toEqual(CIFAR10_CLASSES);
  // Record 4 (batch 3), pixel p = row 2, column 5 → p = 2 × 32 + 5 = 69: red (4 + 69), green 7, blue 255 − red.
  const at = 4 * 3072 + 69 * 3;
  expect([...train!.images.subarray(at, at + 3)]).toEqual([73, 7, 255 - 73]);
  // The last pixel of the last test record (record 102): red (102 + 1023) mod 256 = 101.
  expect([...test!.images.subarray(3 * 3072 - 3)]).toEqual([101, 7, 154]);
});

test('CIFAR-10: --limit stops reading after enough batches; no meta file means the published names', () => {
  const dir = writeCifar10('c10-limit', 5, 2, false);
  const { train, test } = readCifar10Dir(dir, { limit: 3 });
  expect(train!.size).toBe(3);
  expect(train!.sources.map((f) => path.basename(f))).toEqual(['data_batch_1.bin', 'data_batch_2.bin']);
  expect([...train!.labels]).toEqual([1, 2, 2]);
  expect(test!.size).toBe(3);
  expect(train!.classes[0]).toBe('airplane');
});

test('CIFAR-10: a truncated batch, a missing batch and a bad label are reported with the file', () => {
  const dir = writeCifar10('c10-broken');
  const batch2 = path.join(dir, 'data_batch_2.bin');
  fs.writeFileSync(batch2, fs.readFileSync(batch2).subarray(0, 5000));
  expect(message(() => readCifar10Dir(dir))).toBe(
    `${batch2}: expected a multiple of 3073 bytes (1 label + 3072 pixel bytes per image), found 5000 = 1 records + 1927 bytes (file truncated?)`,
  );
  fs.rmSync(batch2);
  expect(message(() => readCifar10Dir(dir))).toBe(
    `${batch2}: missing: found data_batch_1.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin`,
  );
  const test = path.join(dir, 'test_batch.bin');
  fs.writeFileSync(test, cifarRecord([10], 0));
  expect(message(() => readCifar10Dir(dir, { splits: ['test'] }))).toBe(`${test}: label 10 of record 0 is out of range for 10 classes`);
});

test('CIFAR-100: two label bytes (coarse, fine); fine by default, coarse on request', () => {
  const dir = path.join(root, 'c100');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'train.bin'), Buffer.concat([cifarRecord([3, 57], 0), cifarRecord([19, 99], 1)]));
  fs.writeFileSync(path.join(dir, 'test.bin'), cifarRecord([0, 4], 2));
  fs.writeFileSync(path.join(dir, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `super${i}`).join('\n'));
  const fine = readCifar100Dir(dir);
  expect(fine.format).toBe('cifar100');
  expect([...fine.train!.labels]).toEqual([57, 99]);
  expect(fine.train!.classes).toHaveLength(100);
  expect([...fine.test!.labels]).toEqual([4]);
  // Pixel 0 of record 1: red 1, green 7, blue 254.
  expect([...fine.train!.images.subarray(3072, 3075)]).toEqual([1, 7, 254]);
  const coarse = readCifar100Dir(dir, { cifar100Label: 'coarse' });
  expect([...coarse.train!.labels]).toEqual([3, 19]);
  expect(coarse.train!.classes[19]).toBe('super19');
  fs.writeFileSync(path.join(dir, 'test.bin'), Buffer.alloc(3073));
  expect(message(() => readCifar100Dir(dir))).toMatch(/test\.bin: expected a multiple of 3074 bytes \(2 label \+ 3072 pixel bytes per image\), found 3073 = 0 records \+ 3073 bytes/);
});

test('a single batch file is one split, named by its file', () => {
  const dir = writeCifar10('c10-file');
  const one = readCifarFile(path.join(dir, 'test_batch.bin'));
  expect(one.train).toBeUndefined();
  expect(one.test!.size).toBe(3);
  const two = readCifarFile(path.join(dir, 'data_batch_5.bin'));
  expect(two.test).toBeUndefined();
  expect([...two.train!.labels]).toEqual([5, 6]);
});
