import { Command, CommanderError } from 'commander';
import { packageVersion } from '../io/package-root';
import { commands } from './commands';
import { reportFailure } from './errors';

/** Entry point of the `netspec` command: thin commands over the compiler pipeline. */
export async function main(argv: string[]): Promise<void> {
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

