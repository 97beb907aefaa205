/**
 * Save and load tfjs Layers models on the local file system without tfjs-node (whose `file://` handler is the only
 * one tfjs has for Node). The layout is tfjs' own: `model.json` (topology + weights manifest) beside its weight
 * files, so the tensorflowjs converter's output loads here and our output loads in tfjs-node and the browser.
 *
 * Saving writes `weights.bin` first and `model.json` last, each atomically: a reader that finds a model.json finds
 * the weights it names. What is written loads in stock tfjs too (see stock.ts): standard class names, and the
 * layer module beside model.json when the model has custom layers.
 */
import * as path from 'path';
import type { io } from '@tensorflow/tfjs';
import { writeFileAtomic, writeJsonAtomic } from '../../../io/atomic';
import { makeDir } from '../../../io/mkdir';
import { readRegularFile } from '../../../io/read';
import { checkGroupSize, checkManifest, modelFileError, weightFilePath } from './manifest';
import { tf } from '../../../runtime/tf';
import { stockTopology, writeLayerModules } from './stock';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export { modelFileError };

/** `dir/model.json` for a directory, the path itself for a `.json` file. */
export function modelJsonPath(dirOrFile: string): string {
  return dirOrFile.toLowerCase().endsWith('.json') ? dirOrFile : path.join(dirOrFile, MODEL_JSON);
}

/** An IOHandler for `model.save(handler)` and `tf.loadLayersModel(handler)`: a directory or a model.json path. */
export function fileHandler(dirOrFile: string): io.IOHandler {
  const jsonPath = modelJsonPath(dirOrFile);
  return {
    save: (artifacts) => saveArtifacts(jsonPath, artifacts),
    load: () => loadArtifacts(jsonPath),
  };
}

async function saveArtifacts(jsonPath: string, artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) throw modelFileError('graph models in binary form are not supported; save a Layers model');
  const dir = path.dirname(jsonPath);
  await makeDir(dir);
  const chunks = artifacts.weightData === undefined ? [] : [artifacts.weightData].flat().map((b) => new Uint8Array(b));
  await writeFileAtomic(path.join(dir, WEIGHTS_BIN), chunks);
  const topology = stockTopology(artifacts.modelTopology ?? {});
  await writeLayerModules(dir, topology);
  const modelJson: io.ModelJSON = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: topology,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
  };
  await writeJsonAtomic(jsonPath, modelJson);
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

/**
 * The most a model.json may hold. It is topology and a weights manifest only: ResNet-152's is 0.6 MB, and the
 * converter's output for much larger networks stays in single-digit MB.
 */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 ** 2;

/** One weight file: Node reads at most 2 GiB at once, and the converter shards weights into 4 MB files anyway. */
const MAX_WEIGHT_FILE_BYTES = 2 * 1024 ** 3 - 1;

/** Reads model.json and every weight file of its manifest, in manifest order (the converter writes shards). */
export async function loadArtifacts(jsonPath: string): Promise<io.ModelArtifacts> {
  const modelJson = await readModelJson(jsonPath);
  const dir = path.dirname(jsonPath);
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      let groupBytes = 0;
      for (const file of group.paths) {
        const bytes = readFile(weightFilePath(dir, file, jsonPath), `weight file '${file}' listed in ${jsonPath}`, MAX_WEIGHT_FILE_BYTES);
        groupBytes += bytes.byteLength;
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
      checkGroupSize(group, groupBytes, jsonPath);
    }
    return [tf.io.getWeightSpecs(manifest), buffers];
  });
}

async function readModelJson(jsonPath: string): Promise<io.ModelJSON> {
  const text = readFile(jsonPath, 'model file', MAX_MODEL_JSON_BYTES).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw modelFileError(`${jsonPath} is not valid JSON: ${(e as Error).message}`);
  }
  const json = parsed as Partial<io.ModelJSON> | null;
  if (json === null || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw modelFileError(`${jsonPath} is not a tfjs model.json (it needs 'modelTopology' and 'weightsManifest')`,
      'give the model.json written by `netspec compile` or by the tensorflowjs converter');
  }
  checkManifest(json.weightsManifest, jsonPath);
  return json as io.ModelJSON;
}

/** A regular file of at most `maxBytes` (a FIFO or /dev/zero in place of a model file would block or never end). */
function readFile(file: string, what: string, maxBytes: number): Buffer {
  return readRegularFile(file, maxBytes, (problem, hint) => modelFileError(`cannot read ${what} ${file}: ${problem}`, hint), `a ${what}`);
}
