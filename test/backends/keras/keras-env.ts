/**
 * Real Keras 3 for comparisons (the venv of scripts/ci/keras.sh, jax backend on CPU). Without it the suites do not
 * pretend: one test says why, and asserts the reason is real.
 */
import * as fs from 'fs';
import { kerasPython } from './fixtures';

/** The environment Keras runs in: the jax backend, on the CPU. */
export const kerasEnv = { ...process.env, KERAS_BACKEND: 'jax', JAX_PLATFORMS: 'cpu' };

/** `describe(title, body)` when the Keras venv is there; otherwise one visible test that states and checks why not. */
export function describeWithKeras(title: string, body: (python: string) => void): void {
  if (fs.existsSync(kerasPython)) {
    describe(title, () => body(kerasPython));
    return;
  }
  describe(`${title} (not run: no Keras venv at ${kerasPython}; scripts/ci/keras.sh makes it)`, () => {
    test('the Keras venv is really absent', () => {
      console.warn(`${title}: not run, no Keras venv at ${kerasPython}`);
      expect(fs.existsSync(kerasPython)).toBe(false);
    });
  });
}
