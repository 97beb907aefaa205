/**
 * One type for every problem a user can cause. Rules and loaders collect these; only bugs throw (see `invariant`).
 */
export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Length of the offending text on that line, for the caret underline (at least 1). */
  length?: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable identifier, e.g. `schema/unknown-property` or `semantic/cifar-depth`. */
  code: string;
  severity: Severity;
  message: string;
  /** JSON pointer into the (resolved) spec, e.g. `/stages/3/blocks`. */
  pointer: string;
  location?: SourceLocation;
  /** The file the problem is in when no position in it applies (a data file, a checkpoint, a model file). */
  file?: string;
  /** A did-you-mean or a concrete next step. */
  hint?: string;
}

/** Exit codes of the CLI contract. */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;

/**
 * The one error type for problems the user can fix: bad specs, flags, data, checkpoints, model files, and the
 * environment (disk full, permissions). Thrown when a phase cannot continue; carries every problem found. Anything
 * else that reaches the CLI is a bug in netspec.
 */
export class DiagnosticError extends Error {
  /** `sources` maps file names to their text, so the report can quote the offending lines. */
  constructor(
    readonly diagnostics: Diagnostic[],
    readonly sources?: ReadonlyMap<string, string>,
    readonly exitCode: number = EXIT_BAD_INPUT,
  ) {
    super(diagnostics.map((d) => `${d.file && !d.location ? `${d.file}: ` : ''}${d.message}`).join('\n'));
    this.name = 'DiagnosticError';
  }

  /** The first problem's hint: most errors carry one problem. */
  get hint(): string | undefined {
    return this.diagnostics[0]?.hint;
  }
}

/**
 * One problem not located in a spec: `code` is stable (`data/…`, `checkpoint/…`, `cli/…`, `env/…`), `file` names
 * the file it is about, `hint` says what to do.
 */
export function userError(code: string, message: string, o: { file?: string; hint?: string; pointer?: string } = {}): DiagnosticError {
  return new DiagnosticError([{ code, severity: 'error', message, pointer: o.pointer ?? '', file: o.file, hint: o.hint }]);
}

/** Marks a broken assumption inside netspec itself: a bug, never bad user input. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`netspec internal error: ${message}`);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function error(code: string, message: string, pointer: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { code, severity: 'error', message, pointer, ...extra };
}
