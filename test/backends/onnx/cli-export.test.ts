/**
 * `netspec export` as a user runs it: a compiled model directory to ONNX with its weights, run in onnxruntime-node
 * against netspec's own predictions; the metadata; bad input; and the exported ResNet-50 through the ONNX checker
 * (Python's `onnx`, from the venv that scripts/ci/onnx.sh makes) where it is installed.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Tensor } from '@tensorflow/tfjs';
import { ModelProto } from '../../../src/backends/onnx/proto';
import { loadModel } from '../../../src/backends/tfjs/load';
import { tf } from '../../../src/runtime/tf';
import { netspec } from '../../helpers/cli';
import { relativeDiff, runOnnx } from './support';

const VENV_PYTHON = path.join(process.env.NETSPEC_VENV ?? '/opt/netspec-venv', 'bin', 'python');
const VERSION = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).version as string;

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-export-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Decoded {
  irVersion: number;
  opsetImport: Array<{ version: number }>;
  producerName: string;
  metadataProps: Array<{ key: string; value: string }>;
  graph: { input: Array<{ name: string; type: { tensorType: { shape: { dim: Array<{ dimValue?: number; dimParam?: string }> } } } }> };
}
const decode = (file: string) => ModelProto.toObject(ModelProto.decode(fs.readFileSync(file)), { longs: Number }) as Decoded;

test('a compiled model.json exports with its weights and runs in onnxruntime with netspec\'s outputs', async () => {
  const model = path.join(dir, 'r20');
  expect((await netspec('compile', 'cifar/resnet20', '--out', model, '--backend', 'cpu')).code).toBe(0);
  const onnxFile = path.join(dir, 'r20.onnx');
  const run = await netspec('export', model, '--format', 'onnx', '--out', onnxFile, '--layout', 'nchw', '--opset', '18');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/wrote .*r20\.onnx: ONNX opset 18, NCHW input/);

  const loaded = await loadModel(model);
  const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3);
  const expected = (loaded.predict(x) as Tensor).dataSync();
  const [actual] = runOnnx(fs.readFileSync(onnxFile), tf.transpose(x, [0, 3, 1, 2]));
  expect(relativeDiff(actual, expected)).toBeLessThanOrEqual(1e-4);

  const m = decode(onnxFile);
  expect(m.opsetImport[0].version).toBe(18);
  expect(m.irVersion).toBe(8);
  expect(m.producerName).toBe('netspec');
  expect(m.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'N' }, { dimValue: 3 }, { dimValue: 32 }, { dimValue: 32 }]);
  const meta = Object.fromEntries(m.metadataProps.map((p) => [p.key, p.value]));
  expect(meta['netspec.version']).toBe(VERSION);
  expect(meta['netspec.spec']).toContain('depth: 20');
  expect(meta['netspec.spec_sha256']).toBe(createHash('sha256').update(meta['netspec.spec']).digest('hex'));
  loaded.dispose();
});

test('bad export input: one line, exit 2', async () => {
  const opset = await netspec('export', 'cifar/resnet20', '--out', path.join(dir, 'x.onnx'), '--opset', '9');
  expect(opset.code).toBe(2);
  expect(opset.stderr).toContain('expected an opset from 13 to 21');
  const layout = await netspec('export', 'cifar/resnet20', '--out', path.join(dir, 'x.onnx'), '--layout', 'nwhc');
  expect(layout.code).toBe(2);
  expect(layout.stderr).toContain('--layout nwhc is not one of nhwc, nchw');
  const format = await netspec('export', 'cifar/resnet20', '--out', path.join(dir, 'x.onnx'), '--format', 'tflite');
  expect(format.code).toBe(2);
  expect(format.stderr).toContain('--format tflite is not supported');
  for (const r of [opset, layout, format]) expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(fs.existsSync(path.join(dir, 'x.onnx'))).toBe(false);
});

const checker = fs.existsSync(VENV_PYTHON) && (() => {
  try {
    execFileSync(VENV_PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('the exported ResNet-50 (224×224, BN folded) passes the ONNX checker with full shape inference', async () => {
  if (!checker) {
    console.warn(`ONNX checker not run: no Python with the onnx package at ${VENV_PYTHON} (scripts/ci/onnx.sh installs it)`);
    expect(fs.existsSync(VENV_PYTHON) ? 'onnx missing' : 'venv missing').toMatch(/missing/);
    return;
  }
  const file = path.join(dir, 'resnet50.onnx');
  const run = await netspec('export', 'resnet50', '--out', file, '--inference');
  expect(run.code).toBe(0);
  const script = [
    'import onnx, sys',
    'm = onnx.load(sys.argv[1])',
    'onnx.checker.check_model(m, full_check=True)',
    'print(len(m.graph.node), m.graph.output[0].type.tensor_type.shape.dim[1].dim_value)',
  ].join('\n');
  const out = execFileSync(VENV_PYTHON, ['-c', script, file], { encoding: 'utf8' }).trim().split(' ');
  expect(Number(out[1])).toBe(1000);
  expect(Number(out[0])).toBeGreaterThan(53);
});
