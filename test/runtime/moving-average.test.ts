/**
 * The batch norm's moving-statistics update as one kernel (src/runtime/ops/moving-average.ts) against tfjs-layers'
 * own composition, moving − (moving − batch)·(1 − momentum), run by tfjs' kernels on the cpu backend: the same
 * float32 numbers, bit for bit, on every backend netspec trains on.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../../src/runtime/tf';
import { loadNativeAddon } from '../../src/runtime/onednn/addon';
import { selectBackend } from '../../src/runtime/backend';
import { MOVING_AVERAGE, movingAverages } from '../../src/runtime/ops/moving-average';
import { seeded } from '../backends/tfjs/kernels-helpers';

const CHANNELS = 64;
const inputs = (): number[][] => [1, 2, 3, 4].map((seed) => Array.from(seeded(CHANNELS, seed), (v, i) => (seed % 2 ? v : Math.abs(v) * (1 + i))));

/** tfjs-layers' doMovingAverage on the cpu backend, with tfjs' own Sub and Multiply kernels. */
async function reference(momentum: number): Promise<number[][]> {
  await tf.setBackend('cpu');
  const [mm, mv, m, v] = inputs().map((values) => tf.tensor1d(values));
  const update = (moving: Tensor, batch: Tensor) => tf.sub(moving, tf.mul(tf.sub(moving, batch), 1 - momentum));
  const out = [update(mm, m), update(mv, v)];
  const values = out.map((t) => Array.from(t.dataSync()));
  tf.dispose([mm, mv, m, v, ...out]);
  return values;
}

async function fused(momentum: number): Promise<{ values: number[][]; kernels: string[] }> {
  const [mm, mv, m, v] = inputs().map((values) => tf.tensor1d(values));
  const profile = await tf.profile(() => movingAverages(mm, mv, m, v, momentum) as never);
  const out = profile.result as unknown as Tensor[];
  const values = out.map((t) => Array.from(t.dataSync()));
  tf.dispose([mm, mv, m, v, ...out]);
  return { values, kernels: profile.kernels.map((k) => k.name) };
}

const backends: Array<{ name: string; select: () => Promise<unknown> }> = [
  { name: 'cpu', select: () => tf.setBackend('cpu') },
  { name: 'wasm', select: () => selectBackend({ backend: 'wasm', threads: 1 }) },
];
const native = loadNativeAddon();
if ('addon' in native) backends.push({ name: 'onednn', select: () => selectBackend({ backend: 'onednn', threads: 1 }) });
else console.warn(`moving averages on the onednn backend not tested: ${native.reason}`);

describe.each(backends)('on $name', ({ select }) => {
  test.each([0.9, 0.99, 0.1])('momentum %p: one kernel, tfjs\' numbers bit for bit', async (momentum) => {
    const expected = await reference(momentum);
    await select();
    const ours = await fused(momentum);
    expect(ours.kernels).toEqual([MOVING_AVERAGE]);
    expect(ours.values).toEqual(expected);
    // Non-vacuity: each statistic moved, and not all the way to the batch's.
    const [mm, mv, m, v] = inputs();
    for (const [out, moving, batch] of [[ours.values[0], mm, m], [ours.values[1], mv, v]]) {
      expect(out.some((x, i) => x !== moving[i])).toBe(true);
      expect(out.some((x, i) => x !== batch[i])).toBe(true);
    }
  });
});

test('other shapes or dtypes take tfjs\' composition', async () => {
  await tf.setBackend('cpu');
  const [a, b] = [tf.tensor2d([[1, 2]]), tf.tensor2d([[3, 5]])];
  const profile = await tf.profile(() => movingAverages(a, a, b, b, 0.5) as never);
  expect(profile.kernels.map((k) => k.name)).not.toContain(MOVING_AVERAGE);
  expect(Array.from((profile.result as unknown as Tensor[])[0].dataSync())).toEqual([2, 3.5]);
});
