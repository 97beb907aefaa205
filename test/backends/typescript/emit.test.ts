/**
 * What the emitted code looks like: stable bytes, tfjs as its only import, depth as data (a stage table, not a flat
 * list of layers), one function per block kind used, the spec's naming scheme, a banner.
 */
import * as fs from 'fs';
import { builderName, emitTypeScript } from '../../../src/backends/typescript';
import { generatedFile, generatedNames } from '../../../src/backends/typescript/generate';
import * as ts from 'typescript';
import { graphOf, graphOfText } from '../../helpers/compile';

const generated = (name: string) => fs.readFileSync(generatedFile(name), 'utf8');
const functionsOf = (source: string) => [...source.matchAll(/^(?:export )?function (\w+)/gm)].map((m) => m[1]);

test('emitting the same spec twice gives the same bytes', () => {
  const graph = graphOf('keras/resnet50v2');
  expect(emitTypeScript(graph, { source: 'x' })).toBe(emitTypeScript(graphOf('keras/resnet50v2'), { source: 'x' }));
});

test.each(generatedNames())('generated/%s.ts imports @tensorflow/tfjs and nothing else', (name) => {
  const source = generated(name);
  const imports = [...source.matchAll(/(?:from\s+|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
  expect(imports).toEqual(['@tensorflow/tfjs']);
});

test('depth is data: ResNet-50, -101 and -152 differ only in the stage table and the names', () => {
  // The code after the banner (whose wrapping depends on the numbers in it).
  const lines = (name: string) => generated(name).split('\n').filter((l, i, all) => all.slice(0, i + 1).some((m) => m.startsWith('import ')));
  for (const [a, b] of [['resnet50', 'resnet152'], ['keras/resnet50', 'keras/resnet101'], ['keras/resnet50v2', 'keras/resnet152v2'], ['cifar/resnet20', 'cifar/resnet1202']]) {
    const [la, lb] = [lines(a), lines(b)];
    expect(lb.length).toBe(la.length);
    const differing = la.map((l, i) => [l, lb[i]]).filter(([x, y]) => x !== y);
    expect(differing.length).toBeGreaterThan(0);
    for (const [x] of differing) expect(x).toMatch(/blocks: \d+|buildResNet\d+|\(\d+ residual blocks\)|name: 'resnet\d+(v2)?' \}\);$/i);
  }
});

test('a deep net is a short module: ResNet-152 (517 layers) takes under 250 lines', () => {
  expect(graphOf('keras/resnet152').nodes.length).toBe(517);
  expect(generated('keras/resnet152').split('\n').length).toBeLessThan(250);
});

test('the stage table of Keras ResNet50 is Table 1 of He et al. 2015', () => {
  const source = generated('keras/resnet50');
  expect(source).toContain([
    "  { name: 'conv2', blocks: 3, filters: 64, stride: 1 },",
    "  { name: 'conv3', blocks: 4, filters: 128, stride: 2 },",
    "  { name: 'conv4', blocks: 6, filters: 256, stride: 2 },",
    "  { name: 'conv5', blocks: 3, filters: 512, stride: 2 },",
  ].join('\n'));
  expect(source).toContain('const outChannels = 4 * filters;');
  expect(source).toContain('stride: i === 0 ? stage.stride : 1,');
});

test('one function per block kind the net uses, and custom layers only where needed', () => {
  const blocks = (name: string) => functionsOf(generated(name)).filter((f) => f.endsWith('Block'));
  expect(blocks('resnet18')).toEqual(['basicBlock']);
  expect(blocks('resnet50')).toEqual(['bottleneckBlock']);
  expect(blocks('keras/resnet50v2')).toEqual(['preactBottleneckBlock']);
  expect(blocks('cifar/resnet20')).toEqual(['basicBlock']);
  expect(generated('cifar/resnet20')).toContain('class SubsamplePad extends tf.layers.Layer');
  expect(generated('resnet50')).not.toContain('SubsamplePad');
  // Only the ResNeXt built-in groups its convs; squeeze-and-excitation and stochastic depth bring their own layers.
  for (const name of generatedNames()) expect(generated(name).includes('class GroupedConv2D')).toBe(name === 'seresnext50_32x4d');
  expect(blocks('plain/plain20')).toEqual(['plainBlock']);
  expect(generated('seresnet50')).toContain('class GlobalPoolKeepDims extends tf.layers.Layer');
  expect(generated('resnet50')).not.toContain('GlobalPoolKeepDims');
});

test('layer names follow the spec\'s naming scheme', () => {
  // Keras applications' resnet.py: conv{stage}_block{i}_{0|1|2|3}_{conv|bn}, 0 = shortcut.
  const keras = generated('keras/resnet50');
  for (const role of ['_0_conv', '_0_bn', '_1_conv', '_2_conv', '_3_bn', '_add', '_out']) expect(keras).toContain(`\`\${name}${role}\``);
  expect(keras).toContain("name: 'conv1_conv'");
  expect(keras).toContain("name: 'predictions'");
  // torchvision's module paths.
  const torch = generated('resnet18');
  for (const role of ['.conv1', '.bn2', '.downsample.0', '.downsample.1']) expect(torch).toContain(`\`\${name}${role}\``);
  expect(torch).toContain('name: `${stage.name}.${i}`');
  expect(torch).toContain("{ name: 'layer4', blocks: 2, filters: 512, stride: 2 }");
  // Keras V2 leaves its max-pool shortcuts unnamed: their automatic names are data, one per strided stage.
  const v2 = generated('keras/resnet50v2');
  expect(v2).toContain("{ name: 'conv2', blocks: 3, filters: 64, stride: 2, poolName: 'max_pooling2d' }");
  expect(v2).toContain("{ name: 'conv5', blocks: 3, filters: 512, stride: 1 }");
  expect(v2).toContain('stride: i === stage.blocks - 1 ? stage.stride : 1,');
});

test('the banner names the spec and how to regenerate the file', () => {
  const [first, second] = generated('keras/resnet50').split('\n');
  expect(first).toBe('// Generated by netspec from the spec `keras/resnet50`.');
  expect(second).toBe('// Do not edit: `npm run generate` rewrites this file.');
  const withSets = emitTypeScript(graphOf('resnet18', ['head.classes=10']), { source: 'resnet18', sets: ['head.classes=10'] });
  expect(withSets.split('\n').slice(0, 2)).toEqual([
    '// Generated by netspec from the spec `resnet18` with --set head.classes=10.',
    '// Do not edit: `netspec emit resnet18 --set head.classes=10` rewrites this file.',
  ]);
  expect(withSets).toContain('classes = 10');
});

test('builder names come from spec names', () => {
  expect(builderName('ResNet50')).toBe('buildResNet50');
  expect(builderName('resnet50')).toBe('buildResNet50');
  expect(builderName('resnet_v1')).toBe('buildResNetV1');
  expect(builderName('ResNet152V2')).toBe('buildResNet152V2');
  expect(builderName('resnext50_32x4d')).toBe('buildResNeXt5032x4d');
  expect(builderName('my-net')).toBe('buildMyNet');
});

test('kernels start from the convention\'s initializers, written as tfjs initializers', () => {
  // torchvision: kaiming_normal_(mode='fan_out') on convs, std sqrt(2 / (k·k·filters)); nn.Linear's default on fc.
  const flat = (name: string) => generated(name).replace(/\s+/g, ' ').replace(/([({]) /g, '$1').replace(/,? ([)}])/g, '$1');
  expect(flat('resnet18')).toContain('kernelInitializer: tf.initializers.randomNormal({mean: 0, stddev: Math.sqrt(2 / (kernelSize * kernelSize * filters))})');
  expect(flat('resnet18')).toContain("kernelInitializer: tf.initializers.varianceScaling({scale: 0.3333333333333333, mode: 'fanIn', distribution: 'uniform'})");
  // Keras applications: glorot_uniform on convs and the classifier.
  expect(flat('keras/resnet50').match(/kernelInitializer: tf\.initializers\.varianceScaling\(\{scale: 1, mode: 'fanAvg', distribution: 'uniform'\}\)/g)).toHaveLength(2);
  // The Keras CIFAR-10 example: he_normal, a normal truncated at 2σ with Keras' correction carried by the scale.
  expect(flat('keras-cifar/resnet_v1')).toContain("tf.initializers.varianceScaling({scale: 2 / 0.8796256610342398 ** 2, mode: 'fanIn', distribution: 'normal'})");
});

test('a spec name that would end a comment or break a string stays inside it', () => {
  const text = "netspec: 1\nname: \"odd */ 'name'\"\nextends: base/cifar\ndepth: 8\n";
  const source = emitTypeScript(graphOfText(text), { source: 'odd\n*/.yaml' });
  const { diagnostics } = ts.transpileModule(source, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.CommonJS } });
  expect(diagnostics).toEqual([]);
  expect(source).toContain("name: 'odd */ \\'name\\''");
  expect(source).toContain('export function buildOddName(');
});
