/**
 * head.layers and stem.resize in the emitted PyTorch module, run by real torch: the state dict holds the IR's
 * weights under `head.N` (one nn.Sequential), BatchNorm1d after the flatten and BatchNorm2d before it, and with the
 * tfjs model's weights the eval outputs equal tfjs' for a nearest and a bilinear resize.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emitPyTorch } from '../../../src/backends/pytorch/module';
import { torchParams } from '../../../src/backends/pytorch/names';
import { selectBackend } from '../../../src/runtime/backend';
import { graphOf } from '../tfjs/support/models';
import { expectTorchParity } from './parity';
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
    const all = [...sets, 'head.layers.7.activation=linear'];
    expectTorchParity(python, dir, `parity-${sets.length}-${String(sets[0] ?? '').length}`, graphOf(SMALL, all), { source: 'small.yaml', sets: all });
  });
});
