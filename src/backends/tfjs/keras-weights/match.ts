/**
 * Puts a Keras file's weights under the names of a netspec model's weights (`layer/weight`), so the one transfer
 * report (missing, unexpected, mismatched) covers Keras files as it covers tfjs ones.
 *
 * By layer name when the file's names are netspec's (keras.applications names, Caffe names): weights pair up by
 * position inside a layer, Keras and tfjs both ordering them kernel, bias / gamma, beta, moving_mean,
 * moving_variance. When no name matches, the file comes from a model whose layers Keras named itself (`conv2d_7`,
 * the CIFAR-10 example): layers then pair up in model order among layers of the same weight shapes, what Keras'
 * own `load_weights` does by topological order. Keras and netspec may list a block's shortcut conv at different
 * places, but it never has the shapes of its neighbours in the main branch, so the pairing holds; the transfer
 * report says which rule was used.
 */
import type { LayersModel, NamedTensorMap } from '@tensorflow/tfjs';
import { tf } from '../../../runtime/tf';
import { KerasLayer, KerasWeightFile } from './read';

export interface KerasMatch {
  weights: NamedTensorMap;
  by: 'layer name' | 'layer order';
}

type Layer = LayersModel['layers'][number];

const signature = (shapes: number[][]) => JSON.stringify(shapes);

export function matchKerasWeights(model: LayersModel, file: KerasWeightFile): KerasMatch {
  const layers = model.layers.filter((l) => l.weights.length > 0);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const by = file.layers.some((l) => byName.has(l.name)) ? 'layer name' : 'layer order';
  const pairs: Array<[KerasLayer, Layer | undefined]> = by === 'layer name' ? file.layers.map((l) => [l, byName.get(l.name)]) : pairInOrder(file.layers, layers);
  const weights: NamedTensorMap = {};
  for (const [source, target] of pairs) {
    source.weights.forEach((w, i) => {
      const name = target?.weights[i]?.originalName ?? `${source.name}/${w.name}`;
      weights[name] = tf.tensor(w.values, w.shape, 'float32');
    });
  }
  return { weights, by };
}

function pairInOrder(sources: KerasLayer[], targets: Layer[]): Array<[KerasLayer, Layer | undefined]> {
  const queues = new Map<string, Layer[]>();
  for (const t of targets) {
    const key = signature(t.weights.map((w) => w.shape as number[]));
    queues.set(key, [...(queues.get(key) ?? []), t]);
  }
  return sources.map((s) => [s, queues.get(signature(s.weights.map((w) => w.shape)))?.shift()]);
}
