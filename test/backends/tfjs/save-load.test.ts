/** Save → load through our file handler: the same files tfjs writes, and bit-identical predictions after loading. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { DiagnosticError } from '../../../src/diagnostics/diagnostic';
import { fileHandler } from '../../../src/backends/tfjs/io/file-handler';
import { loadModel, saveModel } from '../../../src/backends/tfjs/load';
import { tf } from '../../../src/runtime/tf';
import { build, graphOf, graphOfText, randomInput, randomizeWeights } from './support/models';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-save-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const grouped = `
netspec: 1
name: grouped
convention: torchvision
input: [20, 20, 3]
block: bottleneck
stem: { filters: 16, kernel: 3, stride: 1 }
stages:
  - { blocks: 1, filters: [16, 16, 32], stride: 2, groups: 4, shortcut: avg_down }
  - { blocks: 1, filters: [32, 32, 32], stride: 2, groups: 8, dilation: 1 }
head: { pooling: avg, classes: 4 }
`;

async function roundTrip(model: LayersModel, input: Tensor, name: string) {
  const out = path.join(dir, name);
  await saveModel(model, out);
  const loaded = await loadModel(out);
  const before = [model.predict(input)].flat() as Tensor[];
  const after = [loaded.predict(input)].flat() as Tensor[];
  return { out, loaded, before: before.map((t) => t.dataSync()), after: after.map((t) => t.dataSync()) };
}

test.each([
  ['cifar/resnet20 (SubsamplePad shortcuts)', () => graphOf('cifar/resnet20')],
  ['a ResNeXt-style net (GroupedConv2D, avg-down)', () => graphOfText(grouped)],
  ['keras/resnet50v2 at 32×32 with three outputs (max-pool shortcuts, pre-activation)', () => graphOf('keras/resnet50v2', ['input=[32,32,3]', 'out_indices=[2,3]'])],
])('%s: save → load → predict is bit-identical', async (label, graphFn) => {
  const graph = graphFn();
  const model = build(graph);
  randomizeWeights(model);
  const x = randomInput(graph);
  const { out, loaded, before, after } = await roundTrip(model, x, label.split(' ')[0].replace('/', '_'));
  expect(after.length).toBe(graph.outputs.length);
  after.forEach((a, i) => expect(a).toEqual(before[i]));
  expect(loaded.countParams()).toBe(graph.params.total);
  expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));

  const json = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
  expect(json.format).toBe('layers-model');
  expect(json.weightsManifest).toHaveLength(1);
  expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
  expect(fs.statSync(path.join(out, 'weights.bin')).size).toBe(4 * graph.params.total);
  const layerModules = label.startsWith('keras/') ? [] : ['netspec-layers.js', 'netspec-layers.umd.js'];
  expect(fs.readdirSync(out).sort()).toEqual(['model.json', ...layerModules, 'weights.bin']);
  model.dispose();
  loaded.dispose();
});

test('custom layers keep their configuration and frozen layers stay frozen across save and load', async () => {
  const graph = graphOfText(grouped.replace('name: grouped', 'name: frozen\nfrozen_stages: 1'));
  const model = build(graph);
  const { loaded } = await roundTrip(model, randomInput(graph), 'frozen');
  const conv = loaded.getLayer('layer1.0.conv2');
  expect(conv.getClassName()).toBe('GroupedConv2D');
  expect(conv.getConfig()).toMatchObject({ groups: 4, filters: 16, kernelSize: [3, 3], strides: [2, 2], useBias: false });
  expect(conv.getWeights()[0].shape).toEqual([3, 3, 4, 16]);
  expect(conv.trainable).toBe(false);
  expect(loaded.getLayer('layer2.0.conv2').trainable).toBe(true);
  // Written as Keras writes a frozen BN, and frozen again when netspec loads it.
  const written = JSON.parse(fs.readFileSync(path.join(dir, 'frozen', 'model.json'), 'utf8'));
  const bn = written.modelTopology.config.layers.find((l: { name: string }) => l.name === 'layer1.0.bn2');
  expect(bn.class_name).toBe('BatchNormalization');
  expect(bn.config.trainable).toBe(false);
  expect(loaded.getLayer('layer1.0.bn2').getClassName()).toBe('BatchNormalization');
  expect(loaded.getLayer('layer1.0.bn2').trainable).toBe(false);
  const stats = (name: string) => loaded.getLayer(name).getWeights().slice(2).map((w) => Array.from(w.dataSync()));
  const [frozenBefore, liveBefore] = [stats('layer1.0.bn2'), stats('layer2.0.bn2')];
  tf.dispose(loaded.apply(randomInput(graph, 4, 9), { training: true }) as Tensor);
  expect(stats('layer1.0.bn2')).toEqual(frozenBefore);
  expect(stats('layer2.0.bn2')).not.toEqual(liveBefore);
  expect(loaded.getLayer('layer2.0.bn2').getClassName()).toBe('BatchNormalization');
  const size = (m: LayersModel) => m.trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y as number), 1), 0);
  expect(size(loaded)).toBe(graph.params.trainable);
  model.dispose();
  loaded.dispose();
});

test('loading reports a missing model, a non-model JSON and a missing weight file clearly', async () => {
  await expect(loadModel(path.join(dir, 'nowhere'))).rejects.toThrow(/cannot read model file .*nowhere\/model\.json: does not exist/);
  const bad = path.join(dir, 'bad');
  fs.mkdirSync(bad);
  fs.writeFileSync(path.join(bad, 'model.json'), '{"hello": 1}');
  await expect(fileHandler(bad).load!()).rejects.toThrow(DiagnosticError);
  await expect(fileHandler(bad).load!()).rejects.toThrow(/is not a tfjs model\.json/);
  fs.writeFileSync(path.join(bad, 'model.json'), '{"modelTopology": {}, "weightsManifest": [{"paths": ["w.bin"], "weights": []}]}');
  await expect(fileHandler(bad).load!()).rejects.toThrow(/weight file 'w\.bin' .* does not exist/);
  fs.writeFileSync(path.join(bad, 'model.json'), '{oops');
  await expect(fileHandler(bad).load!()).rejects.toThrow(/is not valid JSON/);
});

test('weights split over several shards (as the tensorflowjs converter writes them) load in manifest order', async () => {
  const graph = graphOf('cifar/resnet20');
  const model = build(graph);
  randomizeWeights(model);
  const out = path.join(dir, 'sharded');
  await saveModel(model, out);
  // Re-shard weights.bin into three files at arbitrary byte offsets, as the converter's 4 MB shards would be.
  const bytes = fs.readFileSync(path.join(out, 'weights.bin'));
  const cuts = [0, 100_000, 700_000, bytes.length];
  const paths = cuts.slice(1).map((_, i) => `group1-shard${i + 1}of3.bin`);
  paths.forEach((p, i) => fs.writeFileSync(path.join(out, p), bytes.subarray(cuts[i], cuts[i + 1])));
  fs.rmSync(path.join(out, 'weights.bin'));
  const json = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
  json.weightsManifest[0].paths = paths;
  fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify(json));
  const loaded = await loadModel(path.join(out, 'model.json'));
  const x = randomInput(graph);
  expect((loaded.predict(x) as Tensor).dataSync()).toEqual((model.predict(x) as Tensor).dataSync());
  model.dispose();
  loaded.dispose();
});
