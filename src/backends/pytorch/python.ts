/**
 * Finding a Python that imports torch. Debian's `python3-torch` is installed for /usr/bin/python3, while a
 * `python3` earlier on PATH (pyenv, a venv) often lacks it, so every candidate is asked to import torch rather than
 * trusted by name: `--python`, then NETSPEC_PYTHON, then `python3` on PATH, then /usr/bin/python3.
 */
import { spawnSync } from 'child_process';
import { userError } from '../../diagnostics/diagnostic';

export interface TorchPython {
  /** The interpreter, as given or found. */
  executable: string;
  torchVersion: string;
  cuda: boolean;
  /** Whether torch.distributed (and so torchrun) is built in. */
  distributed: boolean;
}

const PROBE = 'import torch, torch.distributed as d; print(torch.__version__, int(torch.cuda.is_available()), int(d.is_available()))';

/** Asks one interpreter; undefined when it does not start or cannot import torch. */
export function probePython(executable: string): TorchPython | undefined {
  const r = spawnSync(executable, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return undefined;
  const [version, cuda, distributed] = r.stdout.trim().split(/\s+/);
  if (version === undefined) return undefined;
  return { executable, torchVersion: version, cuda: cuda === '1', distributed: distributed === '1' };
}

export function pythonCandidates(explicit?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit !== undefined) return [explicit];
  if (env.NETSPEC_PYTHON) return [env.NETSPEC_PYTHON];
  return ['python3', '/usr/bin/python3'];
}

let cached: TorchPython | null | undefined;

/** The first candidate that imports torch (memoised when no interpreter is given explicitly). */
export function findTorchPython(explicit?: string, env: NodeJS.ProcessEnv = process.env): TorchPython | undefined {
  if (explicit === undefined && env === process.env && cached !== undefined) return cached ?? undefined;
  const found = pythonCandidates(explicit, env).map(probePython).find((p) => p !== undefined);
  if (explicit === undefined && env === process.env) cached = found ?? null;
  return found;
}

/** `findTorchPython`, or the error that says which interpreters were asked and how to install torch. */
export function requireTorchPython(explicit?: string, env: NodeJS.ProcessEnv = process.env): TorchPython {
  const found = findTorchPython(explicit, env);
  if (found !== undefined) return found;
  const asked = pythonCandidates(explicit, env).join(', ');
  throw userError('env/no-torch', `no Python with PyTorch found (asked: ${asked})`, {
    hint: 'install it with `apt-get install python3-torch` (Debian, for /usr/bin/python3), or point --python / NETSPEC_PYTHON at an interpreter that imports torch',
  });
}
