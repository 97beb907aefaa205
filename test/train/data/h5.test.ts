/**
 * SIGNS-style HDF5 datasets. The files are written by h5py (the library the course's files were made with), from the
 * Keras venv of scripts/ci/keras.sh, with the course's layout: train_set_x (N, H, W, 3) uint8, train_set_y (N,)
 * int64, list_classes (6,) int64; test_set_x / test_set_y in test_signs.h5.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DiagnosticError } from '../../../src/diagnostics/diagnostic';
import { detectFormat, loadDataAsync } from '../../../src/train/data';
import { kerasPython } from '../../backends/keras/fixtures';
import { tempDir } from './files';

/** Writes the fixtures with h5py; each case is a folder under `root`. */
const SCRIPT = `
import sys, h5py, numpy as np
root = sys.argv[1]
def images(n, h=5, w=4):
    return np.fromfunction(lambda n, y, x, c: (n * 31 + y * 7 + x * 3 + c * 101) % 256, (n, h, w, 3), dtype=np.int64).astype(np.uint8)
def signs(d, n_train=12, n_test=4, **override):
    import os
    os.makedirs(d, exist_ok=True)
    with h5py.File(d + '/train_signs.h5', 'w') as f:
        f['train_set_x'] = override.get('x', images(n_train))
        f['train_set_y'] = override.get('y', np.arange(n_train, dtype=np.int64) % 6)
        if 'no_classes' not in override: f['list_classes'] = np.arange(6, dtype=np.int64)
    with h5py.File(d + '/test_signs.h5', 'w') as f:
        f['test_set_x'] = images(n_test)[::-1]
        f['test_set_y'] = (np.arange(n_test, dtype=np.int64) * 5) % 6
        f['list_classes'] = np.arange(6, dtype=np.int64)
signs(root + '/signs')
signs(root + '/float', x=images(12).astype(np.float32))
signs(root + '/short', y=np.arange(11, dtype=np.int64) % 6)
signs(root + '/range', y=np.full(12, 6, dtype=np.int64))
signs(root + '/grey5d', x=images(12)[..., :2])
import os
os.makedirs(root + '/missing')
with h5py.File(root + '/missing/train_signs.h5', 'w') as f:
    f['train_set_x'] = images(3)
    f['labels'] = np.zeros(3, dtype=np.int64)
os.makedirs(root + '/bomb')
with h5py.File(root + '/bomb/train_signs.h5', 'w') as f:
    # 100,000 × 64 × 64 × 3 = 1.2 GB declared, nothing written: a few KiB on disk.
    f.create_dataset('train_set_x', shape=(100000, 64, 64, 3), dtype=np.uint8, chunks=(1, 64, 64, 3), compression='gzip')
    f['train_set_y'] = np.zeros(100000, dtype=np.int64)
os.makedirs(root + '/cats')
with h5py.File(root + '/cats/train_catvnoncat.h5', 'w') as f:
    f['train_set_x'] = images(2)
    f['train_set_y'] = np.array([1, 0], dtype=np.int64)
    f['list_classes'] = np.array([b'non-cat', b'cat'], dtype='S7')
os.makedirs(root + '/notes')
open(root + '/notes/train_signs.h5', 'w').write('not hdf5')
`;

/** Pixel (n, y, x, c) of the fixtures, as the script's np.fromfunction computes it. */
const pixel = (n: number, y: number, x: number, c: number) => (n * 31 + y * 7 + x * 3 + c * 101) % 256;

async function h5Error(p: string): Promise<string> {
  try {
    await loadDataAsync(p);
  } catch (e) {
    if (e instanceof DiagnosticError && e.diagnostics[0].code === 'data/invalid') {
      const d = e.diagnostics[0];
      return `${d.file}: ${d.message}${d.hint ? ` | ${d.hint}` : ''}`;
    }
    throw e;
  }
  throw new Error(`${p} was read without an error`);
}

if (!fs.existsSync(kerasPython)) {
  console.warn(`HDF5 dataset tests cannot run: no h5py (no Keras venv at ${kerasPython}; scripts/ci/keras.sh makes it)`);
  test('the Keras venv is really absent', () => expect(fs.existsSync(kerasPython)).toBe(false));
} else {
  let root: string;
  beforeAll(() => {
    root = tempDir('h5');
    execFileSync(kerasPython, ['-c', SCRIPT, root], { stdio: 'inherit' });
  }, 60_000);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('a SIGNS folder: both splits, HWC pixels as written, int64 labels, list_classes as the class names', async () => {
    const dir = path.join(root, 'signs');
    expect(detectFormat(dir)).toEqual({ format: 'h5', path: dir });
    const { format, train, test } = await loadDataAsync(dir);
    expect(format).toBe('h5');
    expect(train!.name).toBe('signs');
    expect(train!.shape).toEqual([5, 4, 3]);
    expect(train!.size).toBe(12);
    expect(train!.classes).toEqual(['0', '1', '2', '3', '4', '5']);
    expect([...train!.labels]).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
    const at = (n: number, y: number, x: number, c: number) => ((n * 5 + y) * 4 + x) * 3 + c;
    expect(train!.images[at(7, 3, 2, 1)]).toBe(pixel(7, 3, 2, 1));
    expect(test!.size).toBe(4);
    expect([...test!.labels]).toEqual([0, 5, 4, 3]);
    expect(test!.images[at(0, 0, 0, 0)]).toBe(pixel(3, 0, 0, 0)); // the test images are written in reverse order
  });

  test('one file finds its partner; --limit reads only the first rows', async () => {
    const file = path.join(root, 'signs', 'train_signs.h5');
    const { train, test } = await loadDataAsync(file, { limit: 3 });
    expect(train!.size).toBe(3);
    expect(train!.images.length).toBe(3 * 5 * 4 * 3);
    expect([...train!.labels]).toEqual([0, 1, 2]);
    expect(test!.size).toBe(3);
    const only = await loadDataAsync(path.join(root, 'signs', 'test_signs.h5'), { splits: ['test'] });
    expect(only.train).toBeUndefined();
    expect(only.test!.classes).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  test('byte-string class names (the cat/non-cat files of the same course)', async () => {
    const { train } = await loadDataAsync(path.join(root, 'cats'));
    expect(train!.name).toBe('catvnoncat');
    expect(train!.classes).toEqual(['non-cat', 'cat']);
    expect([...train!.labels]).toEqual([1, 0]);
  });

  test.each([
    ['float', /train_set_x is <f of shape \(12, 5, 4, 3\), expected uint8 images/],
    ['grey5d', /train_set_x is <B of shape \(12, 5, 4, 2\), expected uint8 images/],
    ['short', /train_set_y has 11 labels but train_set_x has 12 images/],
    ['range', /label 6 of image 0 in train_set_y is out of range for 6 classes/],
    ['missing', /has no dataset 'train_set_y' \(it holds labels, train_set_x\) \| SIGNS-style files hold/],
    ['bomb', /train_set_x declares 1\.1 GiB of images, more than the 1 GiB netspec reads/],
    ['notes', /is not an HDF5 file \(no HDF5 signature\) \| is it the right file\?/],
  ])('a hostile or wrong file (%s) is a data error naming the file', async (name, expected) => {
    const message = await h5Error(path.join(root, name));
    expect(message).toMatch(expected);
    expect(message.startsWith(path.join(root, name))).toBe(true);
  });
}
