/**
 * The run directory of a torch-engine run: the same spec.yaml, run.json, metrics.jsonl and model/ as the tfjs
 * engine's (so `netspec evaluate`, `predict`, `plot` and `--resume` treat it alike), plus torch/ with what the
 * Python side needs and nothing else: the emitted model.py, the training script and its safetensors helper,
 * config.json (the resolved train: section and the normalisation statistics), data.safetensors (uint8 NHWC images
 * and labels, adapted to the spec's input as the tfjs engine adapts them) and initial.safetensors (netspec's seeded
 * initial weights, so both engines start from the same point).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DiagnosticError, hasErrors, userError } from '../../../diagnostics/diagnostic';
import { compileSpec, compileSpecText } from '../../../ir/compile';
import { classifierOf } from '../../../ir/describe';
import { IRGraph } from '../../../ir/types';
import { packageRoot } from '../../../io/package-root';
import { TensorToWrite, writeSafetensors } from '../../../io/safetensors';
import { computeNormalization } from '../../../train/augment';
import { fromWire, TrainingConfig, TrainingWire } from '../../../train/config';
import { dataError } from '../../../train/data/errors';
import { SYNTHETIC_PATH } from '../../../train/data/load';
import { Dataset, ImageShape } from '../../../train/data/types';
import { defaultRunDir, isRunDir, noRunToResume, RUN_FILES, RunInfo, withRunDirFromSpec, writeRunFiles } from '../../../train/run-dir';
import { HeadLoss, headLoss } from '../../../train/head-loss';
import { BUNDLED_DATA, checkSnapshotData, trainingConfig, TrainRunOptions } from '../../../train/run';
import { loadRunData } from '../../../train/run-data';
import { decayedNodes } from '../../../train/weight-decay';
import { emitPyTorch } from '../module';
import { torchParams } from '../names';

export const TORCH_DIR = 'torch';
export const TORCH_FILES = { config: 'config.json', model: 'model.py', data: 'data.safetensors', initial: 'initial.safetensors', last: 'last.safetensors', script: 'netspec_train.py' } as const;

export interface TorchRunOptions extends Pick<TrainRunOptions, 'spec' | 'sets' | 'data' | 'epochs' | 'limit' | 'batchSize' | 'out' | 'resume'> {
  /** Test hook: BN uses its running statistics while training (see python/netspec_train.py). */
  bnEval?: boolean;
}

export interface PreparedRun {
  dir: string;
  graph: IRGraph;
  config: TrainingConfig;
  train: Dataset;
  test?: Dataset;
  resumed: boolean;
}

/** Writes (or, resuming, checks) the run directory; every user error surfaces here, before Python starts. */
export async function prepareTorchRun(options: TorchRunOptions): Promise<PreparedRun> {
  const o = withRunDirFromSpec(options, !!options.resume);
  const dir = o.out;
  if (o.resume && (dir === undefined || !isRunDir(dir))) throw noRunToResume(dir);
  const compiled = o.resume
    ? compileSpecText(fs.readFileSync(path.join(dir!, RUN_FILES.spec), 'utf8'), path.join(dir!, RUN_FILES.spec), { sets: o.sets })
    : compileSpec(o.spec ?? 'fashion/resnet8', { sets: o.sets });
  if (!compiled.graph || hasErrors(compiled.diagnostics)) throw new DiagnosticError(compiled.diagnostics, compiled.sources);
  const graph = compiled.graph;
  const base = fromWire(compiled.raw!.train as TrainingWire);
  const config = trainingConfig(compiled, base, { epochs: o.epochs ?? base.epochs, batchSize: o.batchSize ?? base.batchSize, data: { limit: o.limit ?? base.data.limit } });
  const loss = torchLoss(graph, config);
  const runDir = dir ?? defaultRunDir(graph.name);
  const torchDir = path.join(runDir, TORCH_DIR);
  if (o.resume) {
    if (!fs.existsSync(path.join(runDir, RUN_FILES.checkpoints, 'torch-last.ckpt'))) throw dataError(runDir, 'has no torch checkpoint to resume from', 'start a new run without --resume');
  } else if (fs.existsSync(path.join(runDir, RUN_FILES.run))) {
    throw dataError(runDir, 'already holds a run', 'add --resume to continue it, or choose another --out');
  }

  const dataPath = o.data ?? config.data.path ?? BUNDLED_DATA;
  const input = graph.input as ImageShape;
  const { splits, train, test, validation } = await loadRunData(graph, config, dataPath, classifierOf(graph)?.attrs.units ?? 10);
  checkSnapshotData(config, test !== undefined, dataPath);
  if (o.resume) {
    // --epochs on a resumed run extends (or shortens) it; everything else stays as the run started.
    const configFile = path.join(torchDir, TORCH_FILES.config);
    fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(configFile, 'utf8')), epochs: config.epochs }, null, 2));
    return { dir: runDir, graph, config, train, test, resumed: true };
  }

  const normalization = computeNormalization(train, config.augment.normalize);
  const info: RunInfo = {
    name: graph.name,
    created: new Date().toISOString(),
    data: { path: dataPath === SYNTHETIC_PATH ? dataPath : path.resolve(dataPath), format: splits.format, name: train.name, shape: splits.train.shape, adapt: config.data.adapt, ...(validation ? { validation } : {}) },
    classes: train.classes,
    input,
    normalization,
    // The torch engine trains on logits() and writes a model whose output is the spec's.
    fromLogits: loss.fromLogits,
    ...(loss.type === 'binary_crossentropy' ? { loss: loss.type } : {}),
    backend: 'torch',
    settings: {
      spec: o.spec ?? 'fashion/resnet8',
      sets: o.sets ?? [],
      data: { path: dataPath, format: config.data.format, limit: config.data.limit ?? null },
      epochs: config.epochs,
      batchSize: config.batchSize,
    },
    changes: [],
    segments: [{ started: new Date().toISOString(), fromEpoch: 0, fromStep: 0, backend: 'torch' }],
  };
  await writeRunFiles(runDir, compiled.raw!, info);
  fs.mkdirSync(torchDir, { recursive: true });
  fs.writeFileSync(path.join(torchDir, TORCH_FILES.model), emitPyTorch(graph, { source: o.spec ?? 'fashion/resnet8', sets: o.sets, regenerate: 'netspec train --engine torch' }));
  for (const f of ['netspec_train.py', 'netspec_optim.py', 'safetensors_io.py']) fs.copyFileSync(path.join(packageRoot, 'python', f), path.join(torchDir, f));
  // frozen_stages: the torch names of the weights the IR marks non-trainable (their BNs keep their statistics too).
  const trainable = new Map(graph.nodes.map((n) => [n.name, n.trainable]));
  const frozen = torchParams(graph).filter((p) => !trainable.get(p.tfjs.slice(0, p.tfjs.lastIndexOf('/')))).map((p) => p.torch);
  // l2: the torch names of the kernels weight_decay penalises, chosen from the IR as the tfjs engine chooses them.
  const decayed = new Set(decayedNodes(graph, config.weightDecayOn).map((n) => `${n}/kernel`));
  const l2 = torchParams(graph).filter((p) => decayed.has(p.tfjs)).map((p) => p.torch);
  fs.writeFileSync(path.join(torchDir, TORCH_FILES.config), JSON.stringify({ ...config, normalization, frozen, l2, ...(o.bnEval ? { bnEval: true } : {}) }, null, 2));
  writeSafetensors(path.join(torchDir, TORCH_FILES.data), new Map([...split('train', train), ...(test ? split('test', test) : [])]));
  await writeInitialWeights(graph, config.seed, path.join(torchDir, TORCH_FILES.initial));
  return { dir: runDir, graph, config, train, test, resumed: false };
}

/**
 * The torch engine computes every loss from `logits()`, the output before the head's activation: cross-entropy
 * from logits for a softmax or linear head, BCE-with-logits for a sigmoid or linear one (the same values as the
 * tfjs engine's loss on the activated outputs). The other two pairings would need the activation inside the loss
 * and are refused.
 */
function torchLoss(graph: IRGraph, config: TrainingConfig): HeadLoss {
  const loss = headLoss(graph, config.loss);
  const activation = classifierOf(graph)?.attrs.activation ?? 'linear';
  const expects = loss.type === 'binary_crossentropy' ? 'sigmoid' : 'softmax';
  if (activation !== 'linear' && activation !== expects) {
    throw userError('train/torch-loss-head', `the torch engine trains ${loss.type} on a ${expects} or linear head; this head's activation is ${activation}`, {
      hint: loss.type === 'binary_crossentropy' ? 'give the head a sigmoid activation, or train with the tfjs engine' : 'set train.loss.type=binary_crossentropy for a sigmoid head, or train with the tfjs engine',
    });
  }
  return loss;
}

function split(name: string, ds: Dataset): Array<[string, TensorToWrite]> {
  return [
    [`${name}_x`, { dtype: 'U8', shape: [ds.size, ...ds.shape], values: ds.images }],
    [`${name}_y`, { dtype: 'I64', shape: [ds.size], values: BigInt64Array.from(ds.labels, (v) => BigInt(v)) }],
  ];
}

/** netspec's seeded initialisation (the tfjs engine's), as the state dict the Python side starts from. */
async function writeInitialWeights(graph: IRGraph, seed: number, file: string): Promise<void> {
  const [{ selectBackend }, { buildLayersModel }, { seedInitialWeights }, { exportSafetensors }] = await Promise.all([
    import('../../../runtime/backend'), import('../../tfjs/build'), import('../../tfjs/seed'), import('../export-safetensors'),
  ]);
  await selectBackend({ backend: 'auto' });
  const model = buildLayersModel(graph);
  try {
    seedInitialWeights(model, graph, seed);
    exportSafetensors(model, graph, file);
  } finally {
    model.dispose();
  }
}

