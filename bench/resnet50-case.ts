/**
 * One ResNet-50 measurement in a process of its own, so that its peak RSS is its own: `node resnet50-case.js
 * <backend> <threads> <train|inference> <batch> <timed calls>` prints one JSON line {imagesPerSecond, peakRssMB}
 * or {error}. Training is the real `Trainer.step` with Adam (no weight decay, as the PyTorch peer); inference runs
 * the folded model.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { buildLayersModel } from '../src/backends/tfjs/build';
import { inferenceModel } from '../src/backends/tfjs/inference';
import { compileSpec } from '../src/ir/compile';
import { BackendChoice, selectBackend } from '../src/runtime/backend';
import { tf } from '../src/runtime/tf';
import { Trainer } from '../src/train/trainer';
import { imagesPerSecond } from './train';

export const RESNET50_SPEC = 'resnet50';

async function main([backend, threads, kind, batch, calls]: string[]): Promise<void> {
  const n = Number(batch);
  await selectBackend({ backend: backend as BackendChoice, threads: Number(threads) });
  const { graph } = compileSpec(RESNET50_SPEC);
  if (!graph) throw new Error(`${RESNET50_SPEC} did not compile`);
  const model = buildLayersModel(graph);
  const x = tf.randomNormal([n, 224, 224, 3], 0, 1, 'float32', 1);
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 1000);
  const timing = { warmup: 1, rounds: 1, seconds: 0, minCalls: Number(calls) };
  let rate: number;
  if (kind === 'train') {
    const trainer = new Trainer(model, {
      epochs: 1, batchSize: n, seed: 1,
      optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      schedule: { rate: () => 1e-3 }, weightDecay: 0, decayed: [], labelSmoothing: 0, loss: 'categorical_crossentropy', fromLogits: false,
    }, '');
    rate = imagesPerSecond(() => trainer.step(x, labels), n, timing);
  } else {
    const folded = inferenceModel(model);
    rate = imagesPerSecond(() => tf.tidy(() => {
      (folded.predict(x, { batchSize: n }) as Tensor).dataSync();
    }), n, timing);
  }
  process.stdout.write(`${JSON.stringify({ imagesPerSecond: rate, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stdout.write(`${JSON.stringify({ error: err.message.split('\n')[0] })}\n`);
    process.exitCode = 1;
  });
}
