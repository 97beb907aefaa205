/**
 * What `--resume` does besides loading a checkpoint: take the run's settings from run.json (a flag that contradicts
 * them is an error; more or fewer --epochs is a recorded change), and bring every artifact of the run to the state of
 * the checkpoint it resumes from, whatever point a kill interrupted: metrics.jsonl is rewritten from the epoch
 * history the checkpoint carries, best.ckpt is re-copied when the kill came between last.ckpt and it, model/ is
 * exported from the checkpoint's weights, and metrics.svg is redrawn.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { saveModel } from '../backends/tfjs/load';
import { DiagnosticError, userError } from '../diagnostics/diagnostic';
import { copyCheckpoint, readCheckpoint, runCheckpointNames } from './checkpoint';
import { SYNTHETIC_PATH } from './data/load';
import { MetricsRecord, metricsText, readMetrics, readMetricsText, writeMetrics } from './metrics';
import { plotRun } from './plot';
import type { BackendChoice } from '../runtime/choices';
import { RUN_FILES, RunChange, RunSegment, RunSettings } from './run-dir';
import { CHECKPOINT_BEST, CHECKPOINT_LAST, CheckpointState, Trainer } from './trainer';

/** What the command line asked for, in the terms of `RunSettings`. */
export interface RequestedSettings {
  spec?: string;
  sets?: string[];
  data?: string;
  limit?: number;
  epochs?: number;
  batchSize?: number;
}

/** `--data` as a run records it: absolute, except the word `synthetic`. */
export function dataPathOf(p: string): string {
  return p === SYNTHETIC_PATH ? p : path.resolve(p);
}

function conflict(runDir: string, what: string, recorded: string, given: string): DiagnosticError {
  return userError('train/resume-conflict', `${what} ${given} contradicts the run, which was started with ${recorded}`, {
    file: runDir,
    hint: `--resume takes it from ${path.join(runDir, RUN_FILES.run)}: drop the flag, or start a new run with another --out`,
  });
}

/** The `--backend` choice that selects each backend a run segment records. */
const CHOICE_OF: Record<string, BackendChoice> = {
  onednn: 'onednn', 'wasm+onednn': 'wasm', wasm: 'wasm', cpu: 'cpu', 'tfjs-node': 'tensorflow', 'tfjs-node-gpu': 'tensorflow',
};

/**
 * The backend and threads a resumed run continues on when no flag says otherwise: those of its last segment, so
 * that it ends bit for bit where an uninterrupted run would (backends round differently).
 */
export function recordedBackend(segments: readonly RunSegment[]): { backend?: BackendChoice; threads?: number; name?: string } {
  const last = segments[segments.length - 1];
  if (last === undefined) return {};
  return { backend: CHOICE_OF[last.backend], threads: last.threads, name: last.backend };
}

/** The recorded settings, checked against the flags given with --resume. Only `epochs` may change. */
export function resumeSettings(runDir: string, recorded: RunSettings, asked: RequestedSettings): RunSettings {
  const shown = (v: unknown) => (v === null || v === undefined ? 'none' : JSON.stringify(v));
  if (asked.spec !== undefined && asked.spec !== recorded.spec) throw conflict(runDir, 'spec', shown(recorded.spec), shown(asked.spec));
  const sets = asked.sets ?? [];
  if (sets.length > 0 && sets.join('\n') !== recorded.sets.join('\n')) {
    throw conflict(runDir, '--set', recorded.sets.length ? recorded.sets.map((s) => `--set ${s}`).join(' ') : 'no --set', sets.map((s) => `--set ${s}`).join(' '));
  }
  if (asked.data !== undefined && dataPathOf(asked.data) !== recorded.data.path) throw conflict(runDir, '--data', recorded.data.path, dataPathOf(asked.data));
  if (asked.limit !== undefined && asked.limit !== recorded.data.limit) throw conflict(runDir, '--limit', shown(recorded.data.limit), String(asked.limit));
  if (asked.batchSize !== undefined && asked.batchSize !== recorded.batchSize) throw conflict(runDir, '--batch-size', String(recorded.batchSize), String(asked.batchSize));
  return { ...recorded, epochs: asked.epochs ?? recorded.epochs };
}

/** A change of --epochs on resume, or an error when the run has already trained past the new end. */
export function epochChange(runDir: string, from: number, to: number, state: Pick<CheckpointState, 'epoch' | 'stepInEpoch'>): RunChange | undefined {
  if (from === to) return undefined;
  const started = state.epoch + (state.stepInEpoch > 0 ? 1 : 0);
  if (to < started) {
    throw userError('train/resume-conflict', `--epochs ${to} is fewer than the run has already trained (${started} epoch${started === 1 ? '' : 's'} begun)`, {
      file: runDir, hint: `give --epochs ${started} or more, or drop --epochs to finish the ${from} the run was started with`,
    });
  }
  return { at: new Date().toISOString(), afterEpoch: state.epoch, epochs: { from, to } };
}

function checkpointEpoch(file: string): number | undefined {
  try {
    return readCheckpoint<CheckpointState>(file).state.epoch;
  } catch {
    return undefined;
  }
}

/** Snapshots of epochs after `epoch` (a resume from best.ckpt trains those epochs again), with their epochs. */
function laterSnapshots(checkpoints: string, epoch: number): [string, number][] {
  const own = new Set<string>([CHECKPOINT_LAST, CHECKPOINT_BEST]);
  return runCheckpointNames(checkpoints)
    .filter((name) => !own.has(name))
    .map((name): [string, number | undefined] => [name, checkpointEpoch(path.join(checkpoints, name))])
    .filter((e): e is [string, number] => e[1] !== undefined && e[1] > epoch);
}

/**
 * Brings the run's artifacts to the state of the checkpoint the trainer resumed from (`resumedFrom`). Returns what
 * it had to repair, for the user to see.
 */
export async function repairRun(runDir: string, trainer: Trainer, model: LayersModel, resumedFrom: string): Promise<string[]> {
  const notes: string[] = [];
  const checkpoints = path.join(runDir, RUN_FILES.checkpoints);
  const state = trainer.loopState;
  // A resume from best.ckpt makes it the newest checkpoint: last.ckpt (damaged, or ahead of it) becomes its copy.
  if (resumedFrom !== CHECKPOINT_LAST) {
    await copyCheckpoint(checkpoints, resumedFrom, CHECKPOINT_LAST);
    notes.push(`${CHECKPOINT_LAST} replaced by a copy of ${resumedFrom}`);
    notes.push(...laterSnapshots(checkpoints, state.epoch).map(([name, epoch]) =>
      `warning: ${name} is of epoch ${epoch}, which this run trains again from epoch ${state.epoch + 1}; kept, and replaced if the pattern gives the new epoch ${epoch} the same name`));
  }
  const metricsFile = path.join(runDir, RUN_FILES.metrics);
  let onDisk: MetricsRecord[] = [];
  let text: string | undefined;
  try {
    text = readMetricsText(metricsFile);
    onDisk = readMetrics(metricsFile);
  } catch {
    // A damaged file is rewritten below like a stale one.
  }
  const history = state.history as unknown as MetricsRecord[];
  // Byte for byte, not record by record: a torn last line after the checkpoint's records must go too, or the next
  // append would glue onto it.
  if ((text ?? '') !== metricsText(history)) {
    writeMetrics(metricsFile, history);
    notes.push(`${RUN_FILES.metrics} rewritten from the checkpoint (${onDisk.length} → ${history.length} epochs)`);
  }
  const bestFile = path.join(checkpoints, CHECKPOINT_BEST);
  const best = state.best;
  if (best !== undefined && checkpointEpoch(bestFile) !== best.epoch) {
    const tracked = `the best ${best.monitor} so far (${best.value.toPrecision(4)})`;
    if (best.epoch === state.epoch && state.stepInEpoch === 0) {
      await copyCheckpoint(checkpoints, CHECKPOINT_LAST, CHECKPOINT_BEST);
      notes.push(`${CHECKPOINT_BEST} brought to epoch ${best.epoch}, ${tracked}`);
    } else {
      notes.push(`warning: ${CHECKPOINT_BEST} is not the checkpoint of epoch ${best.epoch}, ${tracked}, and cannot be rebuilt; it is replaced when an epoch improves on it`);
    }
  }
  // The snapshot of the checkpoint's epoch, when a kill came between last.ckpt and it.
  const snapshot = state.stepInEpoch === 0 && state.history.length > 0 ? trainer.snapshotName(state.history[state.history.length - 1]) : undefined;
  if (snapshot !== undefined && checkpointEpoch(path.join(checkpoints, snapshot)) !== state.epoch) {
    await copyCheckpoint(checkpoints, CHECKPOINT_LAST, snapshot);
    notes.push(`${snapshot} written (the snapshot of epoch ${state.epoch})`);
  }
  await saveModel(model, path.join(runDir, RUN_FILES.model));
  if (fs.existsSync(metricsFile)) plotRun(runDir);
  return notes;
}
