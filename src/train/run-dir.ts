/**
 * A run directory holds everything about one training run, so it can be resumed, evaluated and served on its own:
 *
 *   spec.yaml        the fully resolved spec (no `extends`, every --set applied): the model is rebuilt from it
 *   run.json         what defines the run (data, limit, epochs, batch size, --set), classes, normalisation
 *                    statistics, the epoch changes made on resume and the backend of each segment
 *   metrics.jsonl    one line per epoch;  metrics.svg  their plot
 *   checkpoints/     last.ckpt and best.ckpt (weights, optimizer, RNG, schedule, epoch history; each one atomic file)
 *   model/           the latest weights in tfjs Layers format (model.json + weights.bin)
 *
 * netspec writes only these names, and never through a symbolic link: a link in a run directory is refused, so an
 * append or a rename can never land outside it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { isTempPath, removeStaleTempFiles, writeFileAtomicSync, writeJsonAtomicSync } from '../io/atomic';
import { makeDir } from '../io/mkdir';
import { readRegularFile } from '../io/read';
import { NormalizationStats } from './augment';
import type { ValidationSplit } from './data/validation';
import { dataError } from './data/errors';
import type { DiagnosticError } from '../diagnostics/diagnostic';
import { ImageShape } from './data/types';

export const RUN_FILES = {
  spec: 'spec.yaml',
  run: 'run.json',
  metrics: 'metrics.jsonl',
  plot: 'metrics.svg',
  checkpoints: 'checkpoints',
  model: 'model',
} as const;

/** Every path netspec writes in a run directory, relative to it. */
const WRITTEN = [
  ...Object.values(RUN_FILES),
  'checkpoints/last.ckpt', 'checkpoints/best.ckpt', 'model/model.json', 'model/weights.bin',
];

/** What defines a run besides its spec: recorded at the start, taken from here by --resume. */
export interface RunSettings {
  /** The spec as named on the command line (a built-in or a file). */
  spec: string;
  sets: string[];
  data: { path: string; format: string; limit: number | null };
  epochs: number;
  batchSize: number;
}

/** A change made on resume (only the number of epochs may change), kept with when it was made. */
export interface RunChange {
  at: string;
  /** Epochs completed when the change was made. */
  afterEpoch: number;
  epochs: { from: number; to: number };
}

/** One stretch of training by one process: where it started and which backend did the maths. */
export interface RunSegment {
  started: string;
  fromEpoch: number;
  fromStep: number;
  backend: string;
  threads?: number;
}

/** What evaluate and predict need to treat inputs as training did, and what resume needs to continue the run. */
export interface RunInfo {
  name: string;
  created: string;
  data: {
    path: string; format: string; name: string; shape: ImageShape; adapt: { spatial: string | null; channels: string | null };
    /** `data.validation_split` and the seed that chose the subset, for evaluate to take the same one. */
    validation?: ValidationSplit;
  };
  classes: string[];
  input: ImageShape;
  normalization: NormalizationStats;
  fromLogits: boolean;
  /** The training loss, when not categorical cross-entropy: evaluate reports the same loss. */
  loss?: 'binary_crossentropy';
  /** `train --weights`: the file the run's initial weights were loaded from. */
  weights?: { source: string; allowPartial: boolean };
  /** The backend of the first segment (see `segments` for every one). */
  backend: string;
  settings: RunSettings;
  changes: RunChange[];
  segments: RunSegment[];
}

export function isRunDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, RUN_FILES.run)) && fs.existsSync(path.join(dir, RUN_FILES.spec));
}

/** What `train --resume` says, on either engine, when `dir` (or no directory at all) holds no run. */
export function noRunToResume(dir: string | undefined): DiagnosticError {
  return dataError(dir ?? 'runs/', 'no run to resume here', 'name the run directory: netspec train --resume <run-dir> (or --out <run-dir>)');
}

/**
 * `train --resume <run-dir>`: a resumed run's positional argument may name the run directory rather than a spec
 * (the run records its spec). Returns the options with it moved to `out`; anything else is left as it is.
 */
export function withRunDirFromSpec<T extends { spec?: string; out?: string }>(o: T, resuming: boolean): T {
  if (!resuming || o.out !== undefined || o.spec === undefined || !isRunDir(o.spec)) return o;
  return { ...o, out: o.spec, spec: undefined };
}

/**
 * Makes `dir` safe to write a run into: no symbolic links where netspec writes, and no temporary files left by
 * writes that were killed before their rename.
 */
export function prepareRunDir(dir: string): void {
  for (const rel of WRITTEN) {
    const file = path.join(dir, rel);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) {
      throw dataError(file, 'is a symbolic link; netspec writes a run only into files of the run directory itself',
        'replace the link with a plain file or folder, or choose another --out');
    }
  }
  for (const sub of ['', RUN_FILES.checkpoints, RUN_FILES.model]) {
    const d = path.join(dir, sub);
    if (fs.existsSync(d) && fs.lstatSync(d).isDirectory()) removeStaleTempFiles(d);
  }
}

/**
 * A new run may go into a missing or empty folder, or one holding only what a run that was killed before writing
 * run.json left (its spec.yaml, temporary files); never over a run or over someone's files.
 */
export function checkNewRunDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory()) throw dataError(dir, 'exists and is not a folder', 'choose another --out');
  if (fs.existsSync(path.join(dir, RUN_FILES.run))) {
    throw dataError(dir, 'already holds a run', 'add --resume to continue it, or choose another --out');
  }
  const foreign = fs.readdirSync(dir).filter((name) => name !== RUN_FILES.spec && !isTempPath(name));
  if (foreign.length > 0) {
    throw dataError(dir, `is not empty and not a netspec run (it holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''})`,
      'choose a new or empty folder for --out; netspec does not write over other files');
  }
}

export async function writeRunFiles(dir: string, resolvedSpec: Record<string, unknown>, info: RunInfo): Promise<void> {
  await makeDir(dir);
  // The resolved spec stands alone: its base has been merged in already. run.json comes last: it marks a run.
  const { extends: _merged, ...spec } = resolvedSpec;
  writeFileAtomicSync(path.join(dir, RUN_FILES.spec), `# Resolved spec of this run (netspec train writes it; the model is rebuilt from it).\n${stringify(spec)}`);
  writeRunInfo(dir, info);
}

export function writeRunInfo(dir: string, info: RunInfo): void {
  writeJsonAtomicSync(path.join(dir, RUN_FILES.run), info);
}

/**
 * The most netspec reads of run.json or spec.yaml. Both are a few KiB (run.json grows by one line per resume);
 * anything near this is not a file netspec wrote.
 */
export const MAX_RUN_FILE_BYTES = 16 * 1024 ** 2;

/** A text file of the run directory, read bounded: a run.json linked to /dev/zero is an error, not a hang. */
export function readRunFile(dir: string, name: string): string {
  const file = path.join(dir, name);
  const fail = (problem: string, hint?: string) => dataError(file, problem, hint ?? 'restore it from the run, or start a new run');
  return readRegularFile(file, MAX_RUN_FILE_BYTES, fail, `a file of a run directory`).toString('utf8');
}

export function readRunInfo(dir: string): RunInfo {
  const text = readRunFile(dir, RUN_FILES.run);
  try {
    return JSON.parse(text) as RunInfo;
  } catch (e) {
    throw dataError(path.join(dir, RUN_FILES.run), `is not valid JSON (${(e as Error).message})`, 'restore it, or start a new run');
  }
}

/** `runs/<name>-<yyyymmdd-hhmmss>`: a new directory per run unless --out says otherwise. */
export function defaultRunDir(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return path.join('runs', `${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}-${stamp}`);
}
