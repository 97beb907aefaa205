/** Running the built CLI with control over what the tests of operational failures need: env, user, stdout. */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cliPath } from './cli';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Run as this user id (and group id): the tests run as root in CI, where permissions do not stop writes. */
  uid?: number;
  /** Close the read end of stdout at once, as `netspec … | head -0` would. */
  closeStdout?: boolean;
  /** A file descriptor for stdout instead of a pipe (e.g. /dev/full). */
  stdoutFd?: number;
}

export function runCli(args: string[], o: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, ...o.env },
      stdio: ['ignore', o.stdoutFd ?? 'pipe', 'pipe'],
      ...(o.uid === undefined ? {} : { uid: o.uid, gid: o.uid }),
    });
    let stdout = '';
    let stderr = '';
    if (o.closeStdout) child.stdout!.destroy();
    else child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * A user for whom file modes apply: `nobody` (65534) when the tests run as root, else the current user. Running as
 * nobody needs the checkout to be readable by everyone; `reason` says why that is not the case here.
 */
export function unprivilegedUser(): { ok: true; uid?: number } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) return { ok: true };
  const probe = spawnSync(process.execPath, [cliPath, '--version'], { uid: 65534, gid: 65534, encoding: 'utf8' });
  if (probe.status === 0) return { ok: true, uid: 65534 };
  return { ok: false, reason: `running as uid 65534 fails (${probe.error ?? probe.stderr.trim().split('\n')[0]})` };
}

/**
 * Whether a private mount namespace with a tmpfs can be made here (`unshare -rm`, no root needed on most kernels).
 * `reason` says why not, from the probe's own output.
 */
export function mountNamespace(dir: string): { ok: true } | { ok: false; reason: string } {
  const probe = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=4k tmpfs "$1"', 'sh', dir], { encoding: 'utf8' });
  if (probe.status === 0) return { ok: true };
  return { ok: false, reason: probe.error ? String(probe.error) : `unshare exited ${probe.status}: ${probe.stderr.trim()}` };
}

/**
 * Runs `netspec …args` inside a private mount namespace where `dir` is a fresh tmpfs of `size` bytes holding
 * `net.ts` ("old"), `model/` and `run/`; with `readOnly` the tmpfs is then remounted read-only. Returns the run and
 * what the tmpfs holds afterwards (the mount vanishes with the namespace).
 */
export function runCliOnTmpfs(dir: string, size: string, readOnly: boolean, args: string[]): CliRun & { left: string[]; oldFile: string } {
  const script = [
    'D=$1; SIZE=$2; RO=$3; shift 3',
    'mount -t tmpfs -o size=$SIZE tmpfs "$D" || exit 99',
    'echo old > "$D/net.ts"; mkdir "$D/model" "$D/run"',
    'if [ "$RO" = 1 ]; then mount -o remount,ro "$D" || exit 98; fi',
    '"$@" >/dev/null 2>"$D.stderr"; echo "exit=$?"',
    'find "$D" -mindepth 1 | sort; echo "old=$(cat "$D/net.ts")"',
  ].join('\n');
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', dir, size, readOnly ? '1' : '0', process.execPath, cliPath, ...args], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  const code = Number(/^exit=(\d+)$/.exec(lines[0] ?? '')?.[1] ?? NaN);
  const stderrFile = `${dir}.stderr`;
  const stderr = fs.existsSync(stderrFile) ? fs.readFileSync(stderrFile, 'utf8') : r.stderr;
  return {
    code, signal: null, stdout: r.stdout, stderr,
    left: lines.slice(1, -1).map((l) => path.relative(dir, l)),
    oldFile: lines[lines.length - 1]?.replace(/^old=/, '') ?? '',
  };
}
