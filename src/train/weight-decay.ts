/**
 * Which kernels the L2 penalty covers, read from the IR: a node's op says what kind of layer it is, so the set
 * follows the network (stem, block and shortcut convs, ECA's channel conv, the classifier and head dense layers)
 * and never a weight-name pattern. Frozen nodes are left out, as Keras 3 adds regularisation only for trainable
 * weights. The Keras CIFAR-10 example puts `l2(1e-4)` on its Conv2D layers only (`weight_decay_on: [conv]`); the
 * default, both kinds, is what netspec did before the field existed (every `kernel` variable).
 */
import type { LayersModel, Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { invariant } from '../diagnostics/diagnostic';
import { IRGraph, OpKind } from '../ir/types';
import { tf } from '../runtime/tf';
import { WeightDecayKind } from './config';

/** The ops that own a kernel, and the layer kind `weight_decay_on` calls them. */
const KERNEL_KINDS: Partial<Record<OpKind, WeightDecayKind>> = { conv2d: 'conv', channel_conv: 'conv', dense: 'dense' };

/** Names of the trainable nodes whose kernel `weight_decay` penalises (the tfjs layer names as well). */
export function decayedNodes(graph: IRGraph, kinds: readonly WeightDecayKind[]): string[] {
  return graph.nodes.filter((n) => n.trainable && kinds.includes(KERNEL_KINDS[n.op]!)).map((n) => n.name);
}

/**
 * The kernel variables of those layers. Every kernel-owning layer netspec builds (Conv2D, Dense, GroupedConv2D,
 * ChannelConv1D) adds its kernel as its first weight, the fact initial seeding relies on too.
 */
export function kernelVariables(model: LayersModel, layers: readonly string[]): Variable[] {
  return layers.map((name) => {
    const kernel = model.getLayer(name).trainableWeights[0];
    invariant(kernel !== undefined, `layer ${name} has no trainable kernel`);
    return kernel.read() as Variable;
  });
}

/**
 * Σ w², whose gradient is the one product 2·dy·w. tfjs differentiates sum(square(w)) op by op: a tensor of ones
 * and three full-size products per kernel and step (for ResNet-20's twenty kernels, ~80 kernel calls). The values
 * are the same: 2 and dy are exact factors either way.
 */
const sumOfSquares = tf.customGrad(((w: Tensor, save: (tensors: Tensor[]) => void) => {
  save([w]);
  return { value: tf.sum(tf.square(w)) as Scalar, gradFunc: (dy: Tensor, [saved]: Tensor[]) => tf.mul(saved, tf.mul(dy, 2)) };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (w: Tensor) => Scalar;

/** Keras' l2(weightDecay) over these kernels: weightDecay · Σ w², its gradient 2 · weightDecay · w. */
export function l2Penalty(kernels: readonly Variable[], weightDecay: number): Scalar {
  return tf.mul(tf.addN(kernels.map((k) => sumOfSquares(k))), weightDecay);
}
