/** The Fashion-MNIST subset shipped in data/ (the default dataset): counts, balance, format, licence. */
import * as fs from 'fs';
import * as path from 'path';
import { classCounts, FASHION_MNIST_CLASSES, loadData } from '../../../src/train/data';

const dir = path.join(__dirname, '..', '..', '..', 'data', 'fashion-mnist-small');

test('6,000 + 1,000 images of 28×28×1, exactly 600 / 100 per class, named like Fashion-MNIST', () => {
  const { format, train, test } = loadData(dir);
  expect(format).toBe('idx');
  expect(train!.shape).toEqual([28, 28, 1]);
  expect(train!.size).toBe(6000);
  expect(test!.size).toBe(1000);
  expect(classCounts(train!)).toEqual(new Array(10).fill(600));
  expect(classCounts(test!)).toEqual(new Array(10).fill(100));
  expect(train!.classes).toEqual(FASHION_MNIST_CLASSES);
  // The original order is kept: Fashion-MNIST's first training labels are 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 and its first
  // test labels 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 (none of those classes is full yet, so all are kept).
  expect([...train!.labels.subarray(0, 10)]).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
  expect([...test!.labels.subarray(0, 10)]).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  // Real images, not blanks: mean intensity of Fashion-MNIST is about 73 / 255.
  const mean = train!.images.reduce((s, v) => s + v, 0) / train!.images.length;
  expect(mean).toBeGreaterThan(60);
  expect(mean).toBeLessThan(85);
});

test('ships in the original gzipped idx files with its licence, a few MB in all', () => {
  const files = fs.readdirSync(dir).sort();
  expect(files).toEqual([
    'LICENSE', 'README.md', 'classes.txt',
    't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
  ]);
  expect(fs.readFileSync(path.join(dir, 'LICENSE'), 'utf8')).toMatch(/^The MIT License \(MIT\)\n\nCopyright © 2017 Zalando SE/);
  const bytes = files.reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
  expect(bytes).toBeLessThan(4 * 1024 * 1024);
});
