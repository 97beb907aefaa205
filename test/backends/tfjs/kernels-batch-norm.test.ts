/** The wasm FusedBatchNorm and per-channel binary-op replacements (depthwise affine maps) against the cpu backend. */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../../../src/runtime/tf';
import { registerWasmFallbackKernels } from '../../../src/runtime/wasm/wasm-fallback';

beforeAll(() => registerWasmFallbackKernels());

function ramp(size: number, scale: number, shift: number): number[] {
  return Array.from({ length: size }, (_, i) => (((i * 29) % 17) / 17 - 0.5) * scale + shift);
}

interface Case {
  x: number[];
  params: number[];
  offset: boolean;
  scale: boolean;
  /** Mean far from zero relative to the spread: the centring must keep the digits. */
  shift: number;
}

const cases: Array<[string, Case]> = [
  ['NHWC, [C] parameters', { x: [3, 5, 4, 6], params: [6], offset: true, scale: true, shift: 0 }],
  ['NHWC, [1,1,1,C] parameters', { x: [2, 3, 3, 5], params: [1, 1, 1, 5], offset: true, scale: true, shift: 0 }],
  ['rank 2 (after a dense layer)', { x: [7, 3], params: [3], offset: true, scale: true, shift: 0 }],
  ['no offset, no scale', { x: [2, 4, 4, 3], params: [3], offset: false, scale: false, shift: 0 }],
  ['large mean, small spread', { x: [2, 4, 4, 3], params: [3], offset: true, scale: true, shift: 1000 }],
  ['parameters per element (built-in path)', { x: [2, 2, 3], params: [2, 2, 3], offset: true, scale: true, shift: 0 }],
];

describe('FusedBatchNorm on wasm matches cpu', () => {
  test.each(cases)('%s', async (_name, c) => {
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const n = size(c.params);
    const run = async (backend: string): Promise<Float32Array> => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor(ramp(size(c.x), 2, c.shift), c.x);
        const p = (v: number[]): Tensor => tf.tensor(v, c.params);
        const mean = p(ramp(n, 0.2, c.shift));
        const variance = p(ramp(n, 0.5, 1));
        const offset = c.offset ? p(ramp(n, 1, 0.3)) : undefined;
        const scale = c.scale ? p(ramp(n, 1, 1.2)) : undefined;
        return tf.batchNorm(x, mean, variance, offset, scale, 1e-3).dataSync() as Float32Array;
      });
    };
    const expected = await run('cpu');
    const actual = await run('wasm');
    expect(actual.length).toBe(expected.length);
    expected.forEach((v, i) => expect(Math.abs(actual[i] - v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
  });
});

describe('per-channel Multiply, Add and Sub on wasm match cpu', () => {
  const shapes: Array<[number[], number[]]> = [
    [[4, 8, 8, 16], [16]],
    [[4, 8, 8, 16], [1, 1, 1, 16]],
    [[16], [4, 8, 8, 16]],
    [[1, 1, 1, 5], [9, 11, 9, 5]],
    [[4096, 3], [1, 3]],
    [[4, 8, 8, 16], [4, 8, 8, 16]],
    [[4, 8, 8, 16], [4, 1, 1, 16]],
  ];
  for (const op of ['mul', 'add', 'sub'] as const) {
    test.each(shapes)(`${op} %j with %j`, async (aShape, bShape) => {
      const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const y = tf[op](tf.tensor(ramp(size(aShape), 3, 0.1), aShape), tf.tensor(ramp(size(bShape), 2, -0.2), bShape));
          return { shape: y.shape, values: y.dataSync() as Float32Array };
        });
      };
      const expected = await run('cpu');
      const actual = await run('wasm');
      expect(actual.shape).toEqual(expected.shape);
      expected.values.forEach((v, i) => expect(Math.abs(actual.values[i] - v)).toBeLessThanOrEqual(1e-7 * Math.abs(v)));
    });
  }
});
