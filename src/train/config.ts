/**
 * The training section. Two forms, as for the architecture spec: the YAML wire form `train:` (snake_case, described
 * and defaulted by specs/training.schema.json) and the in-memory `TrainingConfig` (camelCase) that the training code
 * reads. `fromWire` maps one to the other after the schema has validated the input and filled its defaults.
 *
 * Defaults follow the Keras CIFAR-10 ResNet example (keras/examples/cifar10_resnet.py): Adam at 1e-3, stepped to
 * ×0.1 / 0.01 / 0.001 / 0.0005, L2 1e-4, batch 32, 200 epochs, ±10 % shifts, horizontal flips, per-pixel mean
 * subtraction.
 */
import { Diagnostic } from '../diagnostics/diagnostic';
import { runTrainRules } from '../spec/rules/train';
import type { DataFormat } from './data/types';
import type { NormalizationPreset } from './normalization-presets';

export type OptimizerConfig =
  | { type: 'sgd'; momentum: number; nesterov: boolean }
  /** Keras' Adam epsilon is 1e-7 (PyTorch's 1e-8). */
  | { type: 'adam'; beta1: number; beta2: number; epsilon: number }
  /** Keras' RMSprop: ε inside the square root, the learning rate inside the momentum. */
  | { type: 'rmsprop'; rho: number; epsilon: number; momentum: number; centered: boolean }
  /** Adam plus decoupled decay `w −= lr · weightDecay · w` of every trainable variable before each step. */
  | { type: 'adamw'; beta1: number; beta2: number; epsilon: number; weightDecay: number };

/** Layer kinds whose kernels the L2 penalty covers. */
export type WeightDecayKind = 'conv' | 'dense';

export interface LossConfig {
  type: 'categorical_crossentropy' | 'binary_crossentropy';
  /** `auto`: logits when the head's activation is linear. */
  fromLogits: 'auto' | boolean;
}

/** Learning-rate shape over the run, as a multiple of `lr`. */
export type ScheduleConfig =
  /** `lr × factors[i]` from epoch `milestones[i]` on (0-based; absolute factors, not compounded). */
  | { type: 'multistep'; milestones: number[]; factors: number[]; interval: ScheduleInterval }
  /** Half a cosine from `lr` (epoch 0) down to `minLr` (after the last epoch). */
  | { type: 'cosine'; minLr: number; interval: ScheduleInterval }
  | { type: 'constant'; interval: ScheduleInterval };

/** `epoch`: the rate changes at epoch boundaries; `step`: it is re-evaluated before every batch (fractional epochs). */
export type ScheduleInterval = 'epoch' | 'step';

/** Linear warm-up multiplying any schedule: factor `startFactor` at the start, 1 after `epochs` epochs. */
export interface WarmupConfig {
  epochs: number;
  startFactor: number;
}

/** Keras' ReduceLROnPlateau, applied on top of the schedule at the end of every epoch. */
export interface PlateauConfig {
  enabled: boolean;
  monitor: 'val_loss' | 'val_accuracy' | 'loss' | 'accuracy';
  factor: number;
  patience: number;
  minLr: number;
  minDelta: number;
  cooldown: number;
}

export interface ErasingConfig {
  probability: number;
  /** Range of the erased area as a fraction of the image. */
  area: [number, number];
  /** Range of the erased rectangle's height / width. */
  aspect: [number, number];
  /**
   * Fill: a value in normalised units (0 = the mean), one per channel, `random` (standard normal per element), or
   * `uniform`: one value per rectangle drawn from `range`, in pixel units before normalisation (the Keras example's
   * get_random_eraser).
   */
  value: number | number[] | 'random' | 'uniform';
  /** `uniform` only: [v_l, v_h] in pixel units (0..255). */
  range: [number, number];
}

/** Statistics from the training set, or a pretrained model's fixed preprocessing (normalization-presets.ts). */
export type Normalization = 'mean_image' | 'per_channel' | 'none' | NormalizationPreset;

export interface AugmentConfig {
  /** Random translation by up to this fraction of the height/width (Keras `width_shift_range`); 0 = off. */
  shift: number;
  /** What shifted-in pixels get: the nearest edge pixel (Keras' default) or zero. */
  shiftFill: 'nearest' | 'constant';
  /** Zero-pad by this many pixels and crop back at a random offset (torchvision `RandomCrop(padding=…)`); 0 = off. */
  padCrop: number;
  /** Random horizontal flip with probability 0.5. */
  flip: boolean;
  erasing: ErasingConfig;
  normalize: Normalization;
}

export interface DataAdaptConfig {
  spatial: 'pad' | 'resize' | null;
  channels: 'repeat' | 'luma' | null;
}

export interface DataConfig {
  /** Folder or file; null = the built-in Fashion-MNIST subset. `synthetic` = generated data. */
  path: string | null;
  format: 'auto' | DataFormat;
  limit: number | null;
  adapt: DataAdaptConfig;
  /** Share of a dataset without a test split held out for validation (seeded by `seed`); null = none. */
  validationSplit: number | null;
  cifar100Label: 'fine' | 'coarse';
}

/** Which checkpoints a run keeps besides last.ckpt: see src/train/best.ts and src/train/snapshot-name.ts. */
export interface CheckpointConfig {
  /** The epoch metric best.ckpt tracks. */
  monitor: 'val_accuracy' | 'val_loss' | 'accuracy' | 'loss';
  /** Keras ModelCheckpoint's mode: auto = max for accuracies, min for losses. */
  mode: 'auto' | 'min' | 'max';
  /** A snapshot after every N-th epoch; 0 = none. */
  every: number;
  /** The snapshot's file name, Keras `filepath` formatting (`epoch-{epoch:03d}.ckpt`). */
  pattern: string;
}

export interface TrainingConfig {
  optimizer: OptimizerConfig;
  /** Base learning rate. */
  lr: number;
  schedule: ScheduleConfig;
  warmup: WarmupConfig;
  reduceOnPlateau: PlateauConfig;
  /** L2 penalty `weightDecay · Σ w²` added to the loss for the kernels of `weightDecayOn` (Keras `l2(…)`). */
  weightDecay: number;
  weightDecayOn: WeightDecayKind[];
  batchSize: number;
  epochs: number;
  labelSmoothing: number;
  loss: LossConfig;
  seed: number;
  checkpoint: CheckpointConfig;
  augment: AugmentConfig;
  data: DataConfig;
}

/** The wire form, as validated and defaulted by specs/training.schema.json. */
export interface TrainingWire {
  optimizer:
    | { type: 'sgd'; momentum: number; nesterov: boolean }
    | { type: 'adam'; beta1: number; beta2: number; epsilon: number }
    | { type: 'rmsprop'; rho: number; epsilon: number; momentum: number; centered: boolean }
    | { type: 'adamw'; beta1: number; beta2: number; epsilon: number; weight_decay: number };
  lr: number;
  schedule:
    | { type: 'multistep'; milestones: number[]; factors: number[]; interval: ScheduleInterval }
    | { type: 'cosine'; min_lr: number; interval: ScheduleInterval }
    | { type: 'constant'; interval: ScheduleInterval };
  warmup: { epochs: number; start_factor: number };
  reduce_on_plateau: {
    enabled: boolean; monitor: PlateauConfig['monitor']; factor: number; patience: number; min_lr: number;
    min_delta: number; cooldown: number;
  };
  weight_decay: number;
  weight_decay_on: WeightDecayKind[];
  batch_size: number;
  epochs: number;
  label_smoothing: number;
  loss: { type: LossConfig['type']; from_logits: LossConfig['fromLogits'] };
  seed: number;
  checkpoint: CheckpointConfig;
  augment: {
    shift: number; shift_fill: AugmentConfig['shiftFill']; pad_crop: number; flip: boolean;
    erasing: ErasingConfig; normalize: Normalization;
  };
  data: {
    path: string | null; format: DataConfig['format']; limit: number | null; adapt: DataAdaptConfig;
    validation_split: number | null; cifar100_label: DataConfig['cifar100Label'];
  };
}

/** snake_case wire form (validated, defaults filled) → camelCase config. */
export function fromWire(w: TrainingWire): TrainingConfig {
  const s = w.schedule;
  const schedule: ScheduleConfig =
    s.type === 'cosine' ? { type: 'cosine', minLr: s.min_lr, interval: s.interval }
      : s.type === 'multistep' ? { type: 'multistep', milestones: [...s.milestones], factors: [...s.factors], interval: s.interval }
        : { type: 'constant', interval: s.interval };
  const o = w.optimizer;
  const optimizer: OptimizerConfig = o.type === 'adamw'
    ? { type: 'adamw', beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, weightDecay: o.weight_decay }
    : { ...o };
  const p = w.reduce_on_plateau;
  const a = w.augment;
  return {
    optimizer,
    lr: w.lr,
    schedule,
    warmup: { epochs: w.warmup.epochs, startFactor: w.warmup.start_factor },
    reduceOnPlateau: {
      enabled: p.enabled, monitor: p.monitor, factor: p.factor, patience: p.patience, minLr: p.min_lr,
      minDelta: p.min_delta, cooldown: p.cooldown,
    },
    weightDecay: w.weight_decay,
    weightDecayOn: [...w.weight_decay_on],
    batchSize: w.batch_size,
    epochs: w.epochs,
    labelSmoothing: w.label_smoothing,
    loss: { type: w.loss.type, fromLogits: w.loss.from_logits },
    seed: w.seed,
    checkpoint: { ...w.checkpoint },
    augment: {
      shift: a.shift, shiftFill: a.shift_fill, padCrop: a.pad_crop, flip: a.flip,
      erasing: { ...a.erasing, area: [...a.erasing.area], aspect: [...a.erasing.aspect], range: [...a.erasing.range] },
      normalize: a.normalize,
    },
    data: {
      path: w.data.path, format: w.data.format, limit: w.data.limit, adapt: { ...w.data.adapt },
      validationSplit: w.data.validation_split || null, cifar100Label: w.data.cifar100_label,
    },
  };
}

/**
 * Rules the schema cannot state (relations between fields), kept with the spec rules in src/spec/rules/train.ts so
 * `validate` runs them too. Pointers are relative to the spec root, under `/train`.
 */
export function trainingDiagnostics(c: TrainingConfig, base = '/train'): Diagnostic[] {
  return runTrainRules(c, base);
}
