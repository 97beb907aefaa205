/**
 * `netspec export --format safetensors`: a tfjs model's weights as a torch state dict, read back by
 * `compile --weights` into the same tensors, bit for bit; torch's own reader is exercised in the torch tests.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { netspec } from '../../helpers/cli';
import { readSafetensors } from '../../../src/io/safetensors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-export-st-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** weights.bin of a compiled model: every tensor's bytes in manifest order. */
const weightBytes = (model: string) => fs.readFileSync(path.join(dir, model, 'weights.bin'));

test('export a compiled model as safetensors and compile it back: the same weights, bit for bit', async () => {
  expect((await netspec('compile', 'cifar/resnet20', '--out', path.join(dir, 'a'))).code).toBe(0);
  const st = path.join(dir, 'a.safetensors');
  const exported = await netspec('export', path.join(dir, 'a', 'model.json'), '--format', 'safetensors', '--out', st);
  expect(exported.code).toBe(0);
  expect(exported.stdout).toMatch(/^wrote .*a\.safetensors: \d+ tensors/m);
  const state = readSafetensors(st);
  // torch module names and shapes: conv weights OIHW, BN statistics beside gamma and beta.
  expect(state.get('conv1.weight')?.shape).toEqual([16, 3, 3, 3]);
  expect(state.get('bn1.running_var')?.shape).toEqual([16]);
  expect(state.get('fc.weight')?.shape).toEqual([10, 64]);
  const back = await netspec('compile', 'cifar/resnet20', '--weights', st, '--out', path.join(dir, 'b'));
  expect(back.stderr).toBe('');
  expect(back.code).toBe(0);
  expect(weightBytes('b').equals(weightBytes('a'))).toBe(true);
});

test('--inference is refused for a state dict, with a reason', async () => {
  const r = await netspec('export', 'resnet18', '--format', 'safetensors', '--inference', '--out', path.join(dir, 'x.safetensors'));
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--inference applies to ONNX only \[cli\/usage\]/);
  expect(fs.existsSync(path.join(dir, 'x.safetensors'))).toBe(false);
});
