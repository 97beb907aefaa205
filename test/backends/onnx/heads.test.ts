/**
 * head.layers and stem.resize exported to ONNX, against tfjs' outputs in onnxruntime-node: Resize (nearest and
 * TensorFlow 1's bilinear as `asymmetric`), BatchNormalization on [N, C] after the flatten and on the map before
 * it, Gemm + Relu for a dense relu; also with BN folded for inference.
 */
import * as path from 'path';
import type { Tensor } from '@tensorflow/tfjs';
import { inferenceModel } from '../../../src/backends/tfjs/inference';
import { ModelProto } from '../../../src/backends/onnx/proto';
import { selectBackend } from '../../../src/runtime/backend';
import { tf } from '../../../src/runtime/tf';
import { build, graphOf, randomInput } from '../tfjs/support/models';
import { exportModel, relativeDiff, runOnnx, seededWeights } from './support';

const SMALL = path.join(__dirname, '..', '..', 'fixtures', 'heads', 'small.yaml');
const TOLERANCE = 1e-4;

beforeAll(async () => {
  await selectBackend({ backend: 'auto' });
});

test.each([
  ['nearest', [], false],
  ['bilinear', ['stem.resize.interpolation=bilinear'], false],
  ['a 2×3 size, bilinear, BN folded', ['stem.resize={size: [32, 48], interpolation: bilinear}'], true],
] as const)('%s: onnxruntime gives tfjs\' outputs', (_, sets, inference) => {
  // Logits: a softmax of random-weight logits saturates and would hide differences.
  const graph = graphOf(SMALL, [...sets, 'head.layers.7.activation=linear']);
  const model = build(graph);
  seededWeights(model, 1, [0.5, 1.5]);
  const exported = inference ? inferenceModel(model) : model;
  try {
    const x = randomInput(graph, 2);
    const expected = (model.predict(x) as Tensor).dataSync();
    const bytes = exportModel(graph, exported);
    const [actual] = runOnnx(bytes, x);
    expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0.1);
    const diff = relativeDiff(actual, expected);
    console.log(`small-heads ${sets.join(' ')}${inference ? ' (folded)' : ''}: relative |Δ| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(TOLERANCE);

    const nodes = (ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as { graph: { node: Array<{ opType: string }> } }).graph.node;
    expect(nodes.filter((n) => n.opType === 'Resize')).toHaveLength(1);
    expect(nodes.filter((n) => n.opType === 'Gemm')).toHaveLength(3);
    x.dispose();
  } finally {
    if (exported !== model) exported.dispose();
    model.dispose();
  }
});

test('non-vacuity: tfjs\' bilinear (what UpSampling2D calls) is TensorFlow 1\'s asymmetric one, which half-pixel sampling (Keras 3, torch\'s default) is not', () => {
  // 2× bilinear of [0, 1, 2, 3]: asymmetric (tfjs, TensorFlow 1) samples 0, .5, 1, …; half-pixel 0, .25, .75, ….
  const x = tf.tensor4d([0, 1, 2, 3], [1, 1, 4, 1]);
  const asymmetric = Array.from(tf.image.resizeBilinear(x, [1, 8], false, false).dataSync());
  const halfPixel = Array.from(tf.image.resizeBilinear(x, [1, 8], false, true).dataSync());
  expect(asymmetric).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3]);
  expect(halfPixel).not.toEqual(asymmetric);
  x.dispose();
});
