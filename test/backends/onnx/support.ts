/**
 * Exporting with seeded random weights and running the result in onnxruntime-node, for the ONNX tests.
 * onnxruntime runs in a child Node process: its native binding makes output arrays in Node's own realm, which the
 * type checks of its JavaScript side reject inside jest's sandbox.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { exportOnnx, OnnxLayout, OPSETS } from '../../../src/backends/onnx';
import { tf } from '../../../src/runtime/tf';
import { IRGraph } from '../../../src/ir/types';

const RUNNER = `
const ort = require(process.env.ORT_PACKAGE);
const fs = require('fs');
const [model, input, shape, out] = process.argv.slice(1);
(async () => {
  const session = await ort.InferenceSession.create(fs.readFileSync(model), { intraOpNumThreads: 1 });
  const b = fs.readFileSync(input);
  const x = new ort.Tensor('float32', new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4), JSON.parse(shape));
  const results = await session.run({ [session.inputNames[0]]: x });
  fs.writeFileSync(out, JSON.stringify(session.outputNames.map((n) => Array.from(results[n].data))));
})().catch((e) => { console.error(e && e.message || e); process.exit(1); });
`;

/** The outputs of the ONNX model for input `x`, in the model's output order. */
export function runOnnx(bytes: Uint8Array, x: Tensor): number[][] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-ort-'));
  try {
    const [model, input, out] = ['model.onnx', 'input.bin', 'out.json'].map((f) => path.join(dir, f));
    fs.writeFileSync(model, bytes);
    fs.writeFileSync(input, new Uint8Array((x.dataSync() as Float32Array).buffer.slice(0)));
    execFileSync(process.execPath, ['-e', RUNNER, model, input, JSON.stringify(x.shape), out], {
      env: { ...process.env, ORT_PACKAGE: require.resolve('onnxruntime-node') }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    return JSON.parse(fs.readFileSync(out, 'utf8')) as number[][];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function exportModel(graph: IRGraph, model: LayersModel, layout: OnnxLayout = 'nhwc', opset: number = OPSETS.default): Uint8Array {
  return exportOnnx(graph, model, { opset, layout, metadata: { 'netspec.test': 'yes' }, producerVersion: 'test' });
}

/** Largest |a − b| over the largest |b|. */
export function relativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/**
 * Seeded random weights that keep a deep net's activations in range: BN statistics and shifts as in the tfjs tests
 * (moving variance U(0.5, 1.5), mean, beta and biases U(−0.2, 0.2)) but gamma U(0.1, 0.4), so each residual branch
 * adds a fraction of its input. With gamma around 1, cifar/resnet1202's logits overflow and the CIFAR nets'
 * softmax saturates to the same one-hot for every image, which would compare nothing. Nets without identity paths
 * (plain nets) need gamma near 1 instead, or the image's signal fades out under the BN shifts.
 */
export function seededWeights(model: LayersModel, seed = 1, gamma: [number, number] = [0.1, 0.4]): void {
  let s = seed;
  for (const w of model.weights) {
    const leaf = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
    const range = leaf === 'moving_variance' ? [0.5, 1.5] : leaf === 'gamma' ? gamma
      : leaf === 'moving_mean' || leaf === 'beta' || leaf === 'bias' ? [-0.2, 0.2] : undefined;
    if (range === undefined) continue;
    const value = tf.randomUniform(w.shape as number[], range[0], range[1], 'float32', s++);
    w.write(value);
    value.dispose();
  }
}
