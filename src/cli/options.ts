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
