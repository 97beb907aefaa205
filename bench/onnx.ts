/**
 * ResNet-20 CIFAR inference, batch 64: the model exported to ONNX (BN folded, NHWC input, the same weights) in
 * onnxruntime-node's CPU provider, next to netspec's own inference (`inferenceModel` on the backend `auto` picks)
 * at the same thread count, in the same run. onnxruntime-node is a development dependency: without it the suite
 * says so and measures nothing.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { exportOnnx, OPSETS } from '../src/backends/onnx';
import { selectBackend } from '../src/runtime/backend';
import { buildLayersModel } from '../src/backends/tfjs/build';
import { inferenceModel } from '../src/backends/tfjs/inference';
import { tf } from '../src/runtime/tf';
import { compileSpec } from '../src/ir/compile';
import { BATCH, imagesPerSecond, SPEC, Timing } from './train';
import { BenchRow } from './types';

type Ort = typeof import('onnxruntime-node');

export interface OnnxBenchOptions {
  threads?: readonly number[];
  quick?: boolean;
  log?: (line: string) => void;
}

/** Best img/s of an asynchronous call over timed rounds (as imagesPerSecond). */
async function imagesPerSecondAsync(run: () => Promise<void>, { warmup, rounds, seconds, minCalls }: Timing): Promise<number> {
  for (let i = 0; i < warmup; i++) await run();
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    let [n, elapsed] = [0, 0];
    while (n < minCalls || elapsed < seconds) {
      await run();
      n++;
      elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    }
    best = Math.max(best, (n * BATCH) / elapsed);
  }
  return best;
}

function loadOrt(): Ort | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('onnxruntime-node') as Ort;
  } catch {
    return undefined;
  }
}

/** The `onnx` suite of `netspec bench`. */
export async function benchOnnx(opts: OnnxBenchOptions = {}): Promise<BenchRow[]> {
  const log = opts.log ?? (() => undefined);
  const ort = loadOrt();
  if (ort === undefined) {
    log('onnxruntime-node is not installed (a development dependency): nothing to measure');
    return [];
  }
  const timing: Timing = opts.quick ? { warmup: 2, rounds: 2, seconds: 1, minCalls: 2 } : { warmup: 2, rounds: 3, seconds: 3, minCalls: 2 };
  const { graph } = compileSpec(SPEC);
  if (!graph) throw new Error(`benchmark spec ${SPEC} did not compile`);
  const rows: BenchRow[] = [];
  for (const threads of opts.threads ?? [1, 2]) {
    const backend = await selectBackend({ backend: 'auto', threads });
    const model = buildLayersModel(graph);
    const folded = inferenceModel(model);
    const x = tf.randomNormal([BATCH, ...graph.input], 0, 1, 'float32', 1);
    try {
      log(`netspec inference on ${backend.name}, ${threads} thread(s)`);
      const ours = imagesPerSecond(() => tf.tidy(() => {
        (folded.predict(x, { batchSize: BATCH }) as Tensor).dataSync();
      }), BATCH, timing);
      const bytes = exportOnnx(graph, folded, { opset: OPSETS.default, layout: 'nhwc', metadata: {}, producerVersion: 'bench' });
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionProviders: ['cpu'] });
      const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(x.dataSync()), x.shape) };
      log(`onnxruntime-node, ${threads} thread(s)`);
      const theirs = await imagesPerSecondAsync(async () => {
        await session.run(feeds);
      }, timing);
      await session.release();
      rows.push({
        case: `resnet20 inference bs${BATCH} (exported ONNX)`, backend: 'onnxruntime-node cpu', threads, unit: 'img/s',
        value: Math.round(theirs * 10) / 10, peer: `netspec ${backend.name}`, peerValue: Math.round(ours * 10) / 10,
        ratio: Math.round((theirs / ours) * 1000) / 1000,
      });
    } finally {
      folded.dispose();
      model.dispose();
      x.dispose();
    }
  }
  await selectBackend({ backend: 'auto' });
  return rows;
}
