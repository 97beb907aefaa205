import type { LayersModel } from '@tensorflow/tfjs';
import { IRGraph, OpKind } from '../../ir/types';
import { channelConvInitializer, convKernelInitializer, denseKernelInitializer, layerSeed } from './init';

type SeededOp = Extract<OpKind, 'conv2d' | 'dense' | 'channel_conv'>;
const RANDOM_KERNELS: ReadonlySet<SeededOp> = new Set(['conv2d', 'dense', 'channel_conv']);

/**
 * Redraws the random initial weights (conv, dense and ECA kernels; everything else starts constant) from `seed`, each
 * layer from its own seed derived from its name, so that a training run with a given seed starts from the same
 * weights on every machine and every time. A spec with its own `initializer.seed` was drawn from that seed when it
 * was built and keeps those weights: the spec's seed wins over the run's.
 */
export function seedInitialWeights(model: LayersModel, graph: IRGraph, seed: number): void {
  if (graph.settings.initializer.seed === null) redrawKernels(model, graph, seed, RANDOM_KERNELS);
}

/** Redraws the kernels of the nodes whose op is in `ops`, each from `layerSeed(seed, name)`. */
export function redrawKernels(model: LayersModel, graph: IRGraph, seed: number, ops: ReadonlySet<SeededOp>): void {
  for (const node of graph.nodes) {
    if (!(ops as ReadonlySet<OpKind>).has(node.op)) continue;
    const layer = model.getLayer(node.name);
    const [kernel, ...rest] = layer.getWeights();
    const s = layerSeed(seed, node.name);
    const init = node.op === 'conv2d' ? convKernelInitializer(node.attrs, (kernel.shape[2] as number) * node.attrs.groups, s)
      : node.op === 'dense' ? denseKernelInitializer(node.attrs, kernel.shape[0] as number, s) : channelConvInitializer(s);
    const fresh = init.apply(kernel.shape);
    layer.setWeights([fresh, ...rest]);
    fresh.dispose();
  }
}
