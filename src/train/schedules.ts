/**
 * Learning-rate schedules. The rate at a point of the run is
 *
 *   lr(t) = lr · schedule(t) · warmup(t), then reduce-on-plateau's accumulated factor (never pushing below min_lr),
 *
 * where t is in epochs: the 0-based epoch index with `interval: epoch`, or `epoch + batch / batchesPerEpoch` with
 * `interval: step`. Schedule and warm-up are pure functions of t, so resuming needs only the epoch and batch counters;
 * reduce-on-plateau depends on the metrics seen so far and carries a small serialisable state.
 */
import { PlateauConfig, ScheduleConfig, TrainingConfig, WarmupConfig } from './config';

/** Multiplier of `factors[i]` for the last milestone reached (`t ≥ milestones[i]`), 1 before the first. */
export function multiStepFactor(milestones: readonly number[], factors: readonly number[], t: number): number {
  let factor = 1;
  for (let i = 0; i < milestones.length; i++) if (t >= milestones[i]) factor = factors[i];
  return factor;
}

/** Cosine annealing from `lr` at t = 0 to `minLr` at t = `total` (PyTorch CosineAnnealingLR without restarts). */
export function cosineLr(lr: number, minLr: number, t: number, total: number): number {
  const progress = Math.min(Math.max(t / total, 0), 1);
  return minLr + ((lr - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
}

/** Linear warm-up factor: `startFactor` at t = 0, rising linearly to 1 at t = `epochs` (PyTorch LinearLR). */
export function warmupFactor(warmup: WarmupConfig, t: number): number {
  if (warmup.epochs <= 0 || t >= warmup.epochs) return 1;
  return warmup.startFactor + ((1 - warmup.startFactor) * Math.max(t, 0)) / warmup.epochs;
}

/** The schedule's rate at time t (epochs), before warm-up and plateau reductions. */
export function scheduleLr(lr: number, schedule: ScheduleConfig, t: number, epochs: number): number {
  switch (schedule.type) {
    case 'constant':
      return lr;
    case 'multistep':
      return lr * multiStepFactor(schedule.milestones, schedule.factors, t);
    case 'cosine':
      return cosineLr(lr, schedule.minLr, t, epochs);
  }
}

/** Where in the run a rate is wanted: t in epochs for the given interval. */
export function scheduleTime(interval: ScheduleConfig['interval'], epoch: number, step: number, stepsPerEpoch: number): number {
  return interval === 'step' && stepsPerEpoch > 0 ? epoch + step / stepsPerEpoch : epoch;
}

/** Serialised state of `ReduceOnPlateau` (best is null until the first value; JSON has no Infinity). */
export interface PlateauState {
  best: number | null;
  wait: number;
  cooldownCounter: number;
  /** Product of the reductions so far. */
  scale: number;
}

/** Keras' ReduceLROnPlateau (keras/src/callbacks/reduce_lr_on_plateau.py), as a multiplier on the schedule. */
export class ReduceOnPlateau {
  private s: PlateauState;

  constructor(private readonly cfg: PlateauConfig, state?: PlateauState) {
    this.s = state ? { ...state } : { best: null, wait: 0, cooldownCounter: 0, scale: 1 };
  }

  /** Losses must go down, accuracies up. */
  private improved(current: number): boolean {
    if (this.s.best === null) return true;
    return this.cfg.monitor.endsWith('loss')
      ? current < this.s.best - this.cfg.minDelta
      : current > this.s.best + this.cfg.minDelta;
  }

  /** Applies the reductions so far to a scheduled rate; a reduction never takes the rate below `minLr`. */
  apply(scheduled: number): number {
    if (this.s.scale === 1) return scheduled;
    return Math.max(scheduled * this.s.scale, Math.min(scheduled, this.cfg.minLr));
  }

  /**
   * End of an epoch: `current` is the monitored metric, `lr` the rate the epoch ended with. Returns true if the rate
   * was reduced. Same steps as Keras: cooldown first, then improvement, then patience.
   */
  update(current: number, lr: number): boolean {
    if (!this.cfg.enabled || !Number.isFinite(current)) return false;
    if (this.s.cooldownCounter > 0) {
      this.s.cooldownCounter--;
      this.s.wait = 0;
    }
    if (this.improved(current)) {
      this.s.best = current;
      this.s.wait = 0;
      return false;
    }
    // Keras tests the cooldown again after counting it down: the last cooldown epoch already counts as waiting.
    if (this.s.cooldownCounter > 0) return false;
    this.s.wait++;
    if (this.s.wait < this.cfg.patience || !(lr > this.cfg.minLr)) return false;
    this.s.scale *= this.cfg.factor;
    this.s.cooldownCounter = this.cfg.cooldown;
    this.s.wait = 0;
    return true;
  }

  state(): PlateauState {
    return { ...this.s };
  }
}

export type LrScheduleConfig = Pick<TrainingConfig, 'lr' | 'schedule' | 'warmup' | 'reduceOnPlateau' | 'epochs'>;

export interface LrSchedulerState {
  plateau: PlateauState;
}

/** The whole rate policy of a run: schedule × warm-up × plateau reductions. */
export class LrScheduler {
  private readonly plateau: ReduceOnPlateau;

  constructor(
    private readonly cfg: LrScheduleConfig,
    private readonly stepsPerEpoch: number,
    state?: LrSchedulerState,
  ) {
    this.plateau = new ReduceOnPlateau(cfg.reduceOnPlateau, state?.plateau);
  }

  /** The rate for batch `step` of (0-based) epoch `epoch`. */
  lrAt(epoch: number, step = 0): number {
    const t = scheduleTime(this.cfg.schedule.interval, epoch, step, this.stepsPerEpoch);
    const scheduled = scheduleLr(this.cfg.lr, this.cfg.schedule, t, this.cfg.epochs) * warmupFactor(this.cfg.warmup, t);
    return this.plateau.apply(scheduled);
  }

  /** Feeds the epoch's metrics to reduce-on-plateau; returns true if it reduced the rate. */
  endEpoch(epoch: number, metrics: Readonly<Record<string, number>>): boolean {
    const monitored = metrics[this.cfg.reduceOnPlateau.monitor];
    if (monitored === undefined) return false;
    return this.plateau.update(monitored, this.lrAt(epoch, Math.max(this.stepsPerEpoch - 1, 0)));
  }

  state(): LrSchedulerState {
    return { plateau: this.plateau.state() };
  }
}
