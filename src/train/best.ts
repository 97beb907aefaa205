/**
 * Which epoch best.ckpt holds: Keras ModelCheckpoint(save_best_only=True). `mode: auto` is `max` for accuracies and
 * `min` for losses (Keras: 'acc' in the name → max, else min); an epoch replaces the best only when strictly better,
 * so a tie keeps the earlier epoch, and a NaN never is (Keras compares with np.less / np.greater, false for NaN).
 */
import type { CheckpointConfig } from './config';

export type Monitor = CheckpointConfig['monitor'];
export type Direction = 'min' | 'max';

/** The metric best.ckpt tracks and in which direction, as the trainer applies it. */
export interface BestRule {
  monitor: Monitor;
  mode: Direction;
}

/** The best epoch so far, as a checkpoint's header records it (1-based epoch) with the rule it was chosen by. */
export interface BestRecord extends BestRule {
  value: number;
  epoch: number;
}

/**
 * The rule for a run. Without a test split there are no `val_` metrics: the training metric of the same name is
 * tracked instead (Keras would skip saving with a warning, keeping no best.ckpt at all), and `note` says so.
 */
export function bestRule(c: Pick<CheckpointConfig, 'monitor' | 'mode'>, hasValidation: boolean): BestRule & { note?: string } {
  const monitor = hasValidation || !c.monitor.startsWith('val_') ? c.monitor : (c.monitor.slice(4) as Monitor);
  const mode = c.mode === 'auto' ? (monitor.endsWith('accuracy') ? 'max' : 'min') : c.mode;
  const note = monitor === c.monitor ? undefined : `the data has no test split, so best.ckpt tracks ${monitor} instead of ${c.monitor}`;
  return { monitor, mode, ...(note ? { note } : {}) };
}

/** Whether `value` improves on `best` (undefined: no best yet). */
export function improves(mode: Direction, value: number | undefined, best: number | undefined): boolean {
  if (value === undefined || Number.isNaN(value)) return false;
  if (best === undefined) return true;
  return mode === 'max' ? value > best : value < best;
}

/** The best epoch of a history under a rule, as the trainer would have chosen it epoch by epoch. */
export function bestOf(history: readonly Readonly<{ epoch: number } & Partial<Record<Monitor, number>>>[], rule: BestRule): BestRecord | undefined {
  let best: BestRecord | undefined;
  for (const m of history) {
    const value = m[rule.monitor];
    if (improves(rule.mode, value, best?.value)) best = { ...rule, value: value!, epoch: m.epoch };
  }
  return best;
}
