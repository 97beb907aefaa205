/**
 * The emitted modules and the tfjs backend compute the same function: with the backend's weights copied over by
 * layer name, both give identical outputs (a basic, a bottleneck, a pre-activation and an option-A net, plus the
 * Keras CIFAR-10 example's two). Builder options give the models the IR gives for the same `--set`.
 */
import * as tf from '@tensorflow/tfjs';
import { buildLayersModel } from '../../../src/backends/tfjs';
import { graphOf } from '../../helpers/compile';
import { buildResNet20 } from '../../../generated/cifar/resnet20';
import { buildResNetV1 } from '../../../generated/keras-cifar/resnet_v1';
import { buildResNetV2 } from '../../../generated/keras-cifar/resnet_v2';
import { buildResNet50 } from '../../../generated/keras/resnet50';
import { buildResNet50V2 } from '../../../generated/keras/resnet50v2';
import { buildResNet18 } from '../../../generated/resnet18';
import { Builder, copyWeightsByName, graphFacts, outputsOf, perturbWeights, sortedFacts, useCpuBackend } from './harness';

useCpuBackend();

type Shape3 = [number, number, number];
const cases: Array<{ spec: string; build: Builder; input: Shape3 }> = [
  { spec: 'resnet18', build: buildResNet18, input: [64, 64, 3] },
  { spec: 'keras/resnet50', build: buildResNet50, input: [64, 64, 3] },
  { spec: 'keras/resnet50v2', build: buildResNet50V2, input: [64, 64, 3] },
  { spec: 'cifar/resnet20', build: buildResNet20, input: [32, 32, 3] },
  { spec: 'keras-cifar/resnet_v1', build: buildResNetV1, input: [32, 32, 3] },
  { spec: 'keras-cifar/resnet_v2', build: buildResNetV2, input: [32, 32, 3] },
];

/** The model up to the layer that feeds its classifier. */
const features = (m: tf.LayersModel) => tf.model({ inputs: m.inputs, outputs: m.layers[m.layers.length - 2].output as tf.SymbolicTensor });

const setInput = (input: Shape3) => `input=[${input.join(',')}]`;

test.each(cases)('$spec: the emitted model gives the compiled model\'s outputs for the same weights', ({ spec, build, input }) => {
  const compiled = buildLayersModel(graphOf(spec, [setInput(input)]));
  const emitted = build({ inputShape: input });
  perturbWeights(compiled);
  copyWeightsByName(compiled, emitted);
  const x = tf.randomNormal([2, ...input], 0, 1, 'float32', 7);
  const [expected] = outputsOf(compiled, x);
  const [actual] = outputsOf(emitted, x);
  expect(actual).toEqual(expected);
  // Not a vacuous match: the features before the classifier agree too, are finite, and differ between the two
  // images (a deep net's softmax can saturate to the same one-hot row for both).
  const [expectedFeatures] = outputsOf(features(compiled), x);
  expect(outputsOf(features(emitted), x)[0]).toEqual(expectedFeatures);
  expect(expectedFeatures.every(Number.isFinite)).toBe(true);
  const half = expectedFeatures.length / 2;
  expect(expectedFeatures.slice(0, half)).not.toEqual(expectedFeatures.slice(half));
  tf.dispose([x]);
  compiled.dispose();
  emitted.dispose();
});

test('the comparison sees a single changed weight', () => {
  const input: Shape3 = [32, 32, 3];
  const compiled = buildLayersModel(graphOf('cifar/resnet20', [setInput(input)]));
  const emitted = buildResNet20({ inputShape: input });
  perturbWeights(compiled);
  copyWeightsByName(compiled, emitted);
  const bn = emitted.getLayer('layer3.2.bn2');
  bn.setWeights(bn.getWeights().map((w, i) => (i === 0 ? tf.mul(w, 1.01) : w)));
  const x = tf.randomNormal([1, ...input], 0, 1, 'float32', 3);
  expect(outputsOf(emitted, x)[0]).not.toEqual(outputsOf(compiled, x)[0]);
  compiled.dispose();
  emitted.dispose();
});

describe('builder options build the model of the matching --set', () => {
  const check = (build: Builder, options: Parameters<Builder>[0], spec: string, sets: string[]) => {
    const model = build(options);
    expect(sortedFacts(model)).toEqual(graphFacts(graphOf(spec, sets)));
    model.dispose();
  };

  test('includeTop: false', () => {
    check(buildResNet18, { inputShape: [64, 64, 3], includeTop: false }, 'resnet18', ['input=[64,64,3]', 'head.include_top=false']);
    check(buildResNet50V2, { inputShape: [64, 64, 3], includeTop: false }, 'keras/resnet50v2', ['input=[64,64,3]', 'head.include_top=false']);
  });

  test('classes', () => {
    check(buildResNet20, { classes: 100 }, 'cifar/resnet20', ['head.classes=100']);
  });

  test('inputShape', () => {
    check(buildResNetV1, { inputShape: [40, 48, 1] }, 'keras-cifar/resnet_v1', ['input=[40,48,1]']);
  });
});
