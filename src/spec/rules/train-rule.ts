import type { TrainingConfig } from '../../train/config';

/**
 * A relation between `train:` fields that the schema cannot state. These run twice: while resolving a spec (so
 * `validate` rejects what `train` would) and in the trainer, after `--epochs` and friends changed the config.
 * Pointers are made from `base` (`/train`); codes are `train/<id>`.
 */
export interface TrainRule {
  id: string;
  description: string;
  check(c: TrainingConfig, report: (message: string, pointer: string, hint?: string) => void, base: string): void;
}
