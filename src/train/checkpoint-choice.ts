/**
 * `--checkpoint best|last|PATH` of evaluate, predict, export and compile --weights: which checkpoint of a run (or
 * which checkpoint file) supplies the weights. `best` and `last` are the run's best.ckpt and last.ckpt; anything else
 * is a file path, or the name of a file in the run's checkpoints/ (a snapshot such as `epoch-010.ckpt`). A name that
 * is not there is an error listing the checkpoints the run has, with a did-you-mean.
 */
import type { LayersModel, NamedTensorMap } from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { transferFrom, WeightSource } from '../backends/tfjs/transfer';
import { userError } from '../diagnostics/diagnostic';
import { closest } from '../diagnostics/suggest';
import { tf } from '../runtime/tf';
import { checkpointError, readCheckpoint, runCheckpointNames } from './checkpoint';
import { isRunDir, RUN_FILES } from './run-dir';
import { CHECKPOINT_BEST, CHECKPOINT_LAST, CheckpointState } from './trainer';

/** The torch engine's own checkpoint (torch.save format): listed, but not one netspec reads. */
const TORCH_CHECKPOINT = 'torch-last.ckpt';

/** The file `--checkpoint <choice>` names, for a run directory (or none: then only a file path will do). */
export function checkpointFile(choice: string, runDir: string | undefined): string {
  const run = runDir !== undefined && isRunDir(runDir) ? runDir : undefined;
  const keyword = choice === 'best' ? CHECKPOINT_BEST : choice === 'last' ? CHECKPOINT_LAST : undefined;
  if (keyword === undefined && fs.existsSync(choice)) return choice;
  if (run === undefined) {
    throw userError('cli/usage', keyword !== undefined
      ? `--checkpoint ${choice} needs a run directory (from netspec train)${runDir === undefined ? '' : `; ${runDir} is not one`}`
      : `--checkpoint ${choice}: no such file`, { hint: 'give a run directory, or the path of a .ckpt file' });
  }
  const name = keyword ?? choice;
  const file = path.join(run, RUN_FILES.checkpoints, name);
  if (!path.isAbsolute(name) && !name.includes('/') && fs.existsSync(file)) return file;
  const have = runCheckpointNames(path.join(run, RUN_FILES.checkpoints));
  const readable = have.filter((n) => n !== TORCH_CHECKPOINT);
  const guess = keyword === undefined ? closest(choice, ['best', 'last', ...readable]) : undefined;
  const torch = have.includes(TORCH_CHECKPOINT)
    ? `; ${TORCH_CHECKPOINT} is the torch engine's own format, and the run's model/ holds its last weights (drop --checkpoint)` : '';
  const hint = readable.length === 0
    ? `the run has no checkpoint netspec reads${torch || ' yet: one is written after every epoch'}`
    : `the run has ${readable.join(', ')}${guess === undefined ? '' : `; did you mean '${guess}'?`}${torch}`;
  throw userError('checkpoint/missing', `no checkpoint ${keyword ?? choice} in ${path.join(run, RUN_FILES.checkpoints)}`, { file, hint });
}

/** A checkpoint's model weights by name, with the epoch it was written after. The caller disposes the tensors. */
export function checkpointWeights(file: string): { weights: NamedTensorMap; epoch: number; stepInEpoch: number } {
  const ckpt = readCheckpoint<CheckpointState>(file);
  const weights: NamedTensorMap = {};
  ckpt.model.forEach((e, i) => {
    weights[e.name] = tf.tensor(ckpt.modelValues[i], e.shape);
  });
  return { weights, epoch: ckpt.state.epoch, stepInEpoch: ckpt.state.stepInEpoch };
}

/** What a loaded checkpoint was: for the command's report. */
export interface LoadedCheckpoint {
  file: string;
  epoch: number;
  stepInEpoch: number;
}

/** `after epoch 3`, or `in epoch 4 after step 2` for a checkpoint saved by Ctrl-C. */
export const describeCheckpoint = (c: LoadedCheckpoint): string =>
  `${c.file} (${c.stepInEpoch === 0 ? `after epoch ${c.epoch}` : `epoch ${c.epoch + 1}, after step ${c.stepInEpoch}`})`;

/** A checkpoint as `compile --weights` reads weight files: by name, with a label for the transfer report. */
export function checkpointWeightSource(file: string): WeightSource {
  const { weights, epoch, stepInEpoch } = checkpointWeights(file);
  const label = describeCheckpoint({ file, epoch, stepInEpoch });
  return { tensorsFor: () => ({ weights, label }), dispose: () => tf.dispose(weights) };
}

/**
 * Where `compile --weights W [--checkpoint C]` takes a checkpoint from: C of the run W (or the file C), or W itself
 * when it is a .ckpt file. Undefined: W is another kind of weight file (or a run, whose model/ is read).
 */
export function compileCheckpoint(weights: string | undefined, choice: string | undefined): string | undefined {
  if (choice === undefined) return weights !== undefined && weights.endsWith('.ckpt') ? weights : undefined;
  if (weights !== undefined && !isRunDir(weights)) {
    throw userError('cli/usage', `--checkpoint picks a checkpoint of the run given to --weights, and ${weights} is not a run directory`,
      { hint: 'give --weights <run-dir> --checkpoint best|last, or a .ckpt file to --weights alone' });
  }
  return checkpointFile(choice, weights);
}

/** Replaces every weight of `model` with the checkpoint's; a checkpoint of another architecture is an error. */
export function loadCheckpointInto(model: LayersModel, file: string): LoadedCheckpoint {
  const { weights, epoch, stepInEpoch } = checkpointWeights(file);
  try {
    const report = transferFrom(model, weights, file);
    if (!report.applied || report.unexpected.length > 0) {
      const first = report.missing[0] ?? report.mismatched[0]?.name ?? report.unexpected[0];
      throw checkpointError(file, `does not fit this model: ${report.missing.length} weight(s) missing, ${report.mismatched.length} with another shape, ${report.unexpected.length} unexpected (first: ${first})`,
        'a checkpoint loads into the model of the run that wrote it');
    }
  } finally {
    tf.dispose(weights);
  }
  return { file, epoch, stepInEpoch };
}
