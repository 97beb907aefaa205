/**
 * Weights loaded by name into a freshly built model: `compile --weights` and `train --weights` (the Keras
 * applications' `weights="imagenet"`, a transfer-learning base). The file is opened before the model is built, so a
 * wrong path fails in milliseconds rather than after a ResNet-152 initialisation; `apply` then copies what matches.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import * as path from 'path';
import { TransferReport } from '../backends/tfjs/transfer';
import * as tfjs from '../backends/tfjs';
import { DiagnosticError, userError } from '../diagnostics/diagnostic';
import { IRGraph } from '../ir/types';
import { checkpointWeightSource, compileCheckpoint } from './checkpoint-choice';
import { isRunDir, RUN_FILES } from './run-dir';

export interface InitialWeights {
  /** The file the weights come from (a run's model/ or checkpoint when a run directory was given). */
  source: string;
  /** Copies every weight whose name and shape match; refuses (nothing copied) when some are missing, unless `allowPartial`. */
  apply(model: LayersModel, allowPartial: boolean): TransferReport & { applied: boolean };
  dispose(): void;
}

/** keras.applications' input contract, checked as Keras checks it: before anything is read or built. */
export function checkKerasInput(graph: IRGraph, weights: string): void {
  const error = tfjs.isKerasFile(weights) ? tfjs.kerasInputError(graph, weights) : undefined;
  if (error) throw error;
}

/**
 * Opens `weights` (a weight file, a .ckpt, or a run directory) or the `checkpoint` (best|last of that run, or a .ckpt
 * path): at least one is given. Callers check Keras' input contract first (`checkKerasInput`), before anything slow.
 */
export async function openInitialWeights(graph: IRGraph, weights: string | undefined, checkpoint?: string): Promise<InitialWeights> {
  const chosen = compileCheckpoint(weights, checkpoint);
  const source = chosen ?? (isRunDir(weights!) ? path.join(weights!, RUN_FILES.model) : weights!);
  if (chosen === undefined && tfjs.isTorchWeightsFile(source)) {
    const stateDict = tfjs.readTorchStateDict(source);
    return { source, apply: (model, allowPartial) => tfjs.transferStateDict(model, graph, stateDict, source, { allowPartial }), dispose: () => undefined };
  }
  const opened = chosen !== undefined ? checkpointWeightSource(chosen) : await tfjs.openWeights(source);
  return {
    source,
    apply(model, allowPartial) {
      const named = opened.tensorsFor(model);
      return tfjs.transferFrom(model, named.weights, named.label, { allowPartial });
    },
    dispose: () => opened.dispose(),
  };
}

/** The error for a transfer that copied nothing because weights were missing or had other shapes. */
export function incompleteTransfer(report: TransferReport, source: string, what: string): DiagnosticError {
  return userError('cli/usage', `${report.missing.length} weight(s) missing and ${report.mismatched.length} with another shape in ${source}; ${what}`, {
    hint: 'check that the file was made for the same architecture and naming, or pass --allow-partial (a new head, a base without its top)',
  });
}
