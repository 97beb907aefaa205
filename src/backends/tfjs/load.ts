import type { LayersModel } from '@tensorflow/tfjs';
import { DiagnosticError } from '../../diagnostics/diagnostic';
import { fileHandler, modelFileError, modelJsonPath } from './io/file-handler';
import { markAddsBeforeRelu } from './layers';
import { tf } from '../../runtime/tf';

/**
 * Loads a model saved by `netspec compile` (or any tfjs Layers model.json), custom layers included. A topology tfjs
 * cannot build (an unknown layer class, a hand-edited config) is a problem with the file, reported as one.
 */
export async function loadModel(dirOrModelJson: string): Promise<LayersModel> {
  try {
    const model = await tf.loadLayersModel(fileHandler(dirOrModelJson));
    markAddsBeforeRelu(model);
    return model;
  } catch (e) {
    if (e instanceof DiagnosticError) throw e;
    throw modelFileError(`cannot build the model described by ${modelJsonPath(dirOrModelJson)}: ${(e as Error).message}`,
      'give a tfjs Layers model written by `netspec compile`, `netspec train` or the tensorflowjs converter');
  }
}

/** Saves a model as `dir/model.json` + `dir/weights.bin`, each file written atomically. */
export async function saveModel(model: LayersModel, dir: string): Promise<void> {
  await model.save(fileHandler(dir));
}
