import { DiagnosticError, EXIT_BAD_INPUT, EXIT_INTERNAL } from '../diagnostics/diagnostic';
import { renderDiagnostic } from '../diagnostics/render';

/** A problem with what the user asked for, reported as one clear line and exit code 2 (or the given code). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = EXIT_BAD_INPUT, readonly hint?: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Error classes (by name, to keep this module free of the training and tfjs code) that mean bad user input. */
const USER_ERRORS = new Set(['DataError', 'CheckpointError', 'ModelFileError']);

/** Prints a failure the way a user should see it and returns the exit code. Stacks only with NETSPEC_DEBUG=1. */
export function reportFailure(e: unknown, sources?: ReadonlyMap<string, string>): number {
  if (e instanceof DiagnosticError) {
    for (const d of e.diagnostics) process.stderr.write(renderDiagnostic(d, e.sources ?? sources, process.stderr.isTTY) + '\n');
    return EXIT_BAD_INPUT;
  }
  // Problems with the user's files (data, checkpoints, model files) carry a message and maybe a hint: exit 2.
  if (e instanceof Error && USER_ERRORS.has(e.name)) {
    const hint = (e as { hint?: string }).hint;
    process.stderr.write(`netspec: error: ${e.message}\n${hint ? `  hint: ${hint}\n` : ''}`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof CliError) {
    process.stderr.write(`netspec: error: ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}`);
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`netspec: internal error: ${err?.message ?? String(e)}\n`);
  if (process.env.NETSPEC_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  else process.stderr.write('  (run with NETSPEC_DEBUG=1 for details, and please report it)\n');
  return EXIT_INTERNAL;
}
