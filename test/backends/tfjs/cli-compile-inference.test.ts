/** `netspec compile --inference` as a user runs it (the built CLI in a child process), then loaded back. */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import type { Tensor } from '@tensorflow/tfjs';
import { loadModel } from '../../../src/backends/tfjs/load';
import { tf } from '../../../src/runtime/tf';
import { relativeError } from './kernels-helpers';

const cli = path.join(__dirname, '..', '..', '..', 'bin', 'netspec.js');
const exec = promisify(execFile);

let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-inference-'));
  await tf.setBackend('cpu');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('compile --inference writes the folded model; it predicts what the plain one does', async () => {
  const plain = path.join(dir, 'plain');
  const folded = path.join(dir, 'folded');
  await exec(process.execPath, [cli, 'compile', 'cifar/resnet20', '--out', plain, '--backend', 'cpu']);
  // Same weights in both: the folded one is compiled from the plain one's weights.
  const { stdout } = await exec(process.execPath, [cli, 'compile', 'cifar/resnet20', '--out', folded, '--inference',
    '--weights', path.join(plain, 'model.json'), '--backend', 'cpu']);
  // 73 layers less 19 batch norms and the 10 ReLUs that follow one.
  expect(stdout).toContain(`wrote ${path.join(folded, 'model.json')} and weights.bin: 44 layers (batch norm folded`);
  // Conv kernels (269,722 trainable − 1,376 BN − 650 fc = 267,696) + one bias per BN channel (688) + fc (650).
  expect(fs.statSync(path.join(folded, 'weights.bin')).size).toBe(4 * (267_696 + 688 + 650));
  const json = JSON.parse(fs.readFileSync(path.join(folded, 'model.json'), 'utf8'));
  expect(json.userDefinedMetadata.netspec).toMatchObject({ spec: 'cifar/resnet20', inference: true });

  const [a, b] = await Promise.all([loadModel(plain), loadModel(folded)]);
  expect(b.layers.some((l) => /BatchNormalization/.test(l.getClassName()))).toBe(false);
  // The plumbing only (fold.test.ts checks the arithmetic on non-trivial statistics): same predictions.
  const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 5);
  const [ya, yb] = [a.predict(x) as Tensor, b.predict(x) as Tensor];
  expect(relativeError(yb.dataSync(), ya.dataSync())).toBeLessThanOrEqual(1e-4);
  tf.dispose([x, ya, yb]);
  a.dispose();
  b.dispose();
});
