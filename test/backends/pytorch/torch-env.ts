/**
 * The torch these tests compare against: Debian's python3-torch (scripts/ci/torch.sh installs it). Without it the
 * suites do not pretend: one test says why, and asserts the reason is real.
 */
import { spawnSync } from 'child_process';
import { findTorchPython, TorchPython } from '../../../src/backends/pytorch/python';

export interface TorchEnv {
  python?: TorchPython;
  /** Why the suite cannot run, when it cannot. */
  missing?: string;
}

export function torchEnv(modules: string[] = []): TorchEnv {
  const python = findTorchPython();
  if (python === undefined) return { missing: 'no Python that imports torch (apt-get install python3-torch)' };
  const absent = modules.filter((m) => spawnSync(python.executable, ['-c', `import ${m}`]).status !== 0);
  if (absent.length > 0) return { missing: `${python.executable} lacks ${absent.join(', ')} (apt-get install ${absent.map((m) => `python3-${m}`).join(' ')})` };
  return { python };
}

/** `describe(title, body)` when torch is there; otherwise one visible test that states and checks the reason. */
export function describeWithTorch(title: string, modules: string[], body: (python: TorchPython) => void): void {
  const env = torchEnv(modules);
  if (env.python !== undefined) {
    describe(title, () => body(env.python!));
    return;
  }
  describe(`${title} (not run: ${env.missing})`, () => {
    test('the reason for not running is real', () => {
      console.warn(`${title}: not run, ${env.missing}`);
      expect(torchEnv(modules).python).toBeUndefined();
    });
  });
}

export function runPython(python: TorchPython, args: string[], cwd?: string): string {
  const r = spawnSync(python.executable, args, { encoding: 'utf8', cwd, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${python.executable} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}
