/**
 * Keras-written weight files for the tests, made by real Keras (make_fixtures.py, make_heads.py in the venv of
 * scripts/ci/keras.sh) once and cached under .cache/keras-fixtures/<hash of the script>.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export const root = path.join(__dirname, '..', '..', '..');
const script = path.join(__dirname, 'make_fixtures.py');
export const kerasPython = process.env.NETSPEC_KERAS_PYTHON ?? path.join(root, '.venv-keras', 'bin', 'python');

/** Where the files of a fixture script are cached: one folder per version of the script. */
export function fixturesOf(scriptPath: string): string {
  return path.join(root, '.cache', 'keras-fixtures', crypto.createHash('sha256').update(fs.readFileSync(scriptPath)).digest('hex').slice(0, 16));
}

export const kerasFixtures = fixturesOf(script);

/** Makes the fixtures if they are not there yet; returns why they cannot be made, or undefined when they exist. */
export function makeKerasFixtures(scriptPath = script): string | undefined {
  const fixtures = fixturesOf(scriptPath);
  if (fs.existsSync(path.join(fixtures, 'done'))) return undefined;
  if (!fs.existsSync(kerasPython)) return `no Keras venv at ${kerasPython} (scripts/ci/keras.sh makes it)`;
  // Made in a folder of its own and renamed into place: test files running at once never see half a set.
  fs.mkdirSync(path.dirname(fixtures), { recursive: true });
  const making = fs.mkdtempSync(`${fixtures}.making-`);
  execFileSync(kerasPython, [scriptPath, making], { stdio: 'inherit', env: { ...process.env, KERAS_BACKEND: 'jax', JAX_PLATFORMS: 'cpu' } });
  // A set left half-made by a killed run is replaced; a complete one made meanwhile by another file is kept.
  if (!fs.existsSync(path.join(fixtures, 'done'))) fs.rmSync(fixtures, { recursive: true, force: true });
  try {
    fs.renameSync(making, fixtures);
  } catch {
    fs.rmSync(making, { recursive: true, force: true }); // another test file finished first: its set is the same
  }
  return undefined;
}
