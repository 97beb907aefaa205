import { Diagnostic } from './diagnostic';

/**
 * At most this many diagnostics per run (graphql-js stops at 100 too): a hostile file can hold 40,000 mistakes, and
 * nobody reads past the first screen; the rest are counted in one closing note.
 */
export const MAX_DIAGNOSTICS = 100;

export const TRUNCATED = 'diagnostics/truncated';

/** How many problems each note stands for. */
const hiddenBy = new WeakMap<Diagnostic, number>();

export function truncationNote(hidden: number): Diagnostic {
  const note: Diagnostic = { code: TRUNCATED, severity: 'warning', message: `${hidden} more problem${hidden === 1 ? '' : 's'} not shown`, pointer: '' };
  hiddenBy.set(note, hidden);
  return note;
}

/** The first `max` diagnostics, plus one note counting the rest (notes already in the list add their own count). */
export function capDiagnostics(list: readonly Diagnostic[], max = MAX_DIAGNOSTICS): Diagnostic[] {
  const notes = list.filter((d) => d.code === TRUNCATED);
  const problems = list.filter((d) => d.code !== TRUNCATED);
  const noted = notes.reduce((n, d) => n + (hiddenBy.get(d) ?? 0), 0);
  const hidden = Math.max(0, problems.length - max) + noted;
  return hidden > 0 ? [...problems.slice(0, max), truncationNote(hidden)] : [...problems];
}
