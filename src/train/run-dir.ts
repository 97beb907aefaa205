/**
 * A run directory holds everything about one training run, so it can be resumed, evaluated and served on its own:
 *
 *   spec.yaml        the fully resolved spec (no `extends`): the model is rebuilt from it
 *   run.json         data, classes, normalisation statistics, backend
 *   metrics.jsonl    one line per epoch;  metrics.svg  their plot
 *   checkpoints/     last.ckpt and best.ckpt (weights, optimizer, RNG, schedule; each one atomic file)
 *   model/           the latest weights in tfjs Layers format (model.json + weights.bin)
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { writeFileAtomicSync, writeJsonAtomicSync } from '../io/atomic';
import { NormalizationStats } from './augment';
import { ImageShape } from './data/types';

export const RUN_FILES = {
  spec: 'spec.yaml',
  run: 'run.json',
  metrics: 'metrics.jsonl',
  checkpoints: 'checkpoints',
  model: 'model',
} as const;

/** What evaluate and predict need to treat inputs as training did. */
export interface RunInfo {
  name: string;
  created: string;
  data: { path: string; format: string; name: string; shape: ImageShape; adapt: { spatial: string | null; channels: string | null } };
  classes: string[];
  input: ImageShape;
  normalization: NormalizationStats;
  fromLogits: boolean;
  backend: string;
}

export function isRunDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, RUN_FILES.run)) && fs.existsSync(path.join(dir, RUN_FILES.spec));
}

export function writeRunFiles(dir: string, resolvedSpec: Record<string, unknown>, info: RunInfo): void {
  fs.mkdirSync(dir, { recursive: true });
  // The resolved spec stands alone: its base has been merged in already.
  const { extends: _merged, ...spec } = resolvedSpec;
  writeFileAtomicSync(path.join(dir, RUN_FILES.spec), `# Resolved spec of this run (netspec train writes it; the model is rebuilt from it).\n${stringify(spec)}`);
  writeJsonAtomicSync(path.join(dir, RUN_FILES.run), info);
}

export function readRunInfo(dir: string): RunInfo {
  return JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.run), 'utf8')) as RunInfo;
}

/** `runs/<name>-<yyyymmdd-hhmmss>`: a new directory per run unless --out says otherwise. */
export function defaultRunDir(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return path.join('runs', `${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}-${stamp}`);
}
