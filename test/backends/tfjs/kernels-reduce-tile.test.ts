/** The wasm Tile, Sum and Mean replacements against tfjs' cpu backend, on the fast paths and the handed-back ones. */
import type { DataType, Tensor } from '@tensorflow/tfjs';
import { tf } from '../../../src/runtime/tf';
import { registerWasmFallbackKernels } from '../../../src/runtime/wasm/wasm-fallback';

beforeAll(() => registerWasmFallbackKernels());

function values(size: number, dtype: DataType): number[] {
  // Small integers keep int32 and bool meaningful and float sums exact.
  return Array.from({ length: size }, (_, i) => (dtype === 'bool' ? (i * 7) % 3 === 0 : ((i * 37) % 11) - 5) as number);
}

async function onBoth(run: () => Tensor): Promise<{ cpu: Tensor; wasm: Tensor }> {
  await tf.setBackend('cpu');
  const cpu = run();
  const cpuCopy = tf.tensor(cpu.dataSync(), cpu.shape, cpu.dtype);
  await tf.setBackend('wasm');
  const wasm = run();
  return { cpu: cpuCopy, wasm };
}

describe('Tile', () => {
  const cases: Array<[number[], number[], DataType]> = [
    [[1, 1, 1, 5], [3, 4, 2, 1], 'float32'],
    [[2, 3], [2, 1], 'float32'],
    [[3], [4], 'int32'],
    [[2, 1, 3], [1, 3, 2], 'float32'],
    [[2, 3, 4], [1, 1, 1], 'float32'],
    [[2, 2], [3, 2], 'bool'],
    [[0, 3], [2, 1], 'float32'],
  ];
  test.each(cases)('%j tiled %j (%s)', async (shape, reps, dtype) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const { cpu, wasm } = await onBoth(() => tf.tile(tf.tensor(values(size, dtype), shape, dtype), reps));
    expect(wasm.shape).toEqual(shape.map((d, i) => d * reps[i]));
    expect(wasm.dtype).toBe(dtype);
    expect(Array.from(wasm.dataSync())).toEqual(Array.from(cpu.dataSync()));
  });
});

describe('Sum and Mean', () => {
  const cases: Array<[string, number[], number | number[], boolean, DataType]> = [
    ['leading 3 of 4 (batch-norm statistics)', [4, 3, 5, 6], [0, 1, 2], false, 'float32'],
    ['leading 3 of 4, keepDims', [4, 3, 5, 6], [2, 0, 1], true, 'float32'],
    ['leading 1 of 2 (dense bias gradient)', [7, 5], 0, false, 'float32'],
    ['inner axes (global average pooling)', [2, 3, 5, 4], [1, 2], false, 'float32'],
    ['middle axis, keepDims', [3, 4, 5], 1, true, 'float32'],
    ['last axis, negative index (built-in path)', [2, 3, 5], -1, true, 'float32'],
    ['axes not adjacent (built-in path)', [2, 3, 4, 5], [0, 2], false, 'float32'],
    ['all axes', [2, 3, 4], [0, 1, 2], false, 'float32'],
    ['leading, int32 (built-in path)', [4, 3, 2], [0, 1], false, 'int32'],
    ['empty reduced axis (built-in path)', [0, 3, 2], [0, 1], false, 'float32'],
  ];
  test.each(cases)('%s', async (_name, shape, axis, keepDims, dtype) => {
    const size = shape.reduce((a, b) => a * b, 1);
    for (const op of [tf.sum, tf.mean]) {
      const { cpu, wasm } = await onBoth(() => op(tf.tensor(values(size, dtype), shape, dtype), axis, keepDims));
      expect(wasm.shape).toEqual(cpu.shape);
      const [a, b] = [wasm.dataSync(), cpu.dataSync()];
      // Pooling scales by 1/count and back: allow a few float32 roundings relative to the value.
      b.forEach((v, i) => expect(Math.abs(a[i] - v)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v))));
    }
  });
});

test('replaced kernels leave no backend buffer behind', async () => {
  await tf.setBackend('wasm');
  const x = tf.ones([8, 4, 4, 3]);
  const run = () => tf.dispose([tf.sum(x, [0, 1, 2]), tf.mean(x, [0, 1]), tf.tile(x, [1, 2, 1, 1])]);
  run();
  const before = tf.engine().backend.numDataIds();
  run();
  expect(tf.engine().backend.numDataIds()).toBe(before);
  x.dispose();
});
