/**
 * head.layers and stem.resize in the emitted PyTorch module, run by real torch: the state dict holds the IR's
 * weights under `head.N` (one nn.Sequential), BatchNorm1d after the flatten and BatchNorm2d before it, and with the
 * tfjs model's weights the eval outputs equal tfjs' for a nearest and a bilinear resize.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Tensor } from '@tensorflow/tfjs';
import { exportSafetensors } from '../../../src/backends/pytorch/export-safetensors';
import { emitPyTorch } from '../../../src/backends/pytorch/module';
import { torchParams } from '../../../src/backends/pytorch/names';
import { readSafetensors, writeSafetensors } from '../../../src/io/safetensors';
import { selectBackend } from '../../../src/runtime/backend';
import { tf } from '../../../src/runtime/tf';
import { build, graphOf, randomInput, randomizeWeights } from '../tfjs/support/models';
import { describeWithTorch, runPython } from './torch-env';

const CHECK = path.join(__dirname, 'emitted_check.py');
const SMALL = path.join(__dirname, '..', '..', 'fixtures', 'heads', 'small.yaml');

describeWithTorch('emitted PyTorch modules with head.layers and a resize', [], (python) => {
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-heads-'));
    await selectBackend({ backend: 'auto' });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the state dict: head.0 … head.7 with the IR\'s names and shapes, and the IR\'s trainable count', () => {
    const graph = graphOf(SMALL);
    const module = path.join(dir, 'names.py');
    fs.writeFileSync(module, emitPyTorch(graph, { source: 'small.yaml' }));
    fs.writeFileSync(path.join(dir, 'names.json'), JSON.stringify([{ module, names: path.join(dir, 'names.out.json') }]));
    runPython(python, [CHECK, path.join(dir, 'names.json')]);
    const got = JSON.parse(fs.readFileSync(path.join(dir, 'names.out.json'), 'utf8')) as { params: number; state: Array<[string, number[]]> };
    expect(got.params).toBe(graph.params.trainable);
    expect(got.state.sort()).toEqual(torchParams(graph).map((p) => [p.torch, p.torchShape]).sort());
    // BatchNorm2d on the 8×8×64 map, BatchNorm1d on the 4,096 flattened features; Linear weights [out, in].
    expect(got.state.filter(([k]) => k.startsWith('head.')).map(([k, s]) => `${k} ${s.join('×')}`)).toEqual(expect.arrayContaining([
      'head.0.running_mean 64', 'head.2.running_var 4096', 'head.3.weight 32×4096', 'head.5.weight 16×32', 'head.7.weight 10×16',
    ]));
  });

  test.each([
    ['nearest', []],
    ['bilinear', ['stem.resize.interpolation=bilinear']],
    ['size instead of factor (2×3)', ['stem.resize={size: [32, 48], interpolation: bilinear}']],
  ])('%s resize: eval outputs equal tfjs within float32 noise', (_, sets) => {
    // Logits (a linear classifier): a softmax of random-weight logits saturates and would hide differences.
    const graph = graphOf(SMALL, [...sets, 'head.layers.7.activation=linear']);
    const model = build(graph);
    const tag = `parity-${sets.length}-${String(sets[0] ?? '').length}`;
    const files = { module: path.join(dir, `${tag}.py`), weights: path.join(dir, `${tag}.safetensors`), io: path.join(dir, `${tag}.io.safetensors`), out: path.join(dir, `${tag}.out.safetensors`) };
    try {
      randomizeWeights(model);
      fs.writeFileSync(files.module, emitPyTorch(graph, { source: 'small.yaml', sets }));
      exportSafetensors(model, graph, files.weights);
      const x = randomInput(graph, 2) as Tensor;
      const nchw = tf.transpose(x, [0, 3, 1, 2]);
      writeSafetensors(files.io, new Map([['x', { dtype: 'F32' as const, shape: nchw.shape, values: nchw.dataSync() as Float32Array }]]));
      fs.writeFileSync(path.join(dir, `${tag}.json`), JSON.stringify([files]));
      runPython(python, [CHECK, path.join(dir, `${tag}.json`)]);
      const out = readSafetensors(files.out);
      const ours = (model.predict(x) as Tensor).dataSync();
      const y32 = out.get('y32')!.values;
      const y64 = out.get('y64')!.values;
      expect(y32.length).toBe(ours.length);
      const scale = Math.max(...y64.map(Math.abs));
      const diff = (a: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - y64[i]))) / scale;
      console.log(`small-heads ${sets.join(' ')}: outputs up to ${scale.toPrecision(3)}; relative |Δ| tfjs ${diff(ours).toExponential(2)}, torch fp32 ${diff(y32).toExponential(2)}`);
      expect(scale).toBeGreaterThan(0.1);
      expect(diff(ours)).toBeLessThanOrEqual(Math.max(1e-5, 2 * diff(y32)));
      tf.dispose([x, nchw]);
    } finally {
      model.dispose();
    }
  });
});
