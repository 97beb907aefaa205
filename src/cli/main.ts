import { Command, CommanderError } from 'commander';
import { packageVersion } from '../io/package-root';
import { commands } from './commands';
import { EXIT_BAD_INPUT } from '../diagnostics/diagnostic';
import { environmentError } from '../diagnostics/environment';
import { reportFailure } from './errors';
import { handOverClosedStdout } from './stdout';

/**
 * `netspec list | head -1`: once the reader has gone, a write fails with EPIPE, which Node raises as an unhandled
 * 'error' event with a stack trace. The output is no longer wanted: end at once and quietly, as `git` and coreutils do
 * when the pipe closes, keeping the exit code the command has set (`validate` that found problems still exits 2), else
 * 0 — unless the command has taken a closed stdout over (train: see src/cli/stdout.ts). Any other failure of
 * standard output (`> /dev/full`: ENOSPC) is reported like every other failure, exit 2.
 */
export function guardStandardStreams(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' && stream === process.stdout && handOverClosedStdout()) return;
      if (e.code === 'EPIPE') process.exit(Number(process.exitCode ?? 0));
      if (stream === process.stdout) process.exit(reportFailure(environmentError(e, 'cannot write to standard output') ?? e));
      process.exit(EXIT_BAD_INPUT); // stderr itself is broken: nowhere left to say why
    });
  }
}

/**
 * An error thrown from a callback or a promise nobody awaits never reaches `main`'s catch; Node would print its stack.
 * It gets the same report as every other failure (a user problem exits 2, anything else is the one-line internal error).
 */
function reportStrayFailures(): void {
  process.on('uncaughtException', (e) => process.exit(reportFailure(e)));
  process.on('unhandledRejection', (e) => process.exit(reportFailure(e)));
}

/** Entry point of the `netspec` command: thin commands over the compiler pipeline. */
export async function main(argv: string[]): Promise<void> {
  guardStandardStreams();
  reportStrayFailures();
  const program = new Command('netspec')
    .description('Compile ResNet-family architectures from YAML specs: validate, inspect, compile, emit, train.')
    .version(packageVersion)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message already; help and version exit 0, usage errors are bad input.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = reportFailure(e);
  }
}

