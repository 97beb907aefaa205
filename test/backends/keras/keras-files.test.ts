/**
 * Keras weight files written by real Keras (keras 3 on jax, see make_fixtures.py) load into the matching built-in
 * specs and reproduce Keras' own predictions: keras.applications ResNet50 into keras/resnet50 (by layer name) and
 * the Keras CIFAR-10 example's resnet_v1 (depth 20) and resnet_v2 (depth 29) into keras-cifar/* (Keras named their
 * layers itself, so by layer order), each as `.keras`, `.weights.h5`, Keras 2 whole-model `.h5` and Keras 2
 * weights-only `.h5` (the keras.applications download layout; also with tf.keras 2.x's `:0` weight names). The
 * deeplearning.ai assignment's ResNet-50 (its identity_block / convolutional_block code) loads by its Caffe names
 * into its worked spec tutorials/dlai-signs-resnet50 (unpadded stem pool) and gives Keras' predictions too. The venv comes from
 * scripts/ci/keras.sh; the
 * fixtures are cached under .cache/keras-fixtures/<hash of the script>.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Tensor } from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/runtime/backend';
import { buildLayersModel } from '../../../src/backends/tfjs/build';
import { tf } from '../../../src/runtime/tf';
import { openWeights, transferFrom } from '../../../src/backends/tfjs/transfer';
import { graphOf } from '../../helpers/compile';
import { netspec } from '../../helpers/cli';
import { kerasFixtures, kerasPython, makeKerasFixtures, root } from './fixtures';

const fixtures = kerasFixtures;

const MODELS = [
  { spec: 'keras/resnet50', name: 'resnet50', by: 'layer name', weights: 320 },
  { spec: 'keras-cifar/resnet_v1', name: 'resnet_v1', by: 'layer order', weights: 120 },
  { spec: 'keras-cifar/resnet_v2', name: 'resnet_v2', by: 'layer order', weights: 176 },
  // The deeplearning.ai assignment's ResNet-50, written with its identity_block / convolutional_block code.
  { spec: 'tutorials/dlai-signs-resnet50', name: 'dlai_resnet50', by: 'layer name', weights: 320 },
  // resnet_v1 as the one layer of a Sequential model: its weights one level down in every layout.
  { spec: 'keras-cifar/resnet_v1', name: 'resnet_v1_nested', by: 'layer order', weights: 120 },
];
const FORMATS = [
  ['.keras', 'Keras 3 .keras archive'],
  ['.weights.h5', 'Keras 3 .weights.h5'],
  ['.h5', 'Keras 2 HDF5'],
  ['.legacy.h5', 'Keras 2 HDF5'],
  ['.tf2.h5', 'Keras 2 HDF5'],
] as const;

const missing = makeKerasFixtures();
const f32 = (file: string) => { const b = fs.readFileSync(file); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)); };

if (missing) {
  console.warn(`Keras-file tests cannot run: ${missing}`);
  test('the Keras venv is really absent', () => expect(fs.existsSync(kerasPython)).toBe(false));
} else {
  beforeAll(() => selectBackend({ backend: 'wasm' }));

  describe.each(MODELS)('$spec from Keras-written files ($name)', ({ spec, name, by, weights }) => {
    const meta = JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.json`), 'utf8'));
    const model = buildLayersModel(graphOf(spec));
    const input = f32(path.join(fixtures, `${name}.input.f32`));
    const expected = f32(path.join(fixtures, `${name}.output.f32`));
    afterAll(() => model.dispose());

    test('Keras predicts something a wrong weight would change', () => {
      // Not a saturated softmax: every class keeps a share, so a misplaced tensor shows in the outputs.
      expect(Math.max(...expected)).toBeLessThan(0.5);
      expect(Math.min(...expected)).toBeGreaterThan(1e-5);
    });

    test.each(FORMATS)(`%s reproduces Keras' predictions`, async (suffix, format) => {
      const source = await openWeights(path.join(fixtures, `${name}${suffix}`));
      try {
        const named = source.tensorsFor(model);
        expect(named.label).toContain(`(${format}), matched by ${by}`);
        const report = transferFrom(model, named.weights, named.label);
        expect(report).toMatchObject({ total: weights, missing: [], unexpected: [], mismatched: [], applied: true });
        const got = tf.tidy(() => (model.predict(tf.tensor(input, meta.input)) as Tensor).dataSync());
        expect(got).toHaveLength(expected.length);
        // float32 noise: relative to the largest probability.
        const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i])));
        expect(worst).toBeLessThanOrEqual(1e-5 * Math.max(...expected));
      } finally {
        source.dispose();
      }
    });
  });

  describe.each(FORMATS)('the deeplearning.ai ResNet-50 as %s', (suffix, format) => {
    test('every weight lands where Keras has it, matched by Caffe name', async () => {
      const sums: Record<string, number> = JSON.parse(fs.readFileSync(path.join(fixtures, 'dlai_resnet50.json'), 'utf8')).sums;
      const graph = graphOf('tutorials/dlai-signs-resnet50');
      expect(graph.params.total).toBe(23_600_006);
      const model = buildLayersModel(graph);
      const source = await openWeights(path.join(fixtures, `dlai_resnet50${suffix}`));
      try {
        const named = source.tensorsFor(model);
        expect(named.label).toContain(`(${format}), matched by layer name`);
        const report = transferFrom(model, named.weights, named.label);
        expect(report).toMatchObject({ total: 320, missing: [], unexpected: [], mismatched: [], applied: true });
        const wrong: string[] = [];
        let checked = 0;
        for (const layer of model.layers) {
          layer.getWeights().forEach((w, i) => {
            const keras = sums[`${layer.name}/${i}`];
            const ours = tf.tidy(() => w.sum().dataSync()[0]);
            checked++;
            if (keras === undefined || Math.abs(ours - keras) > Math.max(1e-3, Math.abs(keras) * 1e-4)) wrong.push(`${layer.name}/${i}: ${ours} vs Keras ${keras}`);
          });
        }
        expect(checked).toBe(320);
        expect(wrong).toEqual([]);
      } finally {
        source.dispose();
        model.dispose();
      }
    });
  });

  test('compile --weights with another architecture\'s file: every problem at once, exit 2, nothing written', async () => {
    const out = path.join(fixtures, 'wrong-out');
    fs.rmSync(out, { recursive: true, force: true });
    const { code, stdout, stderr } = await netspec('compile', 'keras-cifar/resnet_v1', '--weights', path.join(fixtures, 'resnet_v2.keras'), '--out', out);
    expect(code).toBe(2);
    expect(stdout).toMatch(/^loaded \d+ of 120 weights from .*resnet_v2\.keras \(Keras 3 \.keras archive\), matched by layer order$/m);
    expect(stdout).toMatch(/^missing from the file \(\d+ weights\):$/m);
    expect(stdout).toMatch(/^unexpected in the file \(ignored\) \(\d+ weights\):$/m);
    expect(stdout).toMatch(/^ {2}predictions: kernel, bias$/m);
    expect(stderr).toMatch(/weight\(s\) missing .* nothing written/);
    expect(stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(fs.existsSync(path.join(out, 'model.json'))).toBe(false);
  });

  test('compile --weights model.h5 writes a model with Keras\' weights', async () => {
    const out = path.join(fixtures, 'v1-out');
    const { code, stdout } = await netspec('compile', 'keras-cifar/resnet_v1', '--weights', path.join(fixtures, 'resnet_v1.h5'), '--out', out);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^loaded 120 of 120 weights from .*resnet_v1\.h5 \(Keras 2 HDF5\), matched by layer order$/m);
    expect(fs.existsSync(path.join(out, 'model.json'))).toBe(true);
  });
}

test('a file that is not Keras\' is a located model-file error', async () => {
  const { code, stderr } = await netspec('compile', 'cifar/resnet20', '--weights', path.join(root, 'package.json.h5'), '--out', path.join(root, '.cache', 'never'));
  expect(code).toBe(2);
  expect(stderr).toMatch(/cannot read .*package\.json\.h5: .*ENOENT[^]*no such file/);
  const text = path.join(root, '.cache', 'not-hdf5.h5');
  fs.mkdirSync(path.dirname(text), { recursive: true });
  fs.writeFileSync(text, 'not an HDF5 file');
  const bad = await netspec('compile', 'cifar/resnet20', '--weights', text, '--out', path.join(root, '.cache', 'never'));
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/not-hdf5\.h5 is neither an HDF5 file nor a \.keras archive/);
  expect(bad.stderr).not.toMatch(/internal error/);
});
