/**
 * A trained model as evaluate and predict use it: the network, and how its inputs were prepared in training
 * (normalisation, class names, shape adaptation), read from a run directory. A bare model.json works too, with no
 * normalisation and classes numbered. `--checkpoint` puts a checkpoint's weights into that network.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { inferenceModel } from '../backends/tfjs/inference';
import { loadModel } from '../backends/tfjs/load';
import { NormalizationStats } from './augment';
import { checkpointFile, LoadedCheckpoint, loadCheckpointInto } from './checkpoint-choice';
import { dataError } from './data/errors';
import { ImageShape } from './data/types';
import { isRunDir, readRunInfo, RUN_FILES, RunInfo } from './run-dir';

export interface ServedModel {
  model: LayersModel;
  input: ImageShape;
  classes?: string[];
  normalization: NormalizationStats;
  fromLogits: boolean;
  loss?: RunInfo['loss'];
  run?: RunInfo;
  /** The checkpoint the weights came from (`--checkpoint`); none: the run's model/ or the model.json's own. */
  checkpoint?: LoadedCheckpoint;
}

/** `checkpoint`: `--checkpoint best|last|PATH` (see checkpoint-choice.ts). */
export async function loadServedModel(target: string, checkpoint?: string): Promise<ServedModel> {
  if (!fs.existsSync(target)) throw dataError(target, 'no such run directory or model file', 'give a run directory (runs/…) or a model.json');
  const run = isRunDir(target) ? readRunInfo(target) : undefined;
  // Resolved before the model loads, so a wrong name fails at once with the names the run has.
  const file = checkpoint === undefined ? undefined : checkpointFile(checkpoint, run ? target : undefined);
  const trained = await loadModel(run ? path.join(target, RUN_FILES.model) : target);
  const loaded = file === undefined ? undefined : loadCheckpointInto(trained, file);
  const input = (trained.inputs[0].shape as number[]).slice(1) as ImageShape;
  const lastLayer = trained.layers[trained.layers.length - 1] as unknown as { getConfig(): { activation?: string } };
  const activation = lastLayer.getConfig().activation;
  // Batch norms folded into the convolutions, ReLUs fused: the same outputs, fewer passes over memory.
  const model = inferenceModel(trained);
  trained.dispose();
  return {
    model,
    input,
    classes: run?.classes,
    normalization: run?.normalization ?? { kind: 'none' },
    fromLogits: run?.fromLogits ?? activation === 'linear',
    loss: run?.loss,
    run,
    ...(loaded ? { checkpoint: loaded } : {}),
  };
}
