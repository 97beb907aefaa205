/**
 * The layers squeeze-and-excitation, ECA and stochastic depth add (GlobalPoolKeepDims, ChannelConv1D, DropPath)
 * survive what every model goes through after building: save → load (bit-identical predictions) and BN folding for
 * inference (the same predictions to float32 rounding). ECA's conv is checked against its definition written here.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Tensor } from '@tensorflow/tfjs';
import { ChannelConv1D } from '../../../src/backends/tfjs/layers';
import { inferenceModel } from '../../../src/backends/tfjs/inference';
import { loadModel, saveModel } from '../../../src/backends/tfjs/load';
import { tf } from '../../../src/runtime/tf';
import { build, graphOfText, randomInput, randomizeWeights } from './support/models';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-attention-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const spec = (attention: string) => `netspec: 1
name: tiny_${attention}
convention: torchvision
input: [16, 16, 3]
stem: { filters: 8, kernel: 3 }
block: bottleneck
attention: ${attention}
drop_path_rate: 0.2
stages: [{ blocks: 2, filters: 8 }, { blocks: 2, filters: 16, stride: 2 }]
head: { classes: 5 }
`;

test.each(['se', 'eca'])('%s: save → load gives the same predictions, and so does the BN-folded model', async (attention) => {
  const graph = graphOfText(spec(attention));
  const model = build(graph);
  randomizeWeights(model);
  const x = randomInput(graph, 2);
  const expected = Array.from((model.predict(x) as Tensor).dataSync());
  await saveModel(model, path.join(dir, attention));
  const loaded = await loadModel(path.join(dir, attention));
  expect(Array.from((loaded.predict(x) as Tensor).dataSync())).toEqual(expected);
  const folded = inferenceModel(model);
  expect(folded.layers.length).toBeLessThan(model.layers.length);
  Array.from((folded.predict(x) as Tensor).dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
});

test('ChannelConv1D is torch\'s Conv1d(1, 1, k, padding=(k - 1) / 2, bias=False) across the channels', () => {
  const layer = new ChannelConv1D({ kernelSize: 3, name: 'eca' });
  const x = tf.tensor4d([1, 2, 3, 4, 5], [1, 1, 1, 5]);
  layer.apply(x);
  layer.setWeights([tf.tensor3d([0.5, -1, 2], [3, 1, 1])]);
  // y[c] = 0.5·x[c−1] − x[c] + 2·x[c+1], zeros outside.
  const want = [0 * 0.5 - 1 + 2 * 2, 0.5 * 1 - 2 + 2 * 3, 0.5 * 2 - 3 + 2 * 4, 0.5 * 3 - 4 + 2 * 5, 0.5 * 4 - 5 + 0];
  expect(Array.from((layer.apply(x) as Tensor).dataSync())).toEqual(want);
});
