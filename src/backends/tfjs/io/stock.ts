/**
 * What makes a saved model loadable by stock tfjs (`tf.loadLayersModel` from plain @tensorflow/tfjs, no netspec):
 * - A frozen stage's batch norm is written as the standard `BatchNormalization` with `trainable: false`, which is
 *   what Keras writes for a frozen BN. In memory it is a FrozenBatchNormalization (the class the TypeScript
 *   emitter re-creates); netspec's registered BatchNormalization treats `trainable: false` as frozen, so a model
 *   loaded back into netspec keeps the training semantics, and stock tfjs runs the same inference.
 * - SubsamplePad, GroupedConv2D and the attention / drop-path layers have no standard equivalent (see
 *   layers/portable.ts and portable-attention.ts): the model directory gets the layer module beside model.json.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../../../io/atomic';
import { LAYER_MODULE_ESM, LAYER_MODULE_UMD, layerModuleEsm, layerModuleUmd } from '../layers/layer-module';
import { PORTABLE_CLASS_NAMES } from '../layers/portable';
import { ATTENTION_CLASS_NAMES } from '../layers/portable-attention';

/** In-memory class name → the standard class it is written as. */
const WRITTEN_AS: Readonly<Record<string, string>> = { FrozenBatchNormalization: 'BatchNormalization' };

interface LayerJson {
  class_name: string;
  config?: { layers?: LayerJson[] } & Record<string, unknown>;
}

/** The topology with in-memory-only class names replaced by the standard ones (a copy; `topology` is unchanged). */
export function stockTopology<T extends object>(topology: T): T {
  const rename = (layer: LayerJson): LayerJson => ({
    ...layer,
    class_name: WRITTEN_AS[layer.class_name] ?? layer.class_name,
    ...(Array.isArray(layer.config?.layers) ? { config: { ...layer.config, layers: layer.config.layers.map(rename) } } : {}),
  });
  return rename(topology as unknown as LayerJson) as unknown as T;
}

/** The custom classes of portable.ts that a topology uses. */
export function portableClassesIn(topology: object): string[] {
  const found = new Set<string>();
  const visit = (layer: LayerJson) => {
    if (PORTABLE_CLASS_NAMES.includes(layer.class_name) || ATTENTION_CLASS_NAMES.includes(layer.class_name)) found.add(layer.class_name);
    layer.config?.layers?.forEach(visit);
  };
  visit(topology as LayerJson);
  return [...found];
}

/**
 * Writes netspec-layers.js and netspec-layers.umd.js into `dir` when the model needs them, and removes them when it
 * does not (a model saved over another one); returns the names written.
 */
export async function writeLayerModules(dir: string, topology: object): Promise<string[]> {
  if (portableClassesIn(topology).length === 0) {
    for (const file of [LAYER_MODULE_ESM, LAYER_MODULE_UMD]) await fs.promises.rm(path.join(dir, file), { force: true });
    return [];
  }
  await writeFileAtomic(path.join(dir, LAYER_MODULE_ESM), layerModuleEsm());
  await writeFileAtomic(path.join(dir, LAYER_MODULE_UMD), layerModuleUmd());
  return [LAYER_MODULE_ESM, LAYER_MODULE_UMD];
}
