/**
 * `netspec train` without the terminal: resolve the spec and its training section, read and adapt the data, pick
 * the backend, build the model, and run (or resume) the trainer, writing the run directory as it goes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../io/package-root';
import { BackendChoice, BackendInfo, selectBackend } from '../runtime/backend';
import { buildLayersModel } from '../backends/tfjs/build';
import { saveModel } from '../backends/tfjs/load';
import { seedInitialWeights } from '../backends/tfjs/seed';
import { Diagnostic, DiagnosticError, hasErrors } from '../diagnostics/diagnostic';
import { originOf } from '../spec/merge';
import { compileSpec, compileSpecText, CompileResult } from '../ir/compile';
import { IRGraph } from '../ir/types';
import { augmentBatch, computeNormalization, normalize } from './augment';
import { fromWire, TrainingConfig, TrainingWire, trainingDiagnostics } from './config';
import { adaptDataset } from './data/adapt';
import { dataError } from './data/errors';
import { loadData, SYNTHETIC_PATH } from './data/load';
import { Dataset, ImageShape } from './data/types';
import { appendMetrics, truncateMetrics } from './metrics';
import { plotRun } from './plot';
import { defaultRunDir, isRunDir, readRunInfo, RUN_FILES, RunInfo, writeRunFiles } from './run-dir';
import { LrScheduler, LrSchedulerState } from './schedules';
import { EpochMetrics, LoopSchedule, StepInfo, Trainer, TrainResult } from './trainer';

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
  backend?: BackendChoice;
  threads?: number;
}

export interface TrainRunEvents {
  onStart?(info: { runDir: string; backend: BackendInfo; graph: IRGraph; train: Dataset; test?: Dataset; config: TrainingConfig; resumedAt?: number }): void;
  onStep?(info: StepInfo): void;
  onEpoch?(metrics: EpochMetrics, epochs: number): void;
}

export interface TrainRun {
  trainer: Trainer;
  result: Promise<TrainResult & { runDir: string }>;
}

/** Prepares everything (errors surface here, before any training) and starts the run. */
export async function startTraining(o: TrainRunOptions, events: TrainRunEvents = {}): Promise<TrainRun> {
  const resuming = !!o.resume;
  const runDir = o.out ?? (resuming ? latestRunDir(o.spec ?? DEFAULT_TRAIN_SPEC) : undefined);
  if (resuming && (!runDir || !isRunDir(runDir))) {
    throw dataError(runDir ?? 'runs/', 'no run to resume here', 'name the run directory with --out <run-dir>');
  }
  const compiled = resuming
    ? compileSpecText(fs.readFileSync(path.join(runDir!, RUN_FILES.spec), 'utf8'), path.join(runDir!, RUN_FILES.spec), { sets: o.sets, allowPaths: o.allowPaths })
    : compileSpec(o.spec ?? DEFAULT_TRAIN_SPEC, { sets: o.sets, allowPaths: o.allowPaths });
  const graph = requireGraph(compiled);
  const config = trainingConfig(compiled, o);
  const dir = runDir ?? defaultRunDir(graph.name);

  const dataPath = o.data ?? config.data.path ?? BUNDLED_DATA;
  const input = graph.input as ImageShape;
  const classes = graph.nodes[graph.nodes.length - 1].shape.slice(-1)[0];
  const splits = loadData(dataPath, {
    format: config.data.format,
    limit: config.data.limit ?? undefined,
    cifar100Label: config.data.cifar100Label,
    synthetic: { shape: input, classes },
  });
  if (!splits.train) throw dataError(dataPath, 'has no training split', 'point --data at a folder with training files');
  const adapt = { spatial: config.data.adapt.spatial ?? undefined, channels: config.data.adapt.channels ?? undefined };
  const train = adaptDataset(splits.train, input, adapt);
  const test = splits.test ? adaptDataset(splits.test, input, adapt) : undefined;
  const head = graph.nodes.find((n) => n.op === 'dense');
  if (head && head.op === 'dense' && head.attrs.units !== train.classes.length) {
    throw dataError(dataPath, `has ${train.classes.length} classes but the model's classifier has ${head.attrs.units}`, `add --set head.classes=${train.classes.length}`);
  }

  const backend = await selectBackend({ backend: o.backend, threads: o.threads });
  const model = buildLayersModel(graph);
  seedInitialWeights(model, graph, config.seed);
  const fromLogits = head?.op === 'dense' && head.attrs.activation === 'linear';
  const normalization = resuming ? readRunInfo(dir).normalization : computeNormalization(train, config.augment.normalize);
  const stepsPerEpoch = Math.ceil(train.size / config.batchSize);
  const trainer = new Trainer(model, {
    epochs: config.epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    optimizer: config.optimizer.type === 'sgd'
      ? { kind: 'sgd', momentum: config.optimizer.momentum, nesterov: config.optimizer.nesterov, beta1: 0, beta2: 0, epsilon: 0 }
      : { kind: 'adam', momentum: 0, nesterov: false, beta1: config.optimizer.beta1, beta2: config.optimizer.beta2, epsilon: config.optimizer.epsilon },
    schedule: loopSchedule(config, stepsPerEpoch),
    weightDecay: config.weightDecay,
    labelSmoothing: config.labelSmoothing,
    fromLogits,
    trainTransform: (rng) => (x, _n, shape) => augmentBatch(x, shape, config.augment, normalization, rng.get('augment')),
    evalTransform: (x) => normalize(x, normalization),
  }, path.join(dir, RUN_FILES.checkpoints));

  let resumedAt: number | undefined;
  if (resuming) {
    if (!(await trainer.resume())) throw dataError(dir, 'has no checkpoint to resume from', 'start a new run without --resume');
    resumedAt = trainer.epoch;
    truncateMetrics(path.join(dir, RUN_FILES.metrics), trainer.epoch);
  } else {
    if (fs.existsSync(path.join(dir, RUN_FILES.checkpoints, 'last.ckpt'))) {
      throw dataError(dir, 'already holds a run', 'add --resume to continue it, or choose another --out');
    }
    const info: RunInfo = {
      name: graph.name,
      created: new Date().toISOString(),
      data: { path: dataPath === SYNTHETIC_PATH ? dataPath : path.resolve(dataPath), format: splits.format, name: train.name, shape: splits.train.shape, adapt: config.data.adapt },
      classes: train.classes,
      input,
      normalization,
      fromLogits,
      backend: backend.name,
    };
    writeRunFiles(dir, compiled.raw!, info);
  }
  events.onStart?.({ runDir: dir, backend, graph, train, test, config, resumedAt });

  const result = trainer.run(train, test, {
    onStep: events.onStep,
    onEpoch: async (m) => {
      appendMetrics(path.join(dir, RUN_FILES.metrics), { ...m, backend: backend.name });
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

function requireGraph(compiled: CompileResult): IRGraph {
  if (!compiled.graph || hasErrors(compiled.diagnostics)) throw new DiagnosticError(compiled.diagnostics, compiled.sources);
  return compiled.graph;
}

/** The spec's `train:` section (validated and defaulted with the spec) plus command-line overrides. */
function trainingConfig(compiled: CompileResult, o: TrainRunOptions): TrainingConfig {
  const config = fromWire(compiled.raw!.train as TrainingWire);
  if (o.epochs !== undefined) config.epochs = o.epochs;
  if (o.limit !== undefined) config.data.limit = o.limit;
  if (o.batchSize !== undefined) config.batchSize = o.batchSize;
  const problems: Diagnostic[] = trainingDiagnostics(config).map((d) => ({ ...d, location: originOf(compiled.origins, d.pointer) }));
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
