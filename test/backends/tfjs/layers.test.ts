/** netspec's custom layers against hand-computed values and independent formulations (on cpu and wasm). */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { GroupedConv2D, SubsamplePad } from '../../../src/backends/tfjs/layers';
import { selectBackend } from '../../../src/runtime/backend';
import { tf } from '../../../src/runtime/tf';
import { build, graphOf } from './support/models';
import { blockDiagonal } from './support/torch-reference';

describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ backend });
  });

  test('SubsamplePad keeps rows and columns 0, 2, 4… and adds zero channels before and after', () => {
    // x[0, i, j, c] = 100·i + 10·j + c on a 5×5×2 grid.
    const x = tf.tensor4d(Array.from({ length: 50 }, (_, k) => 100 * Math.floor(k / 10) + 10 * Math.floor((k % 10) / 2) + (k % 2)), [1, 5, 5, 2]);
    const layer = new SubsamplePad({ stride: 2, channelsBefore: 1, channelsAfter: 2 });
    const y = layer.apply(x) as Tensor;
    expect(y.shape).toEqual([1, 3, 3, 5]);
    expect(layer.computeOutputShape([null, 5, 5, 2])).toEqual([null, 3, 3, 5]);
    const rows = y.arraySync() as number[][][][];
    for (const [i, si] of [0, 2, 4].entries()) {
      for (const [j, sj] of [0, 2, 4].entries()) {
        expect(rows[0][i][j]).toEqual([0, 100 * si + 10 * sj, 100 * si + 10 * sj + 1, 0, 0]);
      }
    }
    expect(layer.countParams()).toBe(0);
  });

  test.each([
    { groups: 4, strides: 1, padding: 'same' as const, dilationRate: 1, size: 7 },
    { groups: 2, strides: 2, padding: 'same' as const, dilationRate: 1, size: 8 },
    { groups: 8, strides: 2, padding: 'valid' as const, dilationRate: 1, size: 9 },
    { groups: 4, strides: 1, padding: 'same' as const, dilationRate: 2, size: 9 },
  ])('GroupedConv2D equals one dense conv with a block-diagonal kernel (%o)', ({ groups, strides, padding, dilationRate, size }) => {
    const layer = new GroupedConv2D({ filters: 16, kernelSize: 3, groups, strides, padding, dilationRate, useBias: true });
    const x = tf.randomNormal([2, size, size, 8], 0, 1, 'float32', 3) as Tensor4D;
    const y = layer.apply(x) as Tensor;
    const [kernel, bias] = layer.getWeights();
    expect(kernel.shape).toEqual([3, 3, 8 / groups, 16]);
    expect(layer.countParams()).toBe(9 * (8 / groups) * 16 + 16);
    tf.tidy(() => {
      const dense = tf.add(tf.conv2d(x, blockDiagonal(kernel as Tensor4D, groups), strides, padding, 'NHWC', dilationRate), bias);
      expect(y.shape).toEqual(dense.shape);
      expect(layer.computeOutputShape([null, size, size, 8])).toEqual([null, ...dense.shape.slice(1)]);
      expect(tf.max(tf.abs(tf.sub(y, dense))).dataSync()[0]).toBeLessThan(1e-5);
    });
  });

  test('GroupedConv2D rejects channel counts its groups do not divide', () => {
    expect(() => new GroupedConv2D({ filters: 10, kernelSize: 3, groups: 4 })).toThrow(/filters \(10\) must be divisible by groups \(4\)/);
    const layer = new GroupedConv2D({ filters: 8, kernelSize: 3, groups: 4, name: 'g' });
    expect(() => layer.apply(tf.zeros([1, 5, 5, 6]))).toThrow(/input channels \(6\) must be divisible by groups \(4\)/);
  });
});

describe('FrozenBatchNormalization (frozen_stages)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test('a training step leaves a frozen stage\'s statistics alone and normalises with them; other BNs update', async () => {
    const model = build(graphOf('resnet18', ['frozen_stages=1', 'input=[32,32,3]']));
    const frozen = model.getLayer('layer1.0.bn1');
    const live = model.getLayer('layer2.0.bn1');
    expect(frozen.getClassName()).toBe('FrozenBatchNormalization');
    expect(live.getClassName()).toBe('BatchNormalization');
    expect(frozen.countParams()).toBe(4 * 64);
    expect(frozen.trainableWeights).toHaveLength(0);
    const stats = (layer: typeof frozen) => layer.getWeights().slice(2).map((w) => Array.from(w.dataSync()));
    const [frozenBefore, liveBefore] = [stats(frozen), stats(live)];
    const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 5);
    tf.dispose(model.apply(x, { training: true }) as Tensor);
    expect(stats(frozen)).toEqual(frozenBefore);
    expect(stats(live)).not.toEqual(liveBefore);
    // In training mode its output is still (x − moving_mean) / sqrt(moving_var + ε) · γ + β: with the initial 0 / 1
    // statistics, x / sqrt(1 + 1e-5).
    const y = tf.randomNormal([2, 4, 4, 64], 0, 1, 'float32', 6);
    const out = frozen.apply(y, { training: true }) as Tensor;
    expect(tf.max(tf.abs(tf.sub(out, tf.div(y, Math.sqrt(1 + 1e-5))))).dataSync()[0]).toBeLessThan(1e-6);
    model.dispose();
  });
});
