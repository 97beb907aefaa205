/** The CLI contract other tools rely on: exit codes, `inspect --json`, `list`, `validate`. */
import * as fs from 'fs';
import * as path from 'path';
import { netspec } from '../helpers/cli';
import { builtinNames, specsDir } from '../../src/spec/builtins';


const issueBuiltins = [
  'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152',
  'keras/resnet50', 'keras/resnet101', 'keras/resnet152', 'keras/resnet50v2', 'keras/resnet101v2', 'keras/resnet152v2',
  'cifar/resnet20', 'cifar/resnet32', 'cifar/resnet44', 'cifar/resnet56', 'cifar/resnet110', 'cifar/resnet1202',
  'keras-cifar/resnet_v1', 'keras-cifar/resnet_v2',
];

test('every built-in the product promises exists, starts with a schema modeline, and validates', async () => {
  expect(builtinNames()).toEqual(expect.arrayContaining(issueBuiltins));
  for (const name of builtinNames(true)) {
    const file = path.join(specsDir, `${name}.yaml`);
    const modeline = /^# yaml-language-server: \$schema=(\S+)/.exec(fs.readFileSync(file, 'utf8'));
    expect({ name, modeline: !!modeline }).toEqual({ name, modeline: true });
    expect(path.resolve(path.dirname(file), modeline![1])).toBe(path.join(specsDir, 'netspec.schema.json'));
  }
  const { code, stdout } = await netspec('validate', ...builtinNames());
  expect(stdout).toBe('');
  expect(code).toBe(0);
});

test('netspec list shows the built-ins with their parameter counts', async () => {
  const { code, stdout } = await netspec('list');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^keras\/resnet50\s+25,636,712\s+25,583,592\s+3\.858 G$/m);
  for (const name of issueBuiltins) expect(stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
});

test('inspect --json follows the contract', async () => {
  const { code, stdout } = await netspec('inspect', 'keras/resnet50', '--json');
  expect(code).toBe(0);
  const report = JSON.parse(stdout);
  expect(report).toMatchObject({
    name: 'ResNet50',
    input: [224, 224, 3],
    output: [1000],
    params: { total: 25_636_712, trainable: 25_583_592, nonTrainable: 53_120 },
  });
  expect(report.stages.map((s: { name: string; outputShape: number[] }) => [s.name, s.outputShape])).toEqual([
    ['conv2', [56, 56, 256]], ['conv3', [28, 28, 512]], ['conv4', [14, 14, 1024]], ['conv5', [7, 7, 2048]],
  ]);
  for (const key of ['name', 'params', 'macs', 'outputShape']) expect(report.stages[0]).toHaveProperty(key);
  expect(report.layers[0]).toEqual({ name: 'input_1', type: 'InputLayer', outputShape: [224, 224, 3], params: 0, macs: 0, inputs: [] });
  const total = report.layers.reduce((a: number, l: { params: number }) => a + l.params, 0);
  expect(total).toBe(25_636_712);
  const stageSum = report.stages.reduce((a: number, s: { params: number }) => a + s.params, 0);
  expect(stageSum + report.stem.params + report.head.params).toBe(25_636_712);
});

test('inspect prints a Keras-like summary with stage subtotals and a footer', async () => {
  const { code, stdout } = await netspec('inspect', 'cifar/resnet20');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^conv1 \(Conv2D\)\s+\(None, 32, 32, 16\)\s+432\s+442,368$/m);
  expect(stdout).toMatch(/layer3 subtotal/);
  expect(stdout).toMatch(/^Total params: 271,098$/m);
  expect(stdout).toMatch(/^Trainable params: 269,722$/m);
});

test('--set overrides reach the output', async () => {
  const { stdout } = await netspec('inspect', 'keras-cifar/resnet_v1', '--set', 'depth=56', '--json');
  expect(JSON.parse(stdout).stages.map((s: { blocks: number }) => s.blocks)).toEqual([9, 9, 9]);
});

test('bad input exits 2 with a located message and no stack trace', async () => {
  const bad = await netspec('inspect', 'resnet50', '--set', 'depth=51');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^<command line>:1:7: error: depth 51 is not in the imagenet table/m);
  expect(bad.stderr).not.toMatch(/\n\s+at /);
  const missing = await netspec('inspect', 'no/such/spec');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/unknown built-in spec 'no\/such\/spec'/);
  const usage = await netspec('inspect');
  expect(usage.code).toBe(2);
});
