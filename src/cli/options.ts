import { InvalidArgumentError } from 'commander';
import type { BackendChoice } from '../backends/tfjs/backend';

/** Kept here, free of tfjs, so that parsing options does not load a backend (`netspec validate` stays instant). */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export function backendChoice(value: string): BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${BACKEND_CHOICES.join(', ')}`);
  return value as BackendChoice;
}
