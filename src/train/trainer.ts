/**
 * The training loop: shuffled mini-batches through the model in training mode, the loss (+ label smoothing,
 * + L2 weight decay on the kernels the IR names), one optimizer step per batch, evaluation after every epoch, and a checkpoint that
 * holds everything needed to continue exactly: weights, BN statistics, optimizer state, epoch and step, RNG streams
 * and schedule state, plus the metrics of every finished epoch so the run's other files can be rebuilt from it.
 * Interrupted (Ctrl-C) it saves mid-epoch; a resumed run then matches an uninterrupted one bit for bit.
 */
import type { LayersModel, Optimizer, Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import * as path from 'path';
import { setDropPathSeed } from '../backends/tfjs/layers/channel-ops';
import { tf } from '../runtime/tf';
import { userError } from '../diagnostics/diagnostic';
import { makeDir } from '../io/mkdir';
import { BatchTransform, makeBatch } from './batches';
import { outputClasses, scoreDataset } from './score';
import { batchRanges } from './data/batch';
import { BestRecord, bestOf, BestRule, improves } from './best';
import { copyCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint';
import { Dataset } from './data/types';
import { batchLoss, top1Hits } from './loss';
import { LossConfig, OptimizerConfig } from './config';
import { makeOptimizer, optimizerState, restoreOptimizerState, setLearningRate } from './optimizer';
import { epochOrder, RngStreams, RngStreamsState } from './rng';
import { kernelVariables, l2Penalty } from './weight-decay';

/** A learning-rate schedule as the loop needs it; stateful schedules (reduce-on-plateau) persist their state. */
export interface LoopSchedule {
  rate(epoch: number, stepInEpoch: number, stepsPerEpoch: number): number;
  /** Called after each epoch's evaluation with its metrics (reduce-on-plateau reads the one it monitors). */
  epochEnd?(epoch: number, metrics: Readonly<Record<string, number>>): void;
  state?(): unknown;
  restore?(state: unknown): void;
}

export interface TrainerSettings {
  epochs: number;
  batchSize: number;
  seed: number;
  optimizer: OptimizerConfig;
  schedule: LoopSchedule;
  weightDecay: number;
  /** Layers (IR node names) whose kernel `weightDecay` penalises: src/train/weight-decay.ts. */
  decayed: string[];
  labelSmoothing: number;
  loss: LossConfig['type'];
  /** Whether the model outputs logits (linear head) rather than probabilities. */
  fromLogits: boolean;
  /** Training batches: normalisation and augmentation, drawing from the run's RNG streams. */
  trainTransform?: (rng: RngStreams) => BatchTransform;
  /** Evaluation batches: normalisation only. */
  evalTransform?: BatchTransform;
  /** Recorded with each epoch's metrics. */
  backend?: string;
  /** The metric best.ckpt tracks; default Keras ModelCheckpoint's, the lowest val_loss. */
  best?: BestRule;
  /** The name of the snapshot to keep after an epoch (its metrics), or undefined when none is due. */
  snapshot?: (metrics: EpochMetrics) => string | undefined;
}

export interface EpochMetrics {
  epoch: number;
  lr: number;
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  images_per_second: number;
  seconds: number;
  /** The backend that trained the epoch (or its last part). */
  backend?: string;
}

export interface StepInfo {
  epoch: number;
  step: number;
  steps: number;
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
}

export interface TrainerEvents {
  onStep?(info: StepInfo): void;
  onEpoch?(metrics: EpochMetrics): void | Promise<void>;
}

/** What a checkpoint's header holds besides tensors. */
interface LoopState {
  /** Epoch in progress (0-based) and batches of it already done. */
  epoch: number;
  stepInEpoch: number;
  /** RNG streams as they were when this epoch began (to redraw its order) and as they are now. */
  rngAtEpochStart: RngStreamsState;
  rng: RngStreamsState;
  schedule?: unknown;
  /** The best epoch so far under the run's rule: best.ckpt is the checkpoint of that epoch. */
  best?: BestRecord;
  /** Metrics of every finished epoch: metrics.jsonl is re-derived from it when a kill left the file behind. */
  history: EpochMetrics[];
  /** Running sums of the epoch in progress, so a mid-epoch resume reports the same epoch metrics. */
  partial: { loss: number; hits: number; seen: number; seconds: number };
}

export type StopReason = 'done' | 'interrupted' | 'diverged';

export interface TrainResult {
  reason: StopReason;
  history: EpochMetrics[];
  message?: string;
}

export const CHECKPOINT_LAST = 'last.ckpt';
export const CHECKPOINT_BEST = 'best.ckpt';

/** What a checkpoint holds besides tensors, as the run directory's repair reads it. */
export type CheckpointState = LoopState;

export class Trainer {
  private readonly optimizer: Optimizer;
  private readonly variables: Variable[];
  /** The kernels L2 weight decay applies to. */
  private readonly kernels: Variable[];
  private readonly classes: number;
  /** Whether the model has stochastic-depth layers, whose masks need a seed every step. */
  private readonly hasDropPath: boolean;
  private rng: RngStreams;
  private state: LoopState;
  private stopRequested = false;
  /** Epoch of the newest checkpoint written or resumed from (undefined: none yet). */
  private checkpointEpoch?: number;
  private readonly bestRule: BestRule;

  constructor(
    private readonly model: LayersModel,
    private readonly settings: TrainerSettings,
    private readonly checkpointDir: string,
  ) {
    this.optimizer = makeOptimizer(settings.optimizer, settings.schedule.rate(0, 0, 1));
    this.variables = model.trainableWeights.map((w) => w.read() as Variable);
    this.kernels = kernelVariables(model, settings.decayed);
    this.classes = outputClasses(model);
    this.hasDropPath = model.layers.some((l) => l.getClassName() === 'DropPath');
    this.bestRule = settings.best ?? { monitor: 'val_loss', mode: 'min' };
    this.rng = new RngStreams(settings.seed);
    this.state = { epoch: 0, stepInEpoch: 0, rngAtEpochStart: this.rng.state(), rng: this.rng.state(), partial: { loss: 0, hits: 0, seen: 0, seconds: 0 }, history: [] };
  }

  /** Ask the loop to stop after the current step, saving a checkpoint (Ctrl-C). */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Continues from a checkpoint of this run (`last.ckpt` or `best.ckpt`). */
  async resume(name: string = CHECKPOINT_LAST): Promise<void> {
    const file = path.join(this.checkpointDir, name);
    const ckpt = readCheckpoint<LoopState & { engine?: string }>(file);
    if (ckpt.state.engine === 'torch') {
      throw userError('checkpoint/torch-engine', 'holds the weights of a torch-engine run, not the state this engine resumes from', {
        file, hint: 'continue the run with netspec train --engine torch --resume --out <run-dir>',
      });
    }
    const weights = this.model.weights;
    if (ckpt.model.length !== weights.length || ckpt.model.some((e, i) => e.shape.join() !== weights[i].shape.join())) {
      throw userError('checkpoint/model-mismatch', `does not match this model (${ckpt.model.length} tensors vs ${weights.length})`, {
        file, hint: 'was spec.yaml of the run changed? restore it, or start a new run',
      });
    }
    this.model.setWeights(ckpt.modelValues.map((v, i) => tf.tensor(v, ckpt.model[i].shape)));
    await restoreOptimizerState(this.optimizer, ckpt.optimizerValues.map((v, i) => ({ name: ckpt.optimizer[i].name, tensor: tf.tensor(v, ckpt.optimizer[i].shape) })));
    this.state = ckpt.state;
    // A checkpoint of a netspec that tracked another metric (or none recorded): the best under this run's rule is
    // found again from the history; resume repair then says whether best.ckpt is that epoch.
    const rule = this.bestRule;
    if (this.state.best?.monitor !== rule.monitor || this.state.best.mode !== rule.mode) this.state.best = bestOf(this.state.history, rule);
    this.rng = RngStreams.fromState(ckpt.state.rng);
    if (ckpt.state.schedule !== undefined) this.settings.schedule.restore?.(ckpt.state.schedule);
    this.checkpointEpoch = ckpt.state.epoch;
  }

  /** The loop state: epoch, step, history and best epoch, as the newest checkpoint holds it after a save. */
  get loopState(): Readonly<LoopState> {
    return this.state;
  }

  /** The snapshot an epoch with these metrics keeps, if one is due. */
  snapshotName(metrics: EpochMetrics): string | undefined {
    return this.settings.snapshot?.(metrics);
  }

  get epoch(): number {
    return this.state.epoch;
  }

  async run(train: Dataset, test: Dataset | undefined, events: TrainerEvents = {}): Promise<TrainResult> {
    const history: EpochMetrics[] = [];
    const { batchSize } = this.settings;
    const ranges = batchRanges(train.size, batchSize);
    while (this.state.epoch < this.settings.epochs) {
      const epoch = this.state.epoch;
      // The epoch's order comes from the streams as they were at its start. Mid-epoch (after a resume) the live
      // streams are already past that draw, so the order is redrawn from a copy.
      let order: Int32Array;
      if (this.state.stepInEpoch === 0) {
        this.rng = RngStreams.fromState(this.state.rngAtEpochStart);
        order = epochOrder(this.rng, train.size);
      } else {
        order = epochOrder(RngStreams.fromState(this.state.rngAtEpochStart), train.size);
      }
      const transform = this.settings.trainTransform?.(this.rng);
      const partial = this.state.partial;
      let lr = 0;
      for (let s = this.state.stepInEpoch; s < ranges.length; s++) {
        const started = process.hrtime.bigint();
        lr = this.settings.schedule.rate(epoch, s, ranges.length);
        setLearningRate(this.optimizer, lr);
        const batch = makeBatch(train, order, ranges[s][0], ranges[s][1], transform);
        // Stochastic depth draws its masks from the run's streams, so a resumed run drops what this one would.
        if (this.hasDropPath) setDropPathSeed(this.rng.get('drop_path').int(0x7fffffff));
        const { loss, hits } = this.step(batch.x, batch.labels);
        batch.x.dispose();
        if (!Number.isFinite(loss)) {
          const kept = this.checkpointEpoch === undefined
            ? 'no checkpoint had been written yet'
            : `the last good checkpoint (${this.checkpointEpoch} epoch${this.checkpointEpoch === 1 ? '' : 's'} done) is kept`;
          return { reason: 'diverged', history, message: `loss became ${loss} at epoch ${epoch + 1}, step ${s + 1}; ${kept}` };
        }
        partial.loss += loss * batch.labels.length;
        partial.hits += hits;
        partial.seen += batch.labels.length;
        partial.seconds += Number(process.hrtime.bigint() - started) / 1e9;
        this.state.stepInEpoch = s + 1;
        events.onStep?.({ epoch, step: s + 1, steps: ranges.length, loss: partial.loss / partial.seen, accuracy: partial.hits / partial.seen, imagesPerSecond: partial.seen / partial.seconds });
        // Let signal handlers (Ctrl-C) and progress output run between steps.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.stopRequested && s + 1 < ranges.length) {
          await this.save(CHECKPOINT_LAST);
          return { reason: 'interrupted', history };
        }
      }
      const metrics: EpochMetrics = {
        epoch: epoch + 1,
        lr,
        loss: partial.loss / partial.seen,
        accuracy: partial.hits / partial.seen,
        images_per_second: partial.seen / partial.seconds,
        seconds: partial.seconds,
        ...(this.settings.backend ? { backend: this.settings.backend } : {}),
      };
      if (test) Object.assign(metrics, evaluateLoss(this.model, test, batchSize, this.settings));
      this.settings.schedule.epochEnd?.(epoch, metrics as unknown as Record<string, number>);
      const rule = this.bestRule;
      const monitored = metrics[rule.monitor];
      const improved = improves(rule.mode, monitored, this.state.best?.value);
      this.state = {
        ...this.state,
        epoch: epoch + 1,
        stepInEpoch: 0,
        rngAtEpochStart: this.rng.state(),
        partial: { loss: 0, hits: 0, seen: 0, seconds: 0 },
        history: [...this.state.history, metrics],
        ...(improved ? { best: { ...rule, value: monitored!, epoch: epoch + 1 } } : {}),
      };
      // The checkpoint first: it alone decides where a resume starts, and every other artifact (best.ckpt,
      // metrics.jsonl, model/, metrics.svg) can be re-derived from it if the process dies before they are written.
      await this.save(CHECKPOINT_LAST);
      if (improved) await copyCheckpoint(this.checkpointDir, CHECKPOINT_LAST, CHECKPOINT_BEST);
      const snapshot = this.snapshotName(metrics);
      if (snapshot !== undefined) await copyCheckpoint(this.checkpointDir, CHECKPOINT_LAST, snapshot);
      history.push(metrics);
      await events.onEpoch?.(metrics);
      if (this.stopRequested) return { reason: 'interrupted', history };
    }
    return { reason: 'done', history };
  }

  /**
   * One optimizer step on one batch (what `run` does per batch): forward in training mode, loss, gradients,
   * update. Returns the batch's mean loss and top-1 hits. Public so that benchmarks time exactly this work.
   */
  step(x: Tensor, labels: Int32Array): { loss: number; hits: number } {
    const { weightDecay, labelSmoothing, fromLogits, loss: type } = this.settings;
    let hits = 0;
    const cost = this.optimizer.minimize(() => {
      const output = this.model.apply(x, { training: true }) as Tensor;
      hits = tf.tidy(() => top1Hits(output, labels, fromLogits));
      let loss = batchLoss(output, labels, this.classes, { type, fromLogits, smoothing: labelSmoothing });
      if (weightDecay > 0 && this.kernels.length > 0) {
        loss = loss.add(l2Penalty(this.kernels, weightDecay));
      }
      return loss as Scalar;
    }, true, this.variables);
    const value = cost!.dataSync()[0];
    cost!.dispose();
    return { loss: value, hits };
  }

  private async save(name: string): Promise<void> {
    await makeDir(this.checkpointDir);
    const weights = this.model.weights;
    const values = this.model.getWeights();
    const slots = await optimizerState(this.optimizer);
    this.state.rng = this.rng.state();
    this.state.schedule = this.settings.schedule.state?.();
    await writeCheckpoint(path.join(this.checkpointDir, name), {
      state: this.state,
      model: weights.map((w, i) => ({ name: w.originalName, shape: values[i].shape })),
      optimizer: slots.map((s) => ({ name: s.name, shape: s.tensor.shape })),
      modelValues: values.map((v) => v.dataSync() as Float32Array),
      // The iteration count is an int32 tensor: its value, not its bits, goes into the float32 file.
      optimizerValues: slots.map((s) => (s.tensor.dtype === 'float32' ? s.tensor.dataSync() as Float32Array : Float32Array.from(s.tensor.dataSync()))),
    });
    this.checkpointEpoch = this.state.epoch;
  }
}

/** Mean loss and top-1 accuracy of a model on a dataset, in inference mode. */
export function evaluateLoss(model: LayersModel, ds: Dataset, batchSize: number, s: Pick<TrainerSettings, 'evalTransform' | 'fromLogits' | 'loss'>): { val_loss: number; val_accuracy: number } {
  const summary = scoreDataset(model, ds, { batchSize, transform: s.evalTransform, fromLogits: s.fromLogits, loss: s.loss, classes: outputClasses(model) }).summary();
  return { val_loss: summary.loss, val_accuracy: summary.accuracy };
}
