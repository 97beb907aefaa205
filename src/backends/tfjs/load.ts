import type { LayersModel } from '@tensorflow/tfjs';
import { fileHandler } from './io/file-handler';
import './layers';
import { tf } from '../../runtime/tf';

/** Loads a model saved by `netspec compile` (or any tfjs Layers model.json), custom layers included. */
export function loadModel(dirOrModelJson: string): Promise<LayersModel> {
  return tf.loadLayersModel(fileHandler(dirOrModelJson));
}

/** Saves a model as `dir/model.json` + `dir/weights.bin`, each file written atomically. */
export async function saveModel(model: LayersModel, dir: string): Promise<void> {
  await model.save(fileHandler(dir));
}
