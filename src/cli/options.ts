import { InvalidArgumentError } from 'commander';
import { BACKEND_CHOICES, BackendChoice } from '../runtime/choices';

export { BACKEND_CHOICES };

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export function backendChoice(value: string): BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${BACKEND_CHOICES.join(', ')}`);
  return value as BackendChoice;
}

/** `--checkpoint` of evaluate, predict, export and compile (resolved by src/train/checkpoint-choice.ts). */
export const CHECKPOINT_FLAG = '--checkpoint <which>';
export const CHECKPOINT_HELP = 'weights from a checkpoint of the run: best, last, a snapshot name in its checkpoints/, or a .ckpt file';
