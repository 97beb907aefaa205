import { DiagnosticError, EXIT_BAD_INPUT, EXIT_INTERNAL } from '../diagnostics/diagnostic';
import { renderDiagnostic } from '../diagnostics/render';

/** A problem with what the user asked for, reported as one clear line and exit code 2 (or the given code). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = EXIT_BAD_INPUT, readonly hint?: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Prints a failure the way a user should see it and returns the exit code. Stacks only with NETSPEC_DEBUG=1. */
export function reportFailure(e: unknown, sources?: ReadonlyMap<string, string>): number {
  if (e instanceof DiagnosticError) {
    for (const d of e.diagnostics) process.stderr.write(renderDiagnostic(d, sources, process.stderr.isTTY) + '\n');
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
