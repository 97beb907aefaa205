/**
 * The Keras transfer-learning recipe (ResNet50 on 32×32 images upsampled inside the model, then Flatten → BN →
 * Dense 128 relu → Dropout → BN → Dense 64 relu → Dropout → BN → Dense 10 softmax), built by real Keras
 * (make_heads.py): netspec's spec of it has Keras' layers, names (Keras' automatic ones for the unnamed layers),
 * shapes and parameter counts, and a Keras-written .weights.h5 of it loads by layer name and gives Keras' predictions.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Tensor } from '@tensorflow/tfjs';
import { buildLayersModel } from '../../../src/backends/tfjs/build';
import { openWeights, transferFrom } from '../../../src/backends/tfjs/transfer';
import { layerType, nodeParams } from '../../../src/ir/describe';
import { selectBackend } from '../../../src/runtime/backend';
import { tf } from '../../../src/runtime/tf';
import { graphOf } from '../../helpers/compile';
import { fixturesOf, kerasPython, makeKerasFixtures } from './fixtures';

const SCRIPT = path.join(__dirname, 'make_heads.py');
const RECIPE = path.join(__dirname, '..', '..', 'fixtures', 'heads', 'keras-transfer.yaml');
const missing = makeKerasFixtures(SCRIPT);
const fixtures = fixturesOf(SCRIPT);

interface KerasSummary {
  total: number;
  trainable: number;
  non_trainable: number;
  layers: Array<{ name: string; class: string; shape: number[]; params: number }>;
}

const read = (file: string) => JSON.parse(fs.readFileSync(path.join(fixtures, file), 'utf8')) as KerasSummary;
const f32 = (file: string) => {
  const b = fs.readFileSync(path.join(fixtures, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};

if (missing) {
  console.warn(`Keras head-recipe tests cannot run: ${missing}`);
  test('the Keras venv is really absent', () => expect(fs.existsSync(kerasPython)).toBe(false));
} else {
  test('the recipe at 224×224: every layer\'s name, class, shape and parameters, and the totals, are Keras\'', () => {
    const keras = read('recipe224.json');
    const g = graphOf(RECIPE);
    expect({ total: g.params.total, trainable: g.params.trainable, nonTrainable: g.params.nonTrainable })
      .toEqual({ total: keras.total, trainable: keras.trainable, nonTrainable: keras.non_trainable });
    expect(keras.total).toBe(36_843_978);
    // The input layer is `input_layer` in Keras 3 and `input_1` (Keras 2's name) in netspec. Keras orders a
    // shortcut's layers differently, so the lists are compared by name.
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    const ours = g.nodes.slice(1).map((n) => ({ name: n.name, class: layerType(n), shape: n.shape, params: nodeParams(n) }));
    expect(ours.sort(byName)).toEqual(keras.layers.slice(1).sort(byName));
    expect(ours.length).toBe(keras.layers.length - 1);
  });

  describe('the recipe at 64×64 with Keras\' own weights', () => {
    const meta = JSON.parse(fs.readFileSync(path.join(fixtures, 'recipe64.json'), 'utf8')) as { input: number[] };
    const graph = graphOf(RECIPE, ['stem.resize.factor=2']);
    beforeAll(() => selectBackend({ backend: 'wasm' }));

    test('Keras predicts something a wrong weight would change', () => {
      const expected = f32('recipe64.output.f32');
      expect(Math.max(...expected)).toBeLessThan(0.5);
      expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.02);
    });

    test('its .weights.h5 loads by layer name, the head\'s BN and dense layers included, and gives Keras\' predictions', async () => {
      const model = buildLayersModel(graph);
      const source = await openWeights(path.join(fixtures, 'recipe64.weights.h5'));
      try {
        const named = source.tensorsFor(model);
        expect(named.label).toContain('matched by layer name');
        const report = transferFrom(model, named.weights, named.label);
        // ResNet50 without its top: 318 tensors; the head: 3 BN × 4 + 3 dense × 2.
        expect(report).toMatchObject({ total: 318 + 12 + 6, missing: [], unexpected: [], mismatched: [], applied: true });
        const expected = f32('recipe64.output.f32');
        const got = tf.tidy(() => (model.predict(tf.tensor(f32('recipe64.input.f32'), meta.input)) as Tensor).dataSync());
        expect(got).toHaveLength(expected.length);
        const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i])));
        console.log(`recipe64: largest |Δ| from Keras' predictions ${worst.toExponential(2)}`);
        expect(worst).toBeLessThanOrEqual(1e-5 * Math.max(...expected));
      } finally {
        source.dispose();
        model.dispose();
      }
    });
  });
}
