/**
 * The registry's Keras names draw in real Keras 3 what netspec's tfjs builder draws: for every initialiser, its
 * `keras` entry (src/ir/initializers.ts) is built by Keras (initializer_stats.py in the venv of scripts/ci/keras.sh)
 * and the standard deviation, the largest |value| and the mass beyond 2σ of Keras' kernel are those of the tfjs
 * kernel of the same shape, to sampling error.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { kernelInitializer } from '../../../src/backends/tfjs/init';
import { INITIALIZER_NAMES, initializers } from '../../../src/ir/initializers';
import { tf } from '../../../src/runtime/tf';
import { kerasPython } from './fixtures';

// fan_in 576, fan_out 864 and 55,296 draws: every mode gives another number, a 4% band is 9 standard errors.
const SHAPE = [3, 3, 64, 96];

function tfjsStats(name: (typeof INITIALIZER_NAMES)[number]): [number, number, number] {
  const v = Array.from(kernelInitializer(name, SHAPE, 7).apply(SHAPE).dataSync() as Float32Array);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  const max = v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
  return [std, max, std > 0 ? v.filter((x) => Math.abs(x) > 2 * std).length / v.length : 0];
}

if (!fs.existsSync(kerasPython)) {
  describe('Keras initialisers (not run: no Keras venv; scripts/ci/keras.sh makes it)', () => {
    test('the Keras venv is really absent', () => {
      console.warn(`Keras initialiser comparison cannot run: no Keras venv at ${kerasPython}`);
      expect(fs.existsSync(kerasPython)).toBe(false);
    });
  });
} else {
  describe('Keras 3 draws what tfjs draws', () => {
    let keras: Array<[number, number, number]> = [];
    beforeAll(async () => {
      await tf.setBackend('cpu');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-keras-init-'));
      fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(INITIALIZER_NAMES.map((n) => [initializers[n].keras, SHAPE])));
      execFileSync(kerasPython, [path.join(__dirname, 'initializer_stats.py'), path.join(dir, 'jobs.json'), path.join(dir, 'out.json')], {
        env: { ...process.env, KERAS_BACKEND: 'jax', JAX_PLATFORMS: 'cpu' }, stdio: ['ignore', 'ignore', 'inherit'],
      });
      keras = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8'));
      fs.rmSync(dir, { recursive: true, force: true });
    }, 120_000);

    test.each(INITIALIZER_NAMES.map((n, i) => [n, initializers[n].keras, i]))('%s (Keras: %s)', (name, _, i) => {
      const [kStd, kMax, kBeyond] = keras[i as number];
      const [tStd, tMax, tBeyond] = tfjsStats(name as (typeof INITIALIZER_NAMES)[number]);
      if (kStd === 0) {
        expect([tStd, tMax]).toEqual([0, 0]);
        return;
      }
      expect(Math.abs(tStd / kStd - 1)).toBeLessThan(0.04);
      // Bounded draws reach their bound in 55,296 tries; an untruncated normal's maximum is only near 4.5σ.
      expect(Math.abs(tMax / kMax - 1)).toBeLessThan(kBeyond > 0.03 ? 0.25 : 0.04);
      expect(Math.abs(tBeyond - kBeyond)).toBeLessThan(0.01);
    });
  });
}
