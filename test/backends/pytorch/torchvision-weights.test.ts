/**
 * torchvision state dicts through `netspec compile --weights model.safetensors`: seeded random weights and BN
 * statistics written by torchvision itself, eval-mode logits compared with torch's; then the way back, tfjs →
 * safetensors → torch (strict=True) → safetensors → tfjs, bit for bit.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { loadModel } from '../../../src/backends/tfjs';
import { exportSafetensors } from '../../../src/backends/pytorch/export-safetensors';
import { readSafetensors, StoredTensor } from '../../../src/io/safetensors';
import { compileSpec } from '../../../src/ir/compile';
import { selectBackend } from '../../../src/runtime/backend';
import { tf } from '../../../src/runtime/tf';
import { netspec } from '../../helpers/cli';
import { describeWithTorch, runPython } from './torch-env';

const SCRIPT = path.join(__dirname, 'torchvision_reference.py');
/** The built-in spec and `--set`s that mirror each torchvision model (10 classes, 64² inputs keep it fast). */
const MODELS: Record<string, string[]> = {
  resnet18: ['resnet18'],
  resnet50: ['resnet50'],
  resnext50_32x4d: ['resnet50', '--set', 'groups=32', '--set', 'base_width=4'],
};
const COMMON = ['--set', 'input=[64,64,3]', '--set', 'head.classes=10'];

const tensor = (t: StoredTensor, dtype: 'float32' = 'float32') => tf.tensor(t.values, t.shape, dtype);

describeWithTorch('torchvision checkpoints', ['torchvision'], (python) => {
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-tv-'));
    runPython(python, [SCRIPT, 'make', dir, ...Object.keys(MODELS)]);
    await selectBackend({ backend: 'auto' });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe.each(Object.entries(MODELS))('%s', (name, spec) => {
    let model: LayersModel;
    afterAll(() => model?.dispose());

    test('loads with compile --weights and gives torchvision\'s eval logits (relative |Δ| ≤ max(1e-5, 2× torch fp32-vs-fp64))', async () => {
      const out = path.join(dir, name);
      const r = await netspec('compile', ...spec, ...COMMON, '--weights', path.join(dir, `${name}.safetensors`), '--out', out);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/loaded (\d+) of \1 weights/);
      model = await loadModel(out);
      const io = readSafetensors(path.join(dir, `${name}.io.safetensors`));
      const [ours, y32, y64] = tf.tidy(() => {
        const x = tf.transpose(tensor(io.get('x')!), [0, 2, 3, 1]);
        return [model.predict(x) as Tensor, tensor(io.get('y32')!), tensor(io.get('y64')!)];
      });
      const scale = tf.max(tf.abs(y64)).dataSync()[0];
      const ourError = tf.max(tf.abs(tf.sub(ours, y64))).dataSync()[0] / scale;
      const torchNoise = tf.max(tf.abs(tf.sub(y32, y64))).dataSync()[0] / scale;
      tf.dispose([ours, y32, y64]);
      console.log(`${name}: logits up to ${scale.toFixed(3)}; relative |Δ| netspec ${ourError.toExponential(2)}, torch fp32 ${torchNoise.toExponential(2)}`);
      expect(scale).toBeGreaterThan(0.1);
      expect(ourError).toBeLessThanOrEqual(Math.max(1e-5, 2 * torchNoise));
    });

    test('round trip tfjs → safetensors → torch (strict=True) → safetensors → tfjs is bit-identical', async () => {
      const { graph } = compileSpec(spec[0], { sets: [...spec.slice(1), ...COMMON].filter((s) => s !== '--set') });
      const exported = path.join(dir, `${name}.export.safetensors`);
      const reloaded = path.join(dir, `${name}.reload.safetensors`);
      exportSafetensors(model, graph!, exported);
      runPython(python, [SCRIPT, 'reload', name, exported, reloaded]);
      // torchvision's own file and the one torch wrote back after loading ours hold the same bits.
      const original = readSafetensors(path.join(dir, `${name}.safetensors`));
      const back = readSafetensors(reloaded);
      const floats = [...original.keys()].filter((k) => !k.endsWith('num_batches_tracked'));
      expect([...back.keys()].sort()).toEqual([...original.keys()].sort());
      for (const k of floats) expect(Buffer.from(back.get(k)!.values.buffer).equals(Buffer.from(original.get(k)!.values.buffer))).toBe(true);
      const again = path.join(dir, `${name}.again`);
      const r = await netspec('compile', ...spec, ...COMMON, '--weights', reloaded, '--out', again);
      expect(r.code).toBe(0);
      const second = await loadModel(again);
      try {
        for (const [a, b] of model.weights.map((w, i) => [w, second.weights[i]] as const)) {
          expect(b.originalName).toBe(a.originalName);
          expect(Buffer.from((b.read().dataSync() as Float32Array).buffer).equals(Buffer.from((a.read().dataSync() as Float32Array).buffer))).toBe(true);
        }
      } finally {
        second.dispose();
      }
    });
  });
});
