/**
 * The wasm copy kernels: Slice against an index-by-index reference for every rank the option-A shortcut and
 * tfjs' gradients use, zero-copy Identity and same-dtype Cast (shared data, exact reference counts), and the
 * gradient of the option-A subsampling through them.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/runtime/backend';
import { mergeSliceAxes } from '../../../src/runtime/wasm/wasm-copies';
import { builtinWasmKernel } from '../../../src/runtime/wasm/wasm-fallback';
import { tf } from '../../../src/runtime/tf';

beforeAll(async () => {
  process.env.NETSPEC_NATIVE = '0';
  await selectBackend({ backend: 'wasm' });
});

test('selecting the wasm backend registers them in place of the built-in kernels', () => {
  for (const name of ['Identity', 'Cast', 'Slice']) {
    expect(tf.getKernel(name, 'wasm')?.kernelFunc).not.toBe(builtinWasmKernel(name)?.kernelFunc);
  }
});

/** x[begin : begin + size] of a row-major array, one output element at a time (the definition of a slice). */
function referenceSlice(values: Float32Array, shape: number[], begin: number[], size: number[]): Float32Array {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(size.reduce((a, b) => a * b, 1));
  for (let o = 0; o < out.length; o++) {
    let rest = o;
    let at = 0;
    for (let i = size.length - 1; i >= 0; i--) {
      at += (begin[i] + (rest % size[i])) * strides[i];
      rest = Math.floor(rest / size[i]);
    }
    out[o] = values[at];
  }
  return out;
}

const cases: Array<{ shape: number[]; begin: number[]; size: number[] }> = [
  // The option-A subsample of a 64×8×8×16 activation: [n, h/2, 2, w/2, 2, c] keeping index 0 of both 2s.
  { shape: [4, 4, 2, 4, 2, 16], begin: [0, 0, 0, 0, 0, 0], size: [4, 4, 1, 4, 1, 16] },
  { shape: [3, 5, 2, 5, 2, 3], begin: [1, 1, 1, 0, 1, 0], size: [2, 3, 1, 5, 1, 3] },
  { shape: [2, 3, 4, 5, 6], begin: [1, 0, 1, 2, 0], size: [1, 3, 2, 3, 6] },
  { shape: [2, 7, 9, 70], begin: [0, 1, 2, 3], size: [2, 5, 6, 67] },
  { shape: [2, 7, 9, 5], begin: [0, 0, 0, 1], size: [2, 7, 9, 3] },
  { shape: [6, 4], begin: [2, 0], size: [3, 4] },
  { shape: [10], begin: [3], size: [5] },
  { shape: [3, 1, 4], begin: [0, 0, 1], size: [3, 1, 2] },
  { shape: [4, 4], begin: [1, 1], size: [0, 2] },
];

test.each(cases)('Slice of $shape at $begin size $size matches the index-by-index definition', ({ shape, begin, size }) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Float32Array.from({ length: n }, (_, i) => i * 0.5 - 7);
  const x = tf.tensor(values, shape);
  const y = tf.slice(x, begin, size);
  expect(y.shape).toEqual(size);
  expect(Array.from(y.dataSync())).toEqual(Array.from(referenceSlice(values, shape, begin, size)));
  tf.dispose([x, y]);
});

test('int32 and bool slices keep their dtype and values', () => {
  const x = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], 'int32');
  expect(Array.from(tf.slice(x, [0, 1, 0], [2, 1, 2]).dataSync())).toEqual([3, 4, 7, 8]);
  const b = tf.tensor([true, false, true, true, false, false], [2, 3], 'bool');
  const s = tf.slice(b, [1, 0], [1, 3]);
  expect(s.dtype).toBe('bool');
  expect(Array.from(s.dataSync())).toEqual([1, 0, 0]);
  tf.dispose([x, b, s]);
});

test('axes a slice takes whole merge into the axis before them', () => {
  expect(mergeSliceAxes([4, 4, 2, 4, 2, 16], [0, 0, 0, 0, 0, 0], [4, 4, 1, 4, 1, 16]))
    .toEqual({ shape: [16, 8, 32], begin: [0, 0, 0], size: [16, 4, 16] });
  expect(mergeSliceAxes([3, 1, 4], [1, 0, 0], [2, 1, 4])).toEqual({ shape: [12], begin: [4], size: [8] });
});

test('Identity and same-dtype Cast share the data and count references exactly', () => {
  const before = tf.memory();
  const buffers = () => tf.engine().backend.numDataIds();
  const buffersBefore = buffers();
  const x = tf.tensor([1, 2, 3, 4], [2, 2]);
  const clone = tf.clone(x);
  const cast = tf.cast(x, 'float32');
  // Three tensors of 16 bytes (tfjs counts bytes per tensor) on one buffer.
  expect(tf.memory().numTensors).toBe(before.numTensors + 3);
  expect(tf.memory().numBytes).toBe(before.numBytes + 48);
  expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers + 1);
  expect(buffers()).toBe(buffersBefore + 1);
  x.dispose();
  expect(Array.from(clone.dataSync())).toEqual([1, 2, 3, 4]);
  clone.dispose();
  expect(Array.from(cast.dataSync())).toEqual([1, 2, 3, 4]);
  cast.dispose();
  expect(buffers()).toBe(buffersBefore);
  expect(tf.memory().numBytes).toBe(before.numBytes);
});

test('Cast to another dtype converts', () => {
  const x = tf.tensor([1.7, -2.2, 0], [3]);
  const i = tf.cast(x, 'int32');
  expect(i.dtype).toBe('int32');
  expect(Array.from(i.dataSync())).toEqual([1, -2, 0]);
  tf.dispose([x, i]);
});

test('the gradient through a rank-6 subsample (option A) puts dy on every second pixel, zero elsewhere', () => {
  const x = tf.zeros([2, 4, 4, 3]);
  const dy = tf.tensor(Float32Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i + 1), [2, 2, 2, 3]);
  const dx = tf.grad((t: Tensor) => {
    const grid = tf.reshape(t, [2, 2, 2, 2, 2, 3]);
    return tf.reshape(tf.slice(grid, [0, 0, 0, 0, 0, 0], [2, 2, 1, 2, 1, 3]), [2, 2, 2, 3]);
  })(x, dy);
  const values = dx.arraySync() as number[][][][];
  const up = dy.arraySync() as number[][][][];
  for (let n = 0; n < 2; n++) {
    for (let h = 0; h < 4; h++) {
      for (let w = 0; w < 4; w++) {
        const expected = h % 2 === 0 && w % 2 === 0 ? up[n][h / 2][w / 2] : [0, 0, 0];
        expect(values[n][h][w]).toEqual(expected);
      }
    }
  }
  tf.dispose([x, dy, dx]);
});
