/**
 * Batch norm on flattened features ([N, C], the BN items of head.layers) in training mode on the wasm backend, where
 * netspec's BatchNormalization runs as one op: the output and the moving statistics against the closed form (per
 * feature: (x − mean) / √(var + ε) · γ + β with the biased batch variance; moving ← moving·m + batch·(1 − m)), and
 * the input gradient against tfjs' own layer on the cpu backend.
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { BatchNormalization } from '../../../src/backends/tfjs/layers';
import { selectBackend } from '../../../src/runtime/backend';
import { tf } from '../../../src/runtime/tf';

const N = 6;
const C = 5;
const EPS = 1e-3;
const MOMENTUM = 0.99;
const x = Array.from({ length: N * C }, (_, i) => Math.sin(i * 1.7) * 2 + (i % C) - 1);
const gamma = [0.5, 1.5, -1, 2, 0.7];
const beta = [0.1, -0.2, 0.3, 0, 0.5];
const upstream = Array.from({ length: N * C }, (_, i) => Math.cos(i * 0.9));

type Layer = InstanceType<typeof tf.layers.Layer>;

async function run(layer: Layer): Promise<{ y: number[]; dx: number[]; mean: number[]; variance: number[]; kernels: string[] }> {
  layer.build([null, C]);
  layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta), tf.zeros([C]), tf.ones([C])]);
  const input = tf.variable(tf.tensor2d(x, [N, C])) as Variable;
  let y: Tensor | undefined;
  const profile = await tf.profile(() => tf.variableGrads(() => {
    y = tf.keep(layer.apply(input, { training: true }) as Tensor);
    return tf.sum(tf.mul(y, tf.tensor2d(upstream, [N, C])));
  }, [input]).grads as never);
  const grads = profile.result as unknown as Record<string, Tensor>;
  const w = layer.getWeights();
  const out = { y: Array.from(y!.dataSync()), dx: Array.from(grads[input.name].dataSync()), mean: Array.from(w[2].dataSync()), variance: Array.from(w[3].dataSync()), kernels: profile.kernels.map((k) => k.name) };
  tf.dispose([input, y!, ...Object.values(grads), ...layer.weights.map((v) => v.read())]);
  return out;
}

const worst = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

test('training mode on [N, C]: closed-form output and moving statistics, and tfjs\' own input gradient', async () => {
  await tf.setBackend('cpu');
  const reference = await run(tf.layers.batchNormalization({ axis: -1, epsilon: EPS, momentum: MOMENTUM }));
  await selectBackend({ backend: 'wasm', threads: 1 });
  const ours = await run(new BatchNormalization({ axis: -1, epsilon: EPS, momentum: MOMENTUM }));
  // The one-op path, not tfjs' composition.
  expect(ours.kernels).toContain('NetspecBatchNormTraining');

  const col = (c: number) => Array.from({ length: N }, (_, n) => x[n * C + c]);
  const mean = Array.from({ length: C }, (_, c) => col(c).reduce((a, b) => a + b, 0) / N);
  const variance = mean.map((m, c) => col(c).reduce((a, v) => a + (v - m) ** 2, 0) / N);
  const y = x.map((v, i) => ((v - mean[i % C]) / Math.sqrt(variance[i % C] + EPS)) * gamma[i % C] + beta[i % C]);
  expect(worst(ours.y, y)).toBeLessThan(1e-5);
  expect(worst(ours.mean, mean.map((m) => m * (1 - MOMENTUM)))).toBeLessThan(1e-6);
  expect(worst(ours.variance, variance.map((v) => MOMENTUM + v * (1 - MOMENTUM)))).toBeLessThan(1e-6);
  expect(worst(ours.dx, reference.dx)).toBeLessThan(1e-4);
  // Non-vacuity: the gradient is not zero, and normalising with the moving statistics would give another output.
  expect(Math.max(...ours.dx.map(Math.abs))).toBeGreaterThan(0.01);
  expect(worst(y, x.map((v, i) => (v / Math.sqrt(1 + EPS)) * gamma[i % C] + beta[i % C]))).toBeGreaterThan(0.1);
});
