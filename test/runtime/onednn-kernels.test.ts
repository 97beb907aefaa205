/**
 * The `onednn` backend's kernels against tfjs' cpu backend (plain JavaScript loops, written independently of
 * oneDNN): convolutions, training batch norm, elementwise ops and broadcasting, each with its gradients, on
 * tensors big enough to take the native path and small enough to take the cpu fallback. Where the addon is not
 * built, the registration must say why, and that reason is checked instead.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../../src/runtime/tf';
import { loadNativeAddon } from '../../src/runtime/onednn/addon';
import { ONEDNN, tryRegisterOnednnBackend } from '../../src/runtime/onednn/backend';
import { MIN_NATIVE_SIZE } from '../../src/runtime/onednn/eltwise';
import { batchNormReluAvailable, batchNormTrainingOp } from '../../src/runtime/ops/batch-norm-training';
import { addReluOp, addReluRuns } from '../../src/runtime/ops/relu-fusion';
import { ArrayPool } from '../../src/runtime/onednn/store';
import { DiagnosticError } from '../../src/diagnostics/diagnostic';
import { relativeError, seeded } from '../backends/tfjs/kernels-helpers';

const loaded = loadNativeAddon();
const built = 'addon' in loaded;

if (!built) {
  test('without the addon the onednn backend says why it is unavailable', () => {
    const reason = (loaded as { reason: string }).reason;
    console.warn(`onednn backend not tested: ${reason}`);
    expect(tryRegisterOnednnBackend({ threads: 1 })).toEqual({ ok: false, reason });
  });
}

type Inputs = Record<string, { shape: number[]; seed: number; scale?: number }>;

/** f's value and its gradient in every input, on `backend`, as plain arrays. */
function valueAndGrads(backend: string, inputs: Inputs, f: (t: Record<string, Tensor>) => Tensor): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const names = Object.keys(inputs);
    const tensors = names.map((n) => tf.tensor(seeded(inputs[n].shape.reduce((a, b) => a * b, 1), inputs[n].seed,
      inputs[n].scale ?? 1), inputs[n].shape));
    const call = (...ts: Tensor[]) => f(Object.fromEntries(names.map((n, i) => [n, ts[i]])));
    // A fixed random cotangent, so every output element's gradient matters.
    const y = call(...tensors);
    const r = tf.tensor(seeded(y.size, 99), y.shape);
    const grads = tf.grads((...ts: Tensor[]) => tf.sum(tf.mul(call(...ts), r)))(tensors);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

function expectSame(inputs: Inputs, f: (t: Record<string, Tensor>) => Tensor, tolerance = 1e-5): void {
  const expected = valueAndGrads('cpu', inputs, f);
  const actual = valueAndGrads(ONEDNN, inputs, f);
  expect(actual.map((a) => a.length)).toEqual(expected.map((e) => e.length));
  actual.forEach((a, i) => expect(relativeError(a, expected[i])).toBeLessThanOrEqual(tolerance));
}

if (built) describe('onednn backend', () => {
  beforeAll(() => {
    expect(tryRegisterOnednnBackend({ threads: 2 })).toEqual({ ok: true });
  });

  test('tensors live in plain Float32Arrays outside any wasm memory', () => {
    tf.setBackend(ONEDNN);
    const t = tf.zeros([4, 4]);
    const values = (tf.backend() as unknown as { data: { get(id: object): { values: unknown } } }).data.get(t.dataId).values;
    expect(values).toBeInstanceOf(Float32Array);
    // Its own buffer of exactly 16 floats: a view into a wasm heap would sit in a buffer of megabytes.
    expect((values as Float32Array).buffer.byteLength).toBe(16 * 4);
    t.dispose();
  });

  const convCases: [string, number[], number[], [number, number], 'same' | 'valid', number][] = [
    ['3×3 same', [4, 10, 10, 8], [3, 3, 8, 16], [1, 1], 'same', 1],
    ['3×3 stride 2 same (uneven padding)', [3, 11, 11, 5], [3, 3, 5, 7], [2, 2], 'same', 1],
    ['1×1 stride 2 valid', [2, 9, 9, 6], [1, 1, 6, 4], [2, 2], 'valid', 1],
    ['7×7 stride 2 same', [2, 16, 16, 3], [7, 7, 3, 8], [2, 2], 'same', 1],
  ];
  test.each(convCases)('conv2d %s: value and both gradients', (_name, xShape, wShape, strides, pad) => {
    expectSame({ x: { shape: xShape, seed: 1 }, w: { shape: wShape, seed: 2 } },
      ({ x, w }) => tf.conv2d(x as never, w as never, strides, pad));
  });

  test('fused conv + bias + relu (the folded inference path)', () => {
    expectSame({ x: { shape: [2, 8, 8, 4], seed: 3 }, w: { shape: [3, 3, 4, 6], seed: 4 }, b: { shape: [6], seed: 5 } },
      ({ x, w, b }) => tf.fused.conv2d({ x: x as never, filter: w as never, strides: 1, pad: 'same', bias: b, activation: 'relu' }));
  });

  test('training batch norm: output, statistics and all three gradients match tfjs moments + batchNorm', () => {
    const inputs: Inputs = { x: { shape: [8, 6, 6, 16], seed: 6, scale: 3 }, g: { shape: [16], seed: 7 }, b: { shape: [16], seed: 8 } };
    const reference = valueAndGrads('cpu', inputs, ({ x, g, b }) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, b, g, 1e-3);
    });
    const actual = valueAndGrads(ONEDNN, inputs, ({ x, g, b }) => batchNormTrainingOp(x, g, b, 1e-3).y);
    actual.forEach((a, i) => expect(relativeError(a, reference[i])).toBeLessThanOrEqual(1e-4));
  });

  test.each([
    ['alone', (t: Tensor) => t],
    // As in a ResNet: the model's own ReLU after the fused one, and the output read by two consumers.
    ['followed by the model\'s ReLU, read twice', (t: Tensor) => { const r = tf.relu(t); return tf.add(tf.mul(r, 2), tf.square(r)); }],
  ])('batch norm + ReLU fused (%s): output and all three gradients match tfjs relu(moments + batchNorm)', (_case, after) => {
    const inputs: Inputs = { x: { shape: [8, 6, 6, 16], seed: 16, scale: 3 }, g: { shape: [16], seed: 17 }, b: { shape: [16], seed: 18 } };
    const reference = valueAndGrads('cpu', inputs, ({ x, g, b }) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return after(tf.relu(tf.batchNorm(x, mean, variance, b, g, 1e-3)));
    });
    tf.setBackend(ONEDNN);
    expect(batchNormReluAvailable()).toBe(true);
    const actual = valueAndGrads(ONEDNN, inputs, ({ x, g, b }) => after(batchNormTrainingOp(x, g, b, 1e-3, true).y));
    // Some outputs must be cut by the ReLU, or the mask would go untested.
    expect(reference[0].some((v) => v === 0) && reference[0].some((v) => v > 0)).toBe(true);
    actual.forEach((a, i) => expect(relativeError(a, reference[i])).toBeLessThanOrEqual(1e-4));
  });

  test('a ReLU after the fused batch norm shares its output instead of computing it again', () => {
    tf.setBackend(ONEDNN);
    tf.tidy(() => {
      const x = tf.tensor(seeded(8 * 6 * 6 * 16, 19), [8, 6, 6, 16]);
      const { y } = batchNormTrainingOp(x, tf.ones([16]), tf.zeros([16]), 1e-3, true);
      expect(tf.relu(y).dataId).toBe(y.dataId);
      expect(tf.relu(x).dataId).not.toBe(x.dataId);
    });
  });

  // Sizes on both sides of the native threshold: the native path and the cpu fallback must agree with cpu alike.
  const big = [4, 16, 16, 16];
  const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
  const small = [2, 3, 3, 4];
  test.each([['native', big], ['fallback', small]])('residual add + ReLU fused (%s): output and both gradients match relu(a + b)', (_path, shape) => {
    const inputs: Inputs = { a: { shape, seed: 31 }, b: { shape, seed: 32 } };
    // As in a ResNet block: the model's own ReLU after the fused op, its output read twice.
    const after = (t: Tensor) => { const r = tf.relu(t); return tf.add(tf.mul(r, 2), tf.square(r)); };
    const reference = valueAndGrads('cpu', inputs, ({ a, b }) => after(tf.relu(tf.add(a, b))));
    const actual = valueAndGrads(ONEDNN, inputs, ({ a, b }) => {
      expect(addReluRuns(a, b)).toBe(true);
      return after(addReluOp(a, b));
    });
    // Some sums must be cut by the ReLU (2r + r² is 0 exactly there), or the mask would go untested.
    expect(reference[0].some((v) => v === 0) && reference[0].some((v) => v > 0)).toBe(true);
    actual.forEach((a, i) => expect(relativeError(a, reference[i])).toBeLessThanOrEqual(1e-6));
  });

  test('a ReLU after the fused add shares its output; the fused add is refused for broadcasting operands', () => {
    tf.setBackend(ONEDNN);
    tf.tidy(() => {
      const a = tf.tensor(seeded(size(big), 33), big);
      const y = addReluOp(a, tf.tensor(seeded(size(big), 34), big));
      expect(tf.relu(y).dataId).toBe(y.dataId);
      expect(addReluRuns(a, tf.ones([big[3]]))).toBe(false);
    });
  });

  test('the threshold splits the cases below', () => {
    expect(big.reduce((a, b) => a * b)).toBeGreaterThanOrEqual(MIN_NATIVE_SIZE);
    expect(small.reduce((a, b) => a * b)).toBeLessThan(MIN_NATIVE_SIZE);
  });

  test.each([['native', big], ['fallback', small]])('relu and its gradient (%s)', (_path, shape) => {
    expectSame({ x: { shape, seed: 9 } }, ({ x }) => tf.relu(x), 0);
  });

  test.each([['native', big], ['fallback', small]])('square, sqrt and abs with gradients (%s)', (_path, shape) => {
    expectSame({ x: { shape, seed: 10 } }, ({ x }) => tf.add(tf.add(tf.square(x), tf.sqrt(tf.abs(x))), tf.abs(x)));
  });

  const broadcasts: [string, number[], number[]][] = [
    ['same shape', big, big],
    ['scalar second', big, []],
    ['scalar first', [], big],
    ['per channel', big, [16]],
    ['per channel first', [16], big],
    ['middle axes', big, [4, 1, 1, 16]],
    ['small', small, small],
  ];
  test.each(broadcasts)('add, sub, mul, div, max, min (with gradients but for max, min): %s', (_name, aShape, bShape) => {
    // b in [1, 2]: a divisor away from zero.
    const inputs: Inputs = { a: { shape: aShape, seed: 11 }, b: { shape: bShape, seed: 12 } };
    expectSame(inputs, ({ a, b }) => {
      const d = tf.add(tf.abs(b), 1);
      // tfjs differentiates maximum and minimum of equal shapes only: their broadcast values are checked as constants.
      const [ma, mb] = [a, b].map((t) => tf.tensor(t.dataSync(), t.shape));
      return tf.addN([tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, d), tf.maximum(ma, mb), tf.minimum(ma, mb)]);
    // A broadcast operand's gradient is a sum of 65,536 terms, added in another order than the cpu loop's.
    }, 1e-5);
  });

  // The option-A shortcut: every other pixel through a 6-D slice, then zero channels before and after.
  test.each([['native', [8, 16, 16, 16]], ['fallback', [2, 4, 4, 4]]])('strided slice and pad with gradients (%s)', (_path, shape) => {
    const [n, h, w, c] = shape;
    expectSame({ x: { shape, seed: 15 } }, ({ x }) => {
      const grid = tf.reshape(x, [n, h / 2, 2, w / 2, 2, c]);
      const every = tf.reshape(tf.slice(grid, [0, 0, 0, 0, 0, 0], [n, h / 2, 1, w / 2, 1, c]), [n, h / 2, w / 2, c]);
      const shortcut = tf.pad(every, [[0, 0], [0, 0], [0, 0], [c / 2, c]]);
      const shifted = tf.pad(tf.slice(x, [0, 1, 0, 1], [n, h - 1, w, c - 1]), [[0, 0], [1, 0], [0, 0], [0, 1]], 0.5);
      return tf.concat([tf.reshape(shortcut, [-1]), tf.reshape(shifted, [-1])]);
    }, 0);
  });

  test.each([
    ['spatial, as before a stride-2 conv', [8, 16, 16, 16], [[0, 0], [1, 1], [1, 1], [0, 0]], 0],
    ['every axis, uneven, a constant', [4, 9, 7, 12], [[1, 2], [0, 3], [2, 0], [5, 1]], -1.5],
    ['leading axes only', [6, 20, 10, 20], [[2, 1], [0, 0], [0, 0], [0, 0]], 0],
    ['rank 6, singleton axes widened (a strided slice\'s gradient)', [8, 16, 1, 16, 1, 8], [[0, 0], [0, 0], [0, 1], [0, 0], [0, 1], [0, 0]], 0],
    ['rank 1', [5000], [[3, 7]], 2],
  ])('pad (%s) equals the cpu kernel exactly', (_case, shape, paddings, value) => {
    expect(shape.reduce((a, b) => a * b, 1)).toBeGreaterThanOrEqual(MIN_NATIVE_SIZE);
    expectSame({ x: { shape: shape as number[], seed: 21 } }, ({ x }) => tf.pad(x, paddings as Array<[number, number]>, value as number), 0);
  });

  test.each([
    ['global average pool (H, W)', [1, 2], false],
    ['bias gradient (N, H, W), kept dims', [0, 1, 2], true],
    ['channels (last axis)', [3], false],
    ['everything', [0, 1, 2, 3], false],
    ['non-contiguous axes (cpu fallback)', [0, 2], false],
  ] as const)('sum and mean with gradients: %s', (_name, axes, keepDims) => {
    expectSame({ x: { shape: big, seed: 16 } }, ({ x }) =>
      tf.concat([tf.reshape(tf.sum(x, [...axes], keepDims), [-1]), tf.reshape(tf.mean(x, [...axes], keepDims), [-1])]), 1e-5);
  });

  test('arrays read out by dataSync() keep their values after their tensor is disposed (no reuse)', () => {
    tf.setBackend(ONEDNN);
    const x = tf.tensor(seeded(size(big), 21), big);
    const y = tf.relu(x);
    const read = y.dataSync();
    const copy = Float32Array.from(read);
    y.dispose();
    // Same-size outputs that would take a reused array, with other values.
    const others = Array.from({ length: 4 }, () => tf.neg(tf.relu(tf.add(x, 1))));
    others.forEach((t) => t.dataSync());
    expect(read).toEqual(copy);
    tf.dispose([x, ...others]);
  });

  test.each([
    ['ResNet stem: 3×3 stride 2 same', [2, 32, 32, 16], 3, 2, 'same'],
    ['2×2 stride 2 valid', [4, 16, 16, 16], 2, 2, 'valid'],
    ['3×3 stride 1 same', [2, 9, 9, 8], 3, 1, 'same'],
    ['small (cpu fallback)', [1, 5, 5, 2], 3, 2, 'same'],
  ] as const)('max pooling and its gradient: %s', (_name, shape, k, s, pad) => {
    // Overlapping windows add several dy into one dx, in another order than the cpu loop: float rounding only.
    expectSame({ x: { shape: [...shape], seed: 17 } }, ({ x }) => tf.maxPool(x as never, k, s, pad), 1e-6);
  });

  test('max and min gradients (equal shapes)', () => {
    expectSame({ a: { shape: big, seed: 13 }, b: { shape: big, seed: 14 } }, ({ a, b }) => tf.add(tf.maximum(a, b), tf.minimum(a, b)), 0);
  });

  test('non-vacuity: big tensors run in oneDNN, small ones in the cpu loops', () => {
    const addon = (loaded as unknown as { addon: Record<string, (...args: unknown[]) => unknown> }).addon;
    const calls: Record<string, number> = {};
    const names = ['conv2dForward', 'conv2dBackwardData', 'conv2dBackwardWeights', 'eltwiseForward', 'reluBackward', 'binary'];
    const originals = names.map((n) => addon[n]);
    names.forEach((n, i) => {
      addon[n] = (...args: unknown[]) => {
        calls[n] = (calls[n] ?? 0) + 1;
        return originals[i](...args);
      };
    });
    try {
      const f = ({ x, w }: Record<string, Tensor>) => tf.add(tf.square(tf.relu(tf.conv2d(x as never, w as never, 1, 'same'))), 1);
      valueAndGrads(ONEDNN, { x: { shape: small, seed: 1 }, w: { shape: [3, 3, 4, 4], seed: 2 } }, f);
      // valueAndGrads runs f twice (its value, then under the gradient): two forward passes, one backward.
      expect(calls).toEqual({ conv2dForward: 2, conv2dBackwardData: 1, conv2dBackwardWeights: 1 });
      valueAndGrads(ONEDNN, { x: { shape: big, seed: 1 }, w: { shape: [3, 3, 16, 16], seed: 2 } }, f);
      expect(calls).toEqual({ conv2dForward: 4, conv2dBackwardData: 2, conv2dBackwardWeights: 2,
        eltwiseForward: 4, reluBackward: 1, binary: expect.any(Number) });
    } finally {
      names.forEach((n, i) => { addon[n] = originals[i]; });
    }
  });

  test('int32 arithmetic stays on the cpu kernels and stays exact', () => {
    tf.setBackend(ONEDNN);
    const a = tf.range(0, 20000, 1, 'int32');
    const sum = tf.add(a, a);
    expect(sum.dtype).toBe('int32');
    expect(Array.from(sum.dataSync().slice(19998))).toEqual([39996, 39998]);
    tf.dispose([a, sum]);
  });

  test('kernels keep no references: tf.memory() is unchanged after a gradient step', () => {
    tf.setBackend(ONEDNN);
    const before = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    valueAndGrads(ONEDNN, { x: { shape: big, seed: 1 }, w: { shape: [3, 3, 16, 16], seed: 2 } },
      ({ x, w }) => tf.add(tf.relu(tf.conv2d(x as never, w as never, 1, 'same')), x));
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
  });
});

test('running out of memory is a DiagnosticError naming the size asked for, not a crash', () => {
  // 2^38 floats: 1 TiB, beyond this machine and beyond Node's largest buffer.
  let caught: unknown;
  try {
    new ArrayPool(0).take(2 ** 38);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DiagnosticError);
  const d = (caught as DiagnosticError).diagnostics[0];
  expect(d.code).toBe('memory/exhausted');
  expect(d.message).toContain('a tensor of 1,048,576 MiB could not be allocated');
  expect(d.hint).toContain('smaller batch size');
});

if (built) describe('onednn matrix products (dense layers)', () => {
  const addon = (loaded as unknown as { addon: Record<string, (...args: unknown[]) => unknown> }).addon;
  /** Runs f counting the addon's matmul calls: the native path must have been taken, not the cpu fallback. */
  function nativeCalls(f: () => void): number {
    const original = addon.matmul;
    let calls = 0;
    addon.matmul = (...args: unknown[]) => {
      calls++;
      return original(...args);
    };
    try {
      f();
    } finally {
      addon.matmul = original;
    }
    return calls;
  }

  beforeAll(() => {
    expect(tryRegisterOnednnBackend({ threads: 2 })).toEqual({ ok: true });
  });

  const cases: [string, number[], number[], boolean, boolean][] = [
    ['a dense layer (64 × 256 by 256 × 100)', [64, 256], [256, 100], false, false],
    ['transposed A (a filter gradient)', [256, 64], [256, 100], true, false],
    ['transposed B (an input gradient)', [64, 256], [100, 256], false, true],
    ['batched, both transposed', [3, 40, 30], [3, 50, 40], true, true],
  ];
  test.each(cases)('matMul, %s: value and both gradients as on cpu, on oneDNN', (_name, aShape, bShape, ta, tb) => {
    // The forward product twice (the value, then under tf.grads) and the two gradient products.
    expect(nativeCalls(() => expectSame({ a: { shape: aShape, seed: 1 }, b: { shape: bShape, seed: 2 } },
      ({ a, b }) => tf.matMul(a, b, ta, tb)))).toBe(4);
  });

  test.each([['linear'], ['relu']] as const)('fused matMul + bias + %s (Dense forward) with its gradients', (activation) => {
    expect(nativeCalls(() => expectSame({ x: { shape: [64, 256], seed: 3 }, w: { shape: [256, 100], seed: 4 }, b: { shape: [100], seed: 5 } },
      ({ x, w, b }) => tf.fused.matMul({ a: x, b: w, bias: b, activation })))).toBeGreaterThanOrEqual(4);
  });

  test('small and broadcast products stay on the cpu kernels, with the same result', () => {
    expect(nativeCalls(() => expectSame({ a: { shape: [4, 8], seed: 6 }, b: { shape: [8, 3], seed: 7 } },
      ({ a, b }) => tf.matMul(a, b)))).toBe(0);
    // A broadcast batch axis (tfjs' own gradient of it is wrong-shaped, so the value only).
    const product = (backend: string) => {
      tf.setBackend(backend);
      return tf.tidy(() => tf.matMul(tf.tensor(seeded(2 * 64 * 64, 8), [2, 64, 64]), tf.tensor(seeded(64 * 64, 9), [1, 64, 64])).dataSync());
    };
    const expected = product('cpu');
    let actual: Float32Array<ArrayBufferLike> = new Float32Array();
    expect(nativeCalls(() => { actual = product(ONEDNN) as Float32Array; })).toBe(0);
    expect(relativeError(actual, expected as Float32Array)).toBeLessThanOrEqual(1e-6);
  });
});
