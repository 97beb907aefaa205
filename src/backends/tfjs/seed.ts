import type { LayersModel } from '@tensorflow/tfjs';
import { IRGraph } from '../../ir/types';
import { channelConvInitializer, convKernelInitializer, denseKernelInitializer } from './init';

/**
 * Redraws the random initial weights (conv, dense and ECA kernels; everything else starts constant) from `seed`, each
 * layer from its own seed derived from its name, so that a training run with a given seed starts from the same
 * weights on every machine and every time.
 */
export function seedInitialWeights(model: LayersModel, graph: IRGraph, seed: number): void {
  for (const node of graph.nodes) {
    if (node.op !== 'conv2d' && node.op !== 'dense' && node.op !== 'channel_conv') continue;
    const layer = model.getLayer(node.name);
    const [kernel, ...rest] = layer.getWeights();
    const layerSeed = hash(`${seed}:${node.name}`);
    const init = node.op === 'conv2d' ? convKernelInitializer(node.attrs, layerSeed)
      : node.op === 'dense' ? denseKernelInitializer(layerSeed) : channelConvInitializer(layerSeed);
    const fresh = init.apply(kernel.shape);
    layer.setWeights([fresh, ...rest]);
    fresh.dispose();
  }
}

/** FNV-1a: a stable 32-bit seed from a string. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
