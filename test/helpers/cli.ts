import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';

/** The built CLI, as a user runs it (`npm test` builds dist/ first). */
export const cliPath = path.join(__dirname, '..', '..', 'bin', 'netspec.js');
const exec = promisify(execFile);

/** Runs `netspec …` in a child process; never throws on a non-zero exit, returns it. */
export async function netspec(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cliPath, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
