/**
 * The emitted PyTorch module initialises as the tfjs model does: its __init__ draws every conv and linear kernel
 * with the IR's initialiser (torch's own nn.init functions, or Keras' truncated variance scaling written in torch),
 * and the drawn standard deviations and bounds match the closed forms (test/helpers/initializers.ts) with torch's
 * fans: weight [out, in / groups, k, k], fan_in = in / groups · k², fan_out = out · k².
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emitPyTorch } from '../../../src/backends/pytorch/module';
import { InitializerName } from '../../../src/ir/initializers';
import { graphOf } from '../../helpers/compile';
import { closedForm } from '../../helpers/initializers';
import { describeWithTorch, runPython } from './torch-env';

type Stats = Record<string, [number[], number, number, number]>;

/** Built-in, --set overrides, the conv and dense initialisers they lead to. */
const CASES: Array<[string, string[], InitializerName, InitializerName]> = [
  ['resnet18', ['input=[64, 64, 3]'], 'kaiming_normal_fan_out', 'torch_default'],
  ['keras-cifar/resnet_v1', [], 'he_normal', 'he_normal'],
  ['cifar/resnet20', ['initializer.conv=glorot_normal', 'initializer.dense=truncated_normal'], 'glorot_normal', 'truncated_normal'],
  ['cifar/resnet20', ['initializer.conv=lecun_normal', 'initializer.dense=he_uniform'], 'lecun_normal', 'he_uniform'],
  ['cifar/resnet20', ['initializer.conv=kaiming_uniform_fan_out', 'initializer.dense=glorot_uniform'], 'kaiming_uniform_fan_out', 'glorot_uniform'],
  ['seresnext50_32x4d', ['input=[64, 64, 3]', 'initializer.conv=torch_default', 'initializer.dense=zeros'], 'torch_default', 'zeros'],
];

test.each([
  // torchvision's ResNet.__init__ and nn.Linear.reset_parameters, in their own words.
  ['resnet18', [], ['nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")', 'nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))']],
  // Keras' he_normal: a normal cut at 2σ, its stddev widened by 1 / 0.8796 (Keras 3 VarianceScaling).
  ['keras-cifar/resnet_v1', [], ['truncated_variance_scaling_(m.weight, 2.0, "fan_in")', 'std = math.sqrt(scale / max(1.0, fan)) / 0.87962566103423978']],
  ['keras/resnet50', [], ['nn.init.xavier_uniform_(m.weight)', 'nn.init.xavier_uniform_(self.fc.weight)']],
  ['cifar/resnet20', ['initializer.dense=truncated_normal'], ['nn.init.trunc_normal_(self.fc.weight, std=0.05, a=-0.1, b=0.1)']],
] as const)('the module emitted for %s %s draws with %s', (ref, sets, lines) => {
  const text = emitPyTorch(graphOf(ref, [...sets]), { source: ref });
  for (const line of lines) expect(text).toContain(line);
  expect(text).toContain('        self.reset_parameters()\n');
});

describeWithTorch('emitted PyTorch initialisation', [], (python) => {
  let results: Stats[] = [];
  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-pt-init-'));
    const files = CASES.map(([ref, sets], i) => {
      const file = path.join(dir, `m${i}.py`);
      fs.writeFileSync(file, emitPyTorch(graphOf(ref, sets), { source: ref, sets }));
      return file;
    });
    fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(files));
    runPython(python, [path.join(__dirname, 'init_stats.py'), path.join(dir, 'jobs.json'), path.join(dir, 'out.json')]);
    results = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as Stats[];
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  test.each(CASES.map((c, i) => [`${c[0]} ${c[1].join(' ')}`.trim(), c[2], c[3], i] as const))('%s: convs %s, dense %s, as the closed forms', (_, conv, dense, i) => {
    const stats = results[i];
    const kernels = Object.entries(stats).filter(([name]) => name.endsWith('.weight'));
    expect(kernels.length).toBeGreaterThan(5);
    for (const [name, [shape, std, maxAbs, beyond]] of kernels) {
      const linear = shape.length === 2;
      const rf = shape.slice(2).reduce((a, b) => a * b, 1);
      const want = closedForm(linear ? dense : conv, { fanIn: shape[1] * rf, fanOut: shape[0] * rf });
      const n = shape.reduce((a, b) => a * b, 1);
      const where = `${name} ${shape.join('×')}`;
      if (want.std === 0) {
        expect([where, maxAbs]).toEqual([where, 0]);
        continue;
      }
      // The relative standard error of a sample std is about 1 / sqrt(2n); 6 of them, and at least 3%.
      const tolerance = Math.max(0.03, 6 / Math.sqrt(2 * n));
      expect([where, Math.abs(std / want.std - 1) < tolerance]).toEqual([where, true]);
      expect([where, maxAbs <= want.bound * (1 + 1e-6)]).toEqual([where, true]);
      // A truncated or uniform draw has nothing beyond its bound; an untruncated normal has 4.55% beyond 2σ.
      if (!Number.isFinite(want.bound) && n > 10_000) expect([where, beyond > 0.035]).toEqual([where, true]);
    }
    for (const [name, [, , maxAbs]] of Object.entries(stats).filter(([k]) => k.endsWith('.bias'))) expect([name, maxAbs]).toEqual([name, 0]);
  });
});
