/** Weight transfer by layer name from a saved tfjs Layers model, with every problem reported at once. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Tensor } from '@tensorflow/tfjs';
import { loadModel, saveModel } from '../../../src/backends/tfjs/load';
import { tf } from '../../../src/runtime/tf';
import { formatTransferReport, transferWeights } from '../../../src/backends/tfjs/transfer';
import { build, graphOf, randomInput, randomizeWeights } from './support/models';

let dir: string;
let resnet20: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-transfer-'));
  resnet20 = path.join(dir, 'resnet20');
  const source = build(graphOf('cifar/resnet20'));
  randomizeWeights(source, 11);
  await saveModel(source, resnet20);
  source.dispose();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** cifar/resnet20 has 19 convs (kernel only), 19 BNs (4 weights each) and the fc (kernel, bias): 97 weights. */
const RESNET20_WEIGHTS = 19 + 19 * 4 + 2;

test('two specs with the same names: every weight transfers and the models compute the same function', async () => {
  const graph = graphOf('cifar/resnet20');
  const target = build(graph);
  const source = await loadModel(resnet20);
  const x = randomInput(graph);
  const before = (target.predict(x) as Tensor).dataSync();
  const report = await transferWeights(target, resnet20);
  expect(report).toMatchObject({ total: RESNET20_WEIGHTS, missing: [], unexpected: [], mismatched: [], applied: true });
  expect(report.loaded).toHaveLength(RESNET20_WEIGHTS);
  const after = (target.predict(x) as Tensor).dataSync();
  expect(after).not.toEqual(before);
  expect(after).toEqual((source.predict(x) as Tensor).dataSync());
  // Same values as the saved model's weights, read independently of the transfer code.
  const saved = fs.readFileSync(path.join(resnet20, 'weights.bin'));
  const flat = new Float32Array(saved.buffer, saved.byteOffset, saved.byteLength / 4);
  const json = JSON.parse(fs.readFileSync(path.join(resnet20, 'model.json'), 'utf8'));
  let offset = 0;
  const differing: string[] = [];
  for (const spec of json.weightsManifest[0].weights as { name: string; shape: number[] }[]) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const value = target.weights.find((v) => v.originalName === spec.name)!.read().dataSync();
    const expected = flat.subarray(offset, offset + n);
    if (value.length !== n || value.some((v, i) => v !== expected[i])) differing.push(spec.name);
    offset += n;
  }
  expect(offset).toBe(flat.length);
  expect(differing).toEqual([]);
  target.dispose();
  source.dispose();
});

test('a deeper net reports the missing blocks all at once and, by default, changes nothing', async () => {
  const target = build(graphOf('cifar/resnet32'));
  const kernel = () => Array.from(target.getLayer('conv1').getWeights()[0].dataSync());
  const initial = kernel();
  const report = await transferWeights(target, resnet20);
  // resnet32 has two more basic blocks per stage: 6 blocks × (2 kernels + 2 BNs × 4) = 60 weights.
  expect(report.missing).toHaveLength(60);
  expect(report.missing).toContain('layer3.4.bn2/moving_variance');
  expect(report.mismatched).toEqual([]);
  expect(report.unexpected).toEqual([]);
  expect(report.loaded).toHaveLength(RESNET20_WEIGHTS);
  expect(report.applied).toBe(false);
  expect(kernel()).toEqual(initial);
  const text = formatTransferReport(report);
  expect(text).toContain(`loaded ${RESNET20_WEIGHTS} of ${RESNET20_WEIGHTS + 60} weights from ${path.join(resnet20, 'model.json')}`);
  expect(text).toContain('missing from the file (60 weights):\n  layer1.3.conv1: kernel\n  layer1.3.bn1: gamma, beta, moving_mean, moving_variance\n');

  const partial = await transferWeights(target, resnet20, { allowPartial: true });
  expect(partial.applied).toBe(true);
  expect(kernel()).not.toEqual(initial);
  target.dispose();
});

test('a shallower net sees the extra weights as unexpected; another class count as shape mismatches', async () => {
  const shallow = build(graphOf('cifar/resnet20', ['stages.0.blocks=2']));
  const fewer = await transferWeights(shallow, resnet20);
  expect([...fewer.unexpected].sort()).toEqual([
    'layer1.2.bn1/beta', 'layer1.2.bn1/gamma', 'layer1.2.bn1/moving_mean', 'layer1.2.bn1/moving_variance',
    'layer1.2.bn2/beta', 'layer1.2.bn2/gamma', 'layer1.2.bn2/moving_mean', 'layer1.2.bn2/moving_variance',
    'layer1.2.conv1/kernel', 'layer1.2.conv2/kernel',
  ]);
  // Unexpected weights alone do not block the transfer (like loading a backbone from a bigger checkpoint).
  expect(fewer.applied).toBe(true);
  shallow.dispose();

  const other = build(graphOf('cifar/resnet20', ['head.classes=100']));
  const report = await transferWeights(other, resnet20);
  expect(report.mismatched).toEqual([
    { name: 'fc/kernel', expected: [64, 100], received: [64, 10] },
    { name: 'fc/bias', expected: [100], received: [10] },
  ]);
  expect(report.applied).toBe(false);
  expect(formatTransferReport(report)).toContain('shape mismatch, model vs file (2 weights):\n  fc/kernel: [64, 100] vs [64, 10]\n  fc/bias: [100] vs [10]\n');
  other.dispose();
});

test('a missing weight file is a clear error', async () => {
  const target = build(graphOf('cifar/resnet20'));
  await expect(transferWeights(target, path.join(dir, 'absent', 'model.json'))).rejects.toThrow(/cannot read model file .*absent\/model\.json: does not exist/);
  target.dispose();
});
