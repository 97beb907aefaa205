/**
 * `netspec train` without the terminal: resolve the spec and its training section, read and adapt the data, pick
 * the backend, build the model, and run (or resume) the trainer, writing the run directory as it goes.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../io/package-root';
import { BackendChoice, BackendInfo, selectBackend } from '../runtime/backend';
import { expectMemoryNeed } from '../runtime/memory-need';
import { optimizerSlots, trainingMemory } from '../ir/memory';
import { buildLayersModel } from '../backends/tfjs/build';
import { saveModel } from '../backends/tfjs/load';
import { seedInitialWeights } from '../backends/tfjs/seed';
import { formatTransferReport } from '../backends/tfjs/transfer';
import { Diagnostic, DiagnosticError, hasErrors, userError } from '../diagnostics/diagnostic';
import { originOf } from '../spec/merge';
import { compileSpec, compileSpecText, CompileResult } from '../ir/compile';
import { IRGraph } from '../ir/types';
import { augmentBatch, computeNormalization, normalize } from './augment';
import { fromWire, TrainingConfig, TrainingWire, trainingDiagnostics } from './config';
import { dataError } from './data/errors';
import { Dataset, ImageShape } from './data/types';
import { bestRule, BestRule } from './best';
import { readCheckpoint } from './checkpoint';
import { appendMetrics, MetricsRecord } from './metrics';
import { plotRun } from './plot';
import { headLoss, headLossDiagnostics } from './head-loss';
import { loadRunData } from './run-data';
import { checkKerasInput, incompleteTransfer, InitialWeights, openInitialWeights } from './initial-weights';
import { dataPathOf, epochChange, recordedBackend, repairRun, resumeSettings } from './resume';
import { patternFields, snapshotName } from './snapshot-name';
import {
  checkNewRunDir, defaultRunDir, isRunDir, prepareRunDir, readRunFile, readRunInfo, RUN_FILES, RunInfo, RunSegment, RunSettings, noRunToResume, withRunDirFromSpec, writeRunFiles, writeRunInfo,
} from './run-dir';
import { LrScheduler, LrSchedulerState } from './schedules';
import { decayedNodes } from './weight-decay';
import { CHECKPOINT_BEST, CHECKPOINT_LAST, CheckpointState, EpochMetrics, LoopSchedule, StepInfo, Trainer, TrainResult } from './trainer';

/** The Fashion-MNIST subset shipped with netspec: what `netspec train` uses when no data is named. */
export const BUNDLED_DATA = path.join(packageRoot, 'data', 'fashion-mnist-small');
export const DEFAULT_TRAIN_SPEC = 'fashion/resnet8';

export interface TrainRunOptions {
  spec?: string;
  sets?: string[];
  /** `--allow-path`: folders beyond the spec's own that its extends may read. */
  allowPaths?: string[];
  data?: string;
  epochs?: number;
  limit?: number;
  batchSize?: number;
  out?: string;
  resume?: boolean;
  /** Which checkpoint of the run to continue from (implies resume); default last. */
  resumeFrom?: 'last' | 'best';
  backend?: BackendChoice;
  threads?: number;
  /** `--weights`: start a new run from these weights, loaded by name (a Keras file, a run, a checkpoint…). */
  weights?: string;
  /** With `weights`: start even when some of the model's weights are not in the file (a new head). */
  allowPartial?: boolean;
}

export interface TrainRunEvents {
  onStart?(info: {
    runDir: string; backend: BackendInfo; graph: IRGraph; train: Dataset; test?: Dataset; config: TrainingConfig;
    resumedAt?: number; repaired?: string[]; best: BestRule & { note?: string };
    /** What `--weights` loaded, as `compile --weights` reports it. */
    loadedWeights?: string;
  }): void;
  onStep?(info: StepInfo): void;
  onEpoch?(metrics: EpochMetrics, epochs: number): void;
}

export interface TrainRun {
  trainer: Trainer;
  result: Promise<TrainResult & { runDir: string }>;
}

/** Prepares everything (errors surface here, before any training) and starts the run. */
export async function startTraining(options: TrainRunOptions, events: TrainRunEvents = {}): Promise<TrainRun> {
  const resuming = !!options.resume || options.resumeFrom !== undefined;
  const o = withRunDirFromSpec(options, resuming);
  const runDir = o.out ?? (resuming ? latestRunDir(o.spec ?? DEFAULT_TRAIN_SPEC) : undefined);
  if (resuming && (!runDir || !isRunDir(runDir))) {
    throw noRunToResume(runDir);
  }
  if (!resuming && runDir) checkNewRunDir(runDir);
  if (resuming && o.weights !== undefined) {
    throw userError('train/resume-conflict', `--weights ${o.weights} starts a new run; a resumed run continues from its own checkpoint`, {
      hint: 'drop --weights to resume, or start a new run with another --out',
    });
  }
  const recorded = resuming ? readRunInfo(runDir!) : undefined;
  if (recorded && !recorded.settings) {
    throw dataError(path.join(runDir!, RUN_FILES.run), 'was written by an older netspec and does not record the settings of the run', 'start a new run');
  }
  const specName = o.spec === undefined ? undefined : fs.existsSync(o.spec) ? path.resolve(o.spec) : o.spec;
  // On resume the run's spec.yaml already has every --set of the run applied.
  const compiled = resuming
    ? compileSpecText(readRunFile(runDir!, RUN_FILES.spec), path.join(runDir!, RUN_FILES.spec))
    : compileSpec(o.spec ?? DEFAULT_TRAIN_SPEC, { sets: o.sets, allowPaths: o.allowPaths });
  const graph = requireGraph(compiled);
  const base = fromWire(compiled.raw!.train as TrainingWire);
  const settings: RunSettings = recorded
    ? resumeSettings(runDir!, recorded.settings, { ...o, spec: specName })
    : {
      spec: specName ?? DEFAULT_TRAIN_SPEC,
      sets: o.sets ?? [],
      data: { path: dataPathOf(o.data ?? base.data.path ?? BUNDLED_DATA), format: base.data.format, limit: o.limit ?? base.data.limit },
      epochs: o.epochs ?? base.epochs,
      batchSize: o.batchSize ?? base.batchSize,
    };
  const config = trainingConfig(compiled, base, settings);
  const dir = runDir ?? defaultRunDir(graph.name);
  if (fs.existsSync(dir)) prepareRunDir(dir);

  const dataPath = settings.data.path;
  const input = graph.input as ImageShape;
  const { splits, train, test, validation } = await loadRunData(graph, config, dataPath, graph.nodes[graph.nodes.length - 1].shape.slice(-1)[0]);

  // Before the first step: a run that cannot fit is refused now, and an allocation failing later quotes this.
  const batch = Math.min(config.batchSize, train.size);
  const need = trainingMemory(graph, { batch, optimizerSlots: optimizerSlots(config.optimizer) });
  expectMemoryNeed({ bytes: need.total, what: `training ${graph.name} at batch ${batch}` });
  if (o.weights !== undefined) checkKerasInput(graph, o.weights);
  const { backend, threads } = await runBackend(o, recorded?.segments ?? []);
  // Opened before the build: a wrong path fails in milliseconds, not after a ResNet-152 initialisation.
  const initial = o.weights !== undefined ? await openInitialWeights(graph, o.weights) : undefined;
  const model = buildLayersModel(graph);
  seedInitialWeights(model, graph, config.seed);
  const loadedWeights = initial && loadInitialWeights(model, initial, !!o.allowPartial);
  const { type: loss, fromLogits } = headLoss(graph, config.loss);
  const normalization = recorded ? recorded.normalization : computeNormalization(train, config.augment.normalize);
  const stepsPerEpoch = Math.ceil(train.size / config.batchSize);
  const best = bestRule(config.checkpoint, test !== undefined);
  checkSnapshotData(config, test !== undefined, dataPath);
  const { every, pattern } = config.checkpoint;
  const checkpoints = path.join(dir, RUN_FILES.checkpoints);
  const trainer = new Trainer(model, {
    epochs: config.epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    optimizer: config.optimizer,
    schedule: loopSchedule(config, stepsPerEpoch),
    weightDecay: config.weightDecay,
    decayed: decayedNodes(graph, config.weightDecayOn),
    labelSmoothing: config.labelSmoothing,
    loss,
    fromLogits,
    trainTransform: (rng) => (x, _n, shape) => augmentBatch(x, shape, config.augment, normalization, rng.get('augment')),
    evalTransform: (x) => normalize(x, normalization),
    backend: backend.name,
    best,
    snapshot: (m) => (every > 0 && m.epoch % every === 0 ? snapshotName(pattern, m) : undefined),
  }, checkpoints);

  let resumedAt: number | undefined;
  let repaired: string[] | undefined;
  const segment = (): RunSegment => ({
    started: new Date().toISOString(), fromEpoch: trainer.loopState.epoch, fromStep: trainer.loopState.stepInEpoch, backend: backend.name,
    ...(threads !== undefined ? { threads } : {}),
  });
  if (recorded) {
    const from = o.resumeFrom === 'best' ? CHECKPOINT_BEST : CHECKPOINT_LAST;
    // A run killed before its first checkpoint starts again from step 0, with the settings it recorded.
    if (fs.existsSync(path.join(checkpoints, from)) || from !== CHECKPOINT_LAST) {
      await resumeTrainer(trainer, checkpoints, from);
      resumedAt = trainer.epoch;
    }
    const change = epochChange(dir, recorded.settings.epochs, settings.epochs, trainer.loopState);
    repaired = resumedAt === undefined
      ? [`no checkpoint yet (the run stopped before its first one): training starts again from epoch 1, step 1, with the settings the run recorded`]
      : await repairRun(dir, trainer, model, from);
    writeRunInfo(dir, {
      ...recorded,
      settings,
      changes: change ? [...recorded.changes, change] : recorded.changes,
      segments: [...recorded.segments, segment()],
    });
  } else {
    const info: RunInfo = {
      name: graph.name,
      created: new Date().toISOString(),
      data: { path: dataPath, format: splits.format, name: train.name, shape: splits.train.shape, adapt: config.data.adapt, ...(validation ? { validation } : {}) },
      classes: train.classes,
      input,
      normalization,
      fromLogits,
      ...(loss === 'binary_crossentropy' ? { loss } : {}),
      ...(initial ? { weights: { source: path.resolve(initial.source), allowPartial: !!o.allowPartial } } : {}),
      backend: backend.name,
      settings,
      changes: [],
      segments: [segment()],
    };
    await writeRunFiles(dir, compiled.raw!, info);
  }
  events.onStart?.({ runDir: dir, backend, graph, train, test, config, resumedAt, repaired, best, loadedWeights });

  const result = trainer.run(train, test, {
    onStep: events.onStep,
    onEpoch: async (m) => {
      appendMetrics(path.join(dir, RUN_FILES.metrics), m as unknown as MetricsRecord);
      await saveModel(model, path.join(dir, RUN_FILES.model));
      plotRun(dir);
      events.onEpoch?.(m, config.epochs);
    },
  }).then(async (r) => {
    if (r.reason === 'interrupted') await saveModel(model, path.join(dir, RUN_FILES.model));
    return { ...r, runDir: dir };
  });
  return { trainer, result };
}

/**
 * Loads the checkpoint; a damaged last.ckpt is never used, and when best.ckpt is intact the error says so and how
 * to continue from it (netspec does not fall back on its own: that would silently drop epochs).
 */
async function resumeTrainer(trainer: Trainer, checkpoints: string, from: string): Promise<void> {
  try {
    await trainer.resume(from);
  } catch (e) {
    if (!(e instanceof DiagnosticError) || e.diagnostics[0].code !== 'checkpoint/invalid' || from !== CHECKPOINT_LAST) throw e;
    let best: number | undefined;
    try {
      best = readCheckpoint<CheckpointState>(path.join(checkpoints, CHECKPOINT_BEST)).state.epoch;
    } catch {
      throw e;
    }
    const d = e.diagnostics[0];
    throw new DiagnosticError([{ ...d, hint: `${CHECKPOINT_BEST} is intact (after epoch ${best}): continue from it with --resume-from best` }]);
  }
}

/** A snapshot pattern naming `val_` metrics needs data with a test split. */
export function checkSnapshotData(config: TrainingConfig, hasTest: boolean, dataPath: string): void {
  const { every, pattern } = config.checkpoint;
  const missing = every > 0 && !hasTest ? patternFields(pattern).filter((f) => f.startsWith('val_')) : [];
  if (missing.length > 0) {
    throw dataError(dataPath, `has no test split, so the snapshot pattern's {${missing[0]}} has no value`, `use training metrics in train.checkpoint.pattern (e.g. {${missing[0].slice(4)}}), or data with a test split`);
  }
}

function requireGraph(compiled: CompileResult): IRGraph {
  if (!compiled.graph || hasErrors(compiled.diagnostics)) throw new DiagnosticError(compiled.diagnostics, compiled.sources);
  return compiled.graph;
}

/** Copies the weights `--weights` names into the new model; returns the report to print. */
function loadInitialWeights(model: LayersModel, initial: InitialWeights, allowPartial: boolean): string {
  try {
    const report = initial.apply(model, allowPartial);
    if (!report.applied) throw incompleteTransfer(report, initial.source, 'training not started');
    return formatTransferReport(report);
  } finally {
    initial.dispose();
  }
}

/** The spec's `train:` section (validated and defaulted with the spec) with the run's settings applied. */
/** The spec's training section with the run's epochs, limit and batch size, checked as validate checks it. */
export function trainingConfig(compiled: CompileResult, config: TrainingConfig, settings: Pick<RunSettings, 'epochs' | 'batchSize'> & { data: Pick<RunSettings['data'], 'limit'> }): TrainingConfig {
  config.epochs = settings.epochs;
  config.data.limit = settings.data.limit;
  config.batchSize = settings.batchSize;
  const found = [...trainingDiagnostics(config), ...(compiled.graph ? headLossDiagnostics(compiled.graph, config.loss) : [])];
  const problems: Diagnostic[] = found.map((d) => ({ ...d, location: originOf(compiled.origins, d.pointer) }));
  if (hasErrors(problems)) throw new DiagnosticError(problems, compiled.sources);
  return config;
}

function loopSchedule(config: TrainingConfig, stepsPerEpoch: number): LoopSchedule {
  let scheduler = new LrScheduler(config, stepsPerEpoch);
  return {
    rate: (epoch, step) => scheduler.lrAt(epoch, step),
    epochEnd: (epoch, metrics) => void scheduler.endEpoch(epoch, metrics),
    state: () => scheduler.state(),
    restore: (state) => {
      scheduler = new LrScheduler(config, stepsPerEpoch, state as LrSchedulerState);
    },
  };
}

/** The most recently modified `runs/<name>-*` directory, for `--resume` without `--out`. */
function latestRunDir(spec: string): string | undefined {
  if (!fs.existsSync('runs')) return undefined;
  const prefix = path.basename(spec).replace(/\.ya?ml$/, '');
  const candidates = fs.readdirSync('runs')
    .map((d) => path.join('runs', d))
    .filter((d) => isRunDir(d) && (readRunInfo(d).name.includes(prefix) || path.basename(d).includes(prefix)));
  candidates.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return candidates[0];
}

/**
 * The backend of this stretch of the run: the flag's, else on resume the one the run last trained on (with the
 * threads it recorded), else auto; and the threads to record, where chosen. A recorded backend this machine lacks
 * falls back to auto, and the backend line says so.
 */
async function runBackend(o: { backend?: BackendChoice; threads?: number }, segments: readonly RunSegment[]): Promise<{ backend: BackendInfo; threads?: number }> {
  const previous = o.backend === undefined ? recordedBackend(segments) : {};
  const threads = o.threads ?? previous.threads;
  if (previous.backend === undefined) return { backend: await selectBackend({ backend: o.backend, threads }), threads };
  try {
    return { backend: await selectBackend({ backend: previous.backend, threads }), threads };
  } catch (err) {
    if (!(err instanceof DiagnosticError)) throw err;
    const info = await selectBackend({ backend: 'auto', threads });
    const why = `the run trained on ${previous.name}, unavailable here: results differ from an uninterrupted run's by float rounding`;
    return { backend: { ...info, description: `${info.description} (${why})` }, threads };
  }
}
