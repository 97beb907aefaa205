/**
 * Which kernels the L2 penalty covers, read from the IR: a node's op says what kind of layer it is, so the set
 * follows the network (stem, block and shortcut convs, ECA's channel conv, the classifier and head dense layers)
 * and never a weight-name pattern. Frozen nodes are left out, as Keras 3 adds regularisation only for trainable
 * weights. The Keras CIFAR-10 example puts `l2(1e-4)` on its Conv2D layers only (`weight_decay_on: [conv]`); the
 * default, both kinds, is what netspec did before the field existed (every `kernel` variable).
 */
import type { LayersModel, Variable } from '@tensorflow/tfjs';
import { invariant } from '../diagnostics/diagnostic';
import { IRGraph, OpKind } from '../ir/types';
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
