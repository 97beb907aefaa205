/**
 * CIFAR's python version (cifar-10-batches-py, cifar-100-python). The batches are encoded here opcode by opcode as
 * Python 2's cPickle wrote them at protocol 2 (SHORT_BINSTRING keys, BINSTRING pixel data, numpy's _reconstruct /
 * dtype globals, SETITEMS and APPENDS in runs of 1,000), then checked to load in Debian's Python 3 with
 * `pickle.load(f, encoding='bytes')` and, when the Keras venv is there, with Keras' own `load_batch`, whose arrays
 * netspec must reproduce. Python 3 re-saves (protocols 2 and 4) and hostile pickles are written by Python itself.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { detectFormat, loadData, readCifar10Dir } from '../../../src/train/data';
import { kerasPython } from '../../backends/keras/fixtures';
import { dataError, tempDir } from './files';

/** Debian's Python with numpy (python3-numpy, which python3-torch of scripts/ci/torch.sh brings). */
const PYTHON = '/usr/bin/python3';
const withNumpy = spawnSync(PYTHON, ['-c', 'import numpy']).status === 0;
if (!withNumpy) console.warn(`CIFAR python batches: no ${PYTHON} with numpy, so the fixtures are not cross-checked by Python nor written by it`);

/** The opcodes Python 2's cPickle emits at protocol 2, with a BINPUT after every object as it does. */
class Py2Pickle {
  private parts: Buffer[] = [Buffer.from([0x80, 2])];
  private memo = 1;

  private op(...bytes: number[]): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  private put(): this {
    return this.memo < 256 ? this.op(0x71, this.memo++) : this.op(0x72, ...u32(this.memo++));
  }
  str(s: string | Buffer): this {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    this.parts.push(b.length < 256 ? Buffer.from([0x55, b.length]) : Buffer.from([0x54, ...u32(b.length)]), b);
    return this.put();
  }
  int(v: number): this {
    if (v >= 0 && v < 256) return this.op(0x4b, v);
    if (v >= 0 && v < 65536) return this.op(0x4d, v & 255, v >> 8);
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return this.op(0x4a, ...b);
  }
  global(module: string, name: string): this {
    this.parts.push(Buffer.from(`c${module}\n${name}\n`, 'latin1'));
    return this.put();
  }
  /** numpy.core.multiarray._reconstruct(ndarray, (0,), 'b') then __setstate__((1, shape, dtype('u1'), False, data)). */
  uint8Array(shape: number[], data: Buffer): this {
    this.global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray').int(0).op(0x85).put().str('b').op(0x87).put().op(0x52).put();
    this.op(0x28).int(1);
    shape.forEach((d) => this.int(d));
    this.op(0x84 + shape.length).put();
    this.global('numpy', 'dtype').str('u1').int(0).int(1).op(0x87).put().op(0x52).put();
    this.op(0x28).int(3).str('|').op(0x4e, 0x4e, 0x4e).int(-1).int(-1).int(0).op(0x74).put().op(0x62);
    return this.op(0x89).str(data).op(0x74).put().op(0x62);
  }
  list<T>(items: T[], write: (item: T) => void): this {
    this.op(0x5d).put();
    for (let i = 0; i < items.length; i += 1000) {
      this.op(0x28);
      items.slice(i, i + 1000).forEach(write);
      this.op(0x65);
    }
    return this;
  }
  dict(entries: [string, (p: Py2Pickle) => void][]): this {
    this.op(0x7d).put().op(0x28);
    for (const [k, write] of entries) {
      this.str(k);
      write(this);
    }
    return this.op(0x75);
  }
  bytes(): Buffer {
    return Buffer.concat([...this.parts, Buffer.from('.')]);
  }
}

function u32(v: number): number[] {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return [...b];
}

/** Image n's channel-major row: red (n + p) mod 256, green 3n mod 256, blue 255 − red, at pixel p. */
function row(n: number): Buffer {
  const red = Array.from({ length: 1024 }, (_, p) => (n + p) % 256);
  return Buffer.from([...red, ...new Array(1024).fill((3 * n) % 256), ...red.map((r) => 255 - r)]);
}

function batch(first: number, labels: number[], labelKeys: string[]): Buffer {
  const data = Buffer.concat(labels.map((_, i) => row(first + i)));
  return new Py2Pickle().dict([
    ['batch_label', (p) => p.str('training batch 1 of 5')],
    ...labelKeys.map((k, j): [string, (p: Py2Pickle) => void] => [k, (p) => p.list(labels.map((l) => (l + j) % 100), (l) => p.int(l))]),
    ['data', (p) => p.uint8Array([labels.length, 3072], data)],
    ['filenames', (p) => p.list(labels.map((_, i) => `img_${first + i}.png`), (f) => p.str(f))],
  ]).bytes();
}

let root: string;
beforeAll(() => (root = tempDir('cifar-py')));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** cifar-10-batches-py with five batches of 3 images (the second of 1,200 to cross cPickle's runs of 1,000). */
function cifar10(): string {
  const dir = path.join(root, 'cifar-10-batches-py');
  fs.mkdirSync(dir, { recursive: true });
  let first = 0;
  for (let b = 1; b <= 5; b++) {
    const n = b === 2 ? 1200 : 3;
    fs.writeFileSync(path.join(dir, `data_batch_${b}`), batch(first, Array.from({ length: n }, (_, i) => (b + i) % 10), ['labels']));
    first += n;
  }
  fs.writeFileSync(path.join(dir, 'test_batch'), batch(5000, [9, 8, 7, 6], ['labels']));
  fs.writeFileSync(path.join(dir, 'batches.meta'), new Py2Pickle().dict([
    ['num_cases_per_batch', (p) => p.int(10000)],
    ['label_names', (p) => p.list(NAMES.map((n) => n.toUpperCase()), (n) => p.str(n))],
    ['num_vis', (p) => p.int(3072)],
  ]).bytes());
  fs.writeFileSync(path.join(dir, 'readme.html'), '<meta http-equiv="refresh" content="0; url=http://www.cs.toronto.edu/~kriz/cifar.html">');
  return dir;
}

test('cifar-10-batches-py: auto-detected as cifar10, batches in order, channel-major rows to HWC, names from batches.meta', () => {
  const dir = cifar10();
  expect(detectFormat(dir)).toEqual({ format: 'cifar10', path: dir });
  expect(detectFormat(root).format).toBe('cifar10'); // the folder it was unpacked into
  const { format, train, test } = loadData(dir);
  expect(format).toBe('cifar10');
  expect(train!.size).toBe(1212);
  expect(train!.classes).toEqual(NAMES.map((n) => n.toUpperCase()));
  expect([...train!.labels.subarray(0, 4)]).toEqual([1, 2, 3, 2]);
  expect([...test!.labels]).toEqual([9, 8, 7, 6]);
  // Image 1100 (batch 2, row 1097), pixel (row 3, column 4) = p 100: red (1100 + 100) mod 256, green 3·1100 mod 256.
  const at = 1100 * 3072 + 100 * 3;
  expect([...train!.images.subarray(at, at + 3)]).toEqual([1200 % 256, 3300 % 256, 255 - (1200 % 256)]);
  // --limit: the first batches only.
  expect(readCifar10Dir(dir, { limit: 5 }).train!.sources.map((s) => path.basename(s))).toEqual(['data_batch_1', 'data_batch_2']);
  expect(loadData(path.join(dir, 'test_batch')).test!.size).toBe(4);
});

test('cifar-100-python: train, test and meta, fine or coarse labels', () => {
  const dir = path.join(root, 'cifar-100-python');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'train'), batch(0, [5, 99, 42], ['fine_labels', 'coarse_labels']));
  fs.writeFileSync(path.join(dir, 'test'), batch(10, [1, 2], ['fine_labels', 'coarse_labels']));
  const fine = Array.from({ length: 100 }, (_, i) => `fine${i}`);
  const coarse = Array.from({ length: 20 }, (_, i) => `coarse${i}`);
  fs.writeFileSync(path.join(dir, 'meta'), new Py2Pickle().dict([
    ['fine_label_names', (p) => p.list(fine, (n) => p.str(n))],
    ['coarse_label_names', (p) => p.list(coarse, (n) => p.str(n))],
  ]).bytes());
  expect(detectFormat(dir)).toEqual({ format: 'cifar100', path: dir });
  const { train, test } = loadData(dir);
  expect([...train!.labels]).toEqual([5, 99, 42]);
  expect(train!.classes).toEqual(fine);
  expect(test!.size).toBe(2);
  // coarse_labels were written as (fine + 1) mod 100: out of range for 20 classes, which is reported.
  expect(dataError(() => loadData(dir, { cifar100Label: 'coarse' })).message).toMatch(/label 43 of record 2 is out of range for 20 classes/);
});

/** Python writes these: pickle protocols 2 (bytes through _codecs.encode) and 4, and the classic exploit. */
const WRITER = `
import os, pickle, sys, numpy as np
root = sys.argv[1]
img = np.arange(2 * 3072, dtype=np.int64).astype(np.uint8).reshape(2, 3072)
for proto in (2, 4):
    d = root + f'/proto{proto}'
    os.makedirs(d)
    pickle.dump({'data': img, 'labels': [3, 4], 'batch_label': b'x'}, open(d + '/test_batch', 'wb'), protocol=proto)
class Exploit:
    def __reduce__(self):
        return (os.system, ('touch ' + root + '/pwned',))
os.makedirs(root + '/evil')
pickle.dump({b'data': Exploit(), b'labels': [0]}, open(root + '/evil/test_batch', 'wb'), protocol=2)
os.makedirs(root + '/float')
pickle.dump({b'data': img.astype(np.float32), b'labels': [0, 1]}, open(root + '/float/test_batch', 'wb'), protocol=2)
os.makedirs(root + '/short')
open(root + '/short/test_batch', 'wb').write(pickle.dumps({b'data': img, b'labels': [0, 1]}, protocol=2)[:-100])
`;

if (!withNumpy) {
  test('Debian\'s Python with numpy is really absent', () => expect(spawnSync(PYTHON, ['-c', 'import numpy']).status).not.toBe(0));
} else describe('pickles checked and written by Python 3, and hostile ones', () => {
  test('the hand-encoded batches are real pickles: Python 3 loads them as keras.datasets does', () => {
    const dir = cifar10();
    const script = [
      'import pickle, sys',
      'd = pickle.load(open(sys.argv[1], "rb"), encoding="bytes")',
      'print(sorted(k.decode() for k in d), d[b"data"].dtype, d[b"data"].shape, d[b"labels"][:3], int(d[b"data"][1, 1024 * 2 + 5]))',
    ].join('\n');
    expect(execFileSync(PYTHON, ['-c', script, path.join(dir, 'test_batch')], { encoding: 'utf8' }).trim())
      .toBe("['batch_label', 'data', 'filenames', 'labels'] uint8 (4, 3072) [9, 8, 7] 113"); // blue of image 5001, pixel 5: 255 − (5006 mod 256)
  });


  let dir: string;
  beforeAll(() => {
    dir = path.join(root, 'py3');
    fs.mkdirSync(dir);
    execFileSync(PYTHON, ['-c', WRITER, dir]);
  });

  test.each([2, 4])('protocol %i re-saves read the same', (proto) => {
    const { test } = loadData(path.join(dir, `proto${proto}`));
    expect([...test!.labels]).toEqual([3, 4]);
    // Image 1, pixel 0: red = 3072 mod 256 = 0, green = (3072 + 1024) mod 256 = 0, blue = (3072 + 2048) mod 256 = 0; pixel 1: 1, 1, 1.
    expect([...test!.images.subarray(3072, 3072 + 6)]).toEqual([0, 0, 0, 1, 1, 1]);
  });

  test('a pickle that calls os.system is refused before anything runs', () => {
    const e = dataError(() => loadData(path.join(dir, 'evil')));
    expect(e.message).toMatch(/refused global '(posix|os)\.system' \(only numpy arrays and plain data are read\)/);
    expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
  });

  test('a float array or a truncated file is a data error naming the file', () => {
    expect(dataError(() => loadData(path.join(dir, 'float'))).message).toMatch(/float\/test_batch: an array of dtype 'f4' \(CIFAR images are uint8\)/);
    expect(dataError(() => loadData(path.join(dir, 'short'))).message).toMatch(/short\/test_batch: truncated: \d+ more bytes needed/);
  });
});

if (!fs.existsSync(kerasPython)) {
  console.warn(`CIFAR python batches: Keras' load_batch not compared (no venv at ${kerasPython}; scripts/ci/keras.sh makes it)`);
  test('the Keras venv is really absent', () => expect(fs.existsSync(kerasPython)).toBe(false));
} else {
  test('Keras\' own load_batch reads the same images and labels (its (N, 3, 32, 32) transposed to HWC)', () => {
    const dir = cifar10();
    const script = [
      'import sys, json',
      'from keras.src.datasets.cifar import load_batch',
      'x, y = load_batch(sys.argv[1])',
      'print(json.dumps({"y": list(y), "x": x.transpose(0, 2, 3, 1).ravel().tolist()}))',
    ].join('\n');
    const out = execFileSync(kerasPython, ['-c', script, path.join(dir, 'test_batch')], { encoding: 'utf8', env: { ...process.env, KERAS_BACKEND: 'jax', JAX_PLATFORMS: 'cpu' } });
    const keras = JSON.parse(out.trim().split('\n').pop()!) as { x: number[]; y: number[] };
    const { test } = loadData(dir, { splits: ['test'] });
    expect([...test!.labels]).toEqual(keras.y);
    expect(Buffer.from(test!.images).equals(Buffer.from(keras.x))).toBe(true);
  }, 60_000);
}
