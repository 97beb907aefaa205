/** Shared by the tfjs backend tests: building from specs, deterministic non-trivial weights, comparing outputs. */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { buildLayersModel } from '../../../../src/backends/tfjs/build';
import { tf } from '../../../../src/runtime/tf';
import { IRGraph } from '../../../../src/ir/types';
import { graphOf, graphOfText } from '../../../helpers/compile';

export { graphOf, graphOfText };

// ResNet-8 (option A) with 4/8/8 channels on 8×8 images: every op kind of a CIFAR ResNet step, in milliseconds.
export const TINY_RESNET = `netspec: 1
name: tiny
extends: base/cifar
depth: 8
input: [8, 8, 3]
stem: { filters: 4, kernel: 3, stride: 1 }
stages:
  - { filters: 4, stride: 1 }
  - { filters: 8, stride: 2 }
  - { filters: 8, stride: 2 }
head: { pooling: avg, classes: 3, activation: softmax }
`;

export function build(graph: IRGraph): LayersModel {
  return buildLayersModel(graph);
}

/**
 * Replaces every BN statistic and affine parameter with seeded random values (the initial 0/1 would make BN an
 * identity and hide mistakes in its wiring); kernels keep their random init, biases get small random values.
 */
export function randomizeWeights(model: LayersModel, seed = 1): void {
  let s = seed;
  for (const w of model.weights) {
    const leaf = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
    const shape = w.shape as number[];
    const uniform = (lo: number, hi: number) => tf.randomUniform(shape, lo, hi, 'float32', s++);
    const value = leaf === 'moving_variance' || leaf === 'gamma' ? uniform(0.5, 1.5)
      : leaf === 'moving_mean' || leaf === 'beta' || leaf === 'bias' ? uniform(-0.2, 0.2)
        : null;
    if (value) {
      w.write(value);
      value.dispose();
    }
  }
}

/** name → current value, for reference implementations that read a model's weights by (framework) name. */
export function weightsByName(model: LayersModel): (name: string) => Tensor {
  const byName = new Map(model.weights.map((w) => [w.originalName, w]));
  return (name) => {
    const w = byName.get(name);
    if (!w) throw new Error(`the model has no weight '${name}'; it has e.g. ${[...byName.keys()].slice(0, 5).join(', ')}`);
    return w.read();
  };
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

export function maxAbs(a: Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]);
}

export function randomInput(graph: IRGraph, batch = 2, seed = 7): Tensor {
  return tf.randomNormal([batch, ...graph.input], 0, 1, 'float32', seed);
}
