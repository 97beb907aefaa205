/**
 * The grouped convolution op on oneDNN's grouped primitives against tfjs' cpu backend running the definition —
 * split input and filter into groups, convolve each pair, concatenate — value and both gradients; and the
 * GroupedConv2D layer on the onednn backend taking the one-op path with the same result as on cpu.
 */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { GroupedConv2D } from '../../src/backends/tfjs/layers';
import { loadNativeAddon } from '../../src/runtime/onednn/addon';
import { ONEDNN, tryRegisterOnednnBackend } from '../../src/runtime/onednn/backend';
import { groupedConv2dAvailable, groupedConv2dOp } from '../../src/runtime/ops/grouped-conv2d';
import { tf } from '../../src/runtime/tf';
import { relativeError, seeded } from '../backends/tfjs/kernels-helpers';

const loaded = loadNativeAddon();

if (!('addon' in loaded)) {
  test('without the addon there are no grouped kernels, and the reason is real', () => {
    console.warn(`grouped convolution kernels not tested: ${loaded.reason}`);
    expect(tryRegisterOnednnBackend()).toEqual({ ok: false, reason: loaded.reason });
    expect(groupedConv2dAvailable()).toBe(false);
  });
}

type Case = [string, [number, number, number, number], number, number, number, 'same' | 'valid', number];
const CASES: Case[] = [
  // name, x shape, groups, kernel, filters, padding, stride
  ['ResNeXt-like 3×3, 4 groups', [2, 8, 8, 16], 4, 3, 16, 'same', 1],
  ['stride 2, uneven same padding', [2, 9, 9, 8], 2, 3, 12, 'same', 2],
  ['32 groups of 2 channels', [1, 6, 6, 64], 32, 3, 64, 'valid', 1],
];

/** The definition: `groups` independent convolutions, concatenated along channels. */
function split(x: Tensor4D, w: Tensor4D, groups: number, stride: number, pad: 'same' | 'valid'): Tensor4D {
  const xs = tf.split(x, groups, 3) as Tensor4D[];
  const ws = tf.split(w, groups, 3) as Tensor4D[];
  return tf.concat(xs.map((xi, i) => tf.conv2d(xi, ws[i], stride, pad)), 3) as Tensor4D;
}

function results(backend: string, c: Case, f: (x: Tensor4D, w: Tensor4D) => Tensor): Float32Array[] {
  tf.setBackend(backend);
  const [, shape, groups, k, filters] = c;
  return tf.tidy(() => {
    const x = tf.tensor(seeded(shape.reduce((a, b) => a * b), 1), shape) as Tensor4D;
    const w = tf.tensor(seeded(k * k * (shape[3] / groups) * filters, 2), [k, k, shape[3] / groups, filters]) as Tensor4D;
    const y = f(x, w);
    const r = tf.tensor(seeded(y.size, 3), y.shape);
    const [dx, dw] = tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.mul(f(a as Tensor4D, b as Tensor4D), r)))([x, w]);
    return [y, dx, dw].map((t) => t.dataSync() as Float32Array);
  });
}

if ('addon' in loaded) describe('grouped convolution on oneDNN', () => {
  beforeAll(() => {
    expect(tryRegisterOnednnBackend({ threads: 2 })).toEqual({ ok: true });
  });

  test.each(CASES)('%s: value, input and filter gradients match the split definition on cpu', (...c) => {
    const [, , groups, , , pad, stride] = c;
    const expected = results('cpu', c, (x, w) => split(x, w, groups, stride, pad));
    const actual = results(ONEDNN, c, (x, w) =>
      groupedConv2dOp(x, w, { strides: [stride, stride], pad, dilations: [1, 1], groups }));
    expect(tf.getBackend()).toBe(ONEDNN);
    actual.forEach((a, i) => {
      expect(a.length).toBe(expected[i].length);
      expect(relativeError(a, expected[i])).toBeLessThanOrEqual(1e-5);
    });
  });

  test('the GroupedConv2D layer runs one grouped kernel on onednn, with the cpu result', () => {
    const layer = new GroupedConv2D({ filters: 16, kernelSize: 3, groups: 4, padding: 'same', strides: 1, useBias: true,
      biasInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 4 }) });
    const x = (backend: string) => {
      tf.setBackend(backend);
      return tf.tensor(seeded(2 * 8 * 8 * 16, 5), [2, 8, 8, 16]);
    };
    tf.setBackend('cpu');
    const onCpu = (layer.apply(x('cpu')) as Tensor).dataSync();
    const weights = layer.getWeights().map((w) => ({ values: w.dataSync(), shape: w.shape }));
    expect(groupedConv2dAvailable()).toBe(false);
    tf.setBackend(ONEDNN);
    layer.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
    expect(groupedConv2dAvailable()).toBe(true);
    const addon = (loaded as unknown as { addon: Record<string, (...args: unknown[]) => unknown> }).addon;
    const forward = addon.conv2dForward;
    const geometries: number[] = [];
    addon.conv2dForward = (...args: unknown[]) => {
      geometries.push((args[0] as Int32Array).length);
      return forward(...args);
    };
    try {
      const onOnednn = (layer.apply(x(ONEDNN)) as Tensor).dataSync();
      expect(relativeError(onOnednn, onCpu)).toBeLessThanOrEqual(1e-5);
    } finally {
      addon.conv2dForward = forward;
    }
    // One call, with the 16th geometry integer (the groups): not four split convolutions.
    expect(geometries).toEqual([16]);
  });
});

test('inference folds the batch norm after every grouped conv of resnext50_32x4d, outputs unchanged', async () => {
  const { foldBatchNorm } = await import('../../src/backends/tfjs/inference');
  const { build, graphOf } = await import('../backends/tfjs/support/models');
  const { randomizeWeights } = await import('../backends/tfjs/support/models');
  tf.setBackend('addon' in loaded && tryRegisterOnednnBackend().ok ? ONEDNN : 'cpu');
  const model = build(graphOf('resnet50', ['groups=32', 'base_width=4', 'input=[32,32,3]']));
  randomizeWeights(model, 3);
  const grouped = model.layers.filter((l) => l.getClassName() === 'GroupedConv2D').map((l) => l.name);
  // One 3×3 grouped conv per bottleneck block: 3 + 4 + 6 + 3.
  expect(grouped).toHaveLength(16);
  const folded = foldBatchNorm(model);
  const bnAfterGrouped = folded.layers.filter((l) => l.getClassName().includes('BatchNormalization') &&
    grouped.includes((l.inboundNodes[0].inboundLayers[0] as { name: string }).name));
  expect(bnAfterGrouped).toEqual([]);
  // 53 BNs in a ResNet-50; all of them fold now (grouped ones included).
  expect(folded.layers.filter((l) => l.getClassName().includes('BatchNormalization'))).toHaveLength(0);
  const x = tf.tensor(seeded(2 * 32 * 32 * 3, 7), [2, 32, 32, 3]);
  const before = (model.predict(x) as Tensor).dataSync();
  const after = (folded.predict(x) as Tensor).dataSync();
  expect(relativeError(after, before)).toBeLessThanOrEqual(1e-4);
  tf.dispose([x]);
  model.dispose();
  folded.dispose();
});
