import { DiagnosticError, EXIT_INTERNAL, userError } from '../diagnostics/diagnostic';
import { environmentError } from '../diagnostics/environment';
import { renderDiagnostic } from '../diagnostics/render';

/** A problem with how a command was called (a flag, an output path): one clear line and exit code 2. */
export function usageError(message: string, hint?: string): DiagnosticError {
  return userError('cli/usage', message, { hint });
}

/**
 * Prints a failure the way a user should see it and returns the exit code. User problems (DiagnosticError, and
 * operating-system failures such as a full disk) exit 2 with what to do; anything else is a netspec bug, the last
 * resort: one line, and the stack with NETSPEC_DEBUG=1.
 */
export function reportFailure(e: unknown, sources?: ReadonlyMap<string, string>): number {
  const user = e instanceof DiagnosticError ? e : environmentError(e);
  if (user) {
    for (const d of user.diagnostics) process.stderr.write(renderDiagnostic(d, user.sources ?? sources, process.stderr.isTTY) + '\n');
    return user.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`netspec: internal error: ${err?.message ?? String(e)}\n`);
  if (process.env.NETSPEC_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  else process.stderr.write('  (run with NETSPEC_DEBUG=1 for details, and please report it)\n');
  return EXIT_INTERNAL;
}
