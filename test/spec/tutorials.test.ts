/**
 * The worked specs of docs/tutorials.md (specs/tutorials/): each builds the tutorial's model, with the counts the
 * tutorial or its framework publishes, and trains one step through the CLI. Expected numbers come from the
 * tutorials' own model.summary() output, from ../shared/REFERENCE.md, or from closed forms written out below; they
 * were also reproduced once with Keras 3.15.1 (JAX backend) building the tutorials' code.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileSpec } from '../../src/ir/compile';
import { IRGraph, NodeOf } from '../../src/ir/types';
import { builtinNames } from '../../src/spec/builtins';
import { readMetrics } from '../../src/train/metrics';
import { netspec } from '../helpers/cli';

function graphOf(name: string, sets: string[] = []): IRGraph {
  const r = compileSpec(name, { sets });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.graph!;
}

/** A layer's parameters as Keras' summary counts them: weights, biases and BN moving statistics. */
function kerasCount(g: IRGraph, layer: string): number {
  const n = g.nodes.find((x) => x.name === layer);
  if (!n) throw new Error(`no layer ${layer} in ${g.name}`);
  return n.params.trainable + n.params.nonTrainable;
}

function shapeOf(g: IRGraph, layer: string): number[] | undefined {
  return g.nodes.find((x) => x.name === layer)?.shape;
}

describe('tutorials/keras-cifar10-resnet20: the Keras CIFAR-10 example, n = 3, version 1', () => {
  const g = graphOf('tutorials/keras-cifar10-resnet20');

  test('274,442 parameters, 1,376 of them BN statistics (the example\'s model.summary())', () => {
    // 19 BN layers over 16×7 + 32×6 + 64×6 channels: 2 moving statistics each = 2 × 688.
    expect(g.params).toEqual({ total: 274_442, trainable: 273_066, nonTrainable: 1_376 });
  });

  test('32×32×3 in, stacks of 32, 16 and 8 pixels, 10 softmax outputs after an 8×8 average pool', () => {
    expect(g.input).toEqual([32, 32, 3]);
    expect(g.stages.map((s) => s.outputShape)).toEqual([[32, 32, 16], [16, 16, 32], [8, 8, 64]]);
    expect(shapeOf(g, g.outputs[0])).toEqual([10]);
    const fc = g.nodes.find((n) => n.name === g.outputs[0]) as NodeOf<'dense'>;
    expect([fc.op, fc.attrs.activation]).toEqual(['dense', 'softmax']);
    expect(shapeOf(g, 'avg_pool')).toEqual([1, 1, 64]);
  });

  test('depth 20 is 6n+2 with n = 3; resnet_v1 refuses a depth that is not', async () => {
    expect(g.blocks.length).toBe(9);
    const r = await netspec('inspect', 'tutorials/keras-cifar10-resnet20', '--set', 'depth=21');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('depth 21 is not 6n+2');
  });
});

describe('tutorials/keras-applications-resnet50: keras.applications.ResNet50()', () => {
  const g = graphOf('tutorials/keras-applications-resnet50');

  test('25,636,712 parameters, 25,583,592 trainable (REFERENCE.md, Keras\' count)', () => {
    expect(g.params).toEqual({ total: 25_636_712, trainable: 25_583_592, nonTrainable: 53_120 });
  });

  test('the paper\'s 3.8 GFLOPs: 3.858 G multiply-accumulates with the stride on the first 1×1 (REFERENCE.md)', () => {
    expect(g.macs / 1e9).toBeCloseTo(3.858, 3);
  });

  test('Keras\' layer names, the contract ImageNet weight files load by', () => {
    for (const name of ['conv1_pad', 'conv1_conv', 'conv1_bn', 'pool1_pad', 'pool1_pool', 'conv2_block1_0_conv', 'conv2_block1_1_conv', 'conv5_block3_out', 'avg_pool', 'predictions']) {
      expect({ name, found: g.nodes.some((n) => n.name === name) }).toEqual({ name, found: true });
    }
    expect(shapeOf(g, 'conv5_block3_out')).toEqual([7, 7, 2048]);
    expect(shapeOf(g, 'predictions')).toEqual([1000]);
  });

  test('include_top=False: 23,587,712 parameters (REFERENCE.md)', () => {
    expect(graphOf('tutorials/keras-applications-resnet50', ['head.include_top=false']).params.total).toBe(23_587_712);
  });
});

describe('tutorials/transfer-cifar10-resnet50: a frozen ResNet50 base for CIFAR-10', () => {
  const g = graphOf('tutorials/transfer-cifar10-resnet50');

  test('36,843,978 parameters, 13,055,178 trainable: the base\'s 23,587,712 (REFERENCE.md) frozen, the head counted by hand', () => {
    // Flatten 7·7·2048 = 100,352; BN(100,352): 4 per channel, 2 trainable; Dense 128, BN(128), Dense 64, BN(64), Dense 10.
    const flat = 7 * 7 * 2048;
    const bn = (c: number) => ({ total: 4 * c, trainable: 2 * c });
    const dense = (i: number, o: number) => i * o + o;
    const headTotal = bn(flat).total + dense(flat, 128) + bn(128).total + dense(128, 64) + bn(64).total + dense(64, 10);
    const headTrainable = bn(flat).trainable + dense(flat, 128) + bn(128).trainable + dense(128, 64) + bn(64).trainable + dense(64, 10);
    expect(g.params).toEqual({ total: 23_587_712 + headTotal, trainable: headTrainable, nonTrainable: 23_587_712 + headTotal - headTrainable });
    expect(g.params.total).toBe(36_843_978);
    expect(g.params.trainable).toBe(13_055_178);
  });

  test('32×32×3 in, upsampled 7× inside the model (UpSampling2D), a 7×7×2048 feature map, 10 outputs', () => {
    expect(g.input).toEqual([32, 32, 3]);
    expect(g.nodes.find((n) => n.op === 'resize')?.shape).toEqual([224, 224, 3]);
    expect(g.stages[3].outputShape).toEqual([7, 7, 2048]);
    expect(g.nodes[g.nodes.length - 1].shape).toEqual([10]);
  });
});

describe('tutorials/dlai-signs-resnet50: the deeplearning.ai ResNet50(input_shape=(64, 64, 3), classes=6)', () => {
  const g = graphOf('tutorials/dlai-signs-resnet50');

  test('23,600,006 parameters, 23,546,886 trainable, 53,120 non-trainable (the assignment\'s model.summary())', () => {
    expect(g.params).toEqual({ total: 23_600_006, trainable: 23_546_886, nonTrainable: 53_120 });
  });

  test('its summary\'s rows: names, shapes and counts', () => {
    const rows: [string, number[], number][] = [
      ['conv1', [32, 32, 64], 9_472],
      ['bn_conv1', [32, 32, 64], 256],
      ['res2a_branch2a', [15, 15, 64], 4_160],
      ['bn2a_branch2a', [15, 15, 64], 256],
      ['res2a_branch2b', [15, 15, 64], 36_928],
      ['res2a_branch2c', [15, 15, 256], 16_640],
      ['res2a_branch1', [15, 15, 256], 16_640],
      ['bn2a_branch1', [15, 15, 256], 1_024],
      ['res2b_branch2a', [15, 15, 64], 16_448],
      ['avg_pool', [1, 1, 2048], 0],
      ['fc6', [6], 12_294],
    ];
    expect(rows.map(([name]) => [name, shapeOf(g, name), kerasCount(g, name)])).toEqual(rows);
  });

  test('the unpadded 3×3/2 max-pool makes stage 2 15×15; then 8, 4, 2', () => {
    expect(g.stages.map((s) => s.outputShape)).toEqual([[15, 15, 256], [8, 8, 512], [4, 4, 1024], [2, 2, 2048]]);
  });
});

describe('the worked specs are loadable by name but not listed as built-ins', () => {
  const tutorials = ['dlai-signs-resnet50', 'keras-applications-resnet50', 'keras-cifar10-resnet20', 'transfer-cifar10-resnet50'];

  test('every file of specs/tutorials is one of the four, and none is in `netspec list`', async () => {
    const files = fs.readdirSync(path.join(__dirname, '..', '..', 'specs', 'tutorials')).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(files).toEqual(tutorials);
    expect(builtinNames().filter((n) => n.startsWith('tutorials/'))).toEqual([]);
    const listed = await netspec('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain('tutorials/');
  });

  test.each(tutorials)('tutorials/%s trains one step from the command line', async (name) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-tutorial-'));
    try {
      // The Keras applications model trains at 64×64, as the built-ins' training test does: global pooling keeps the
      // weights those of 224×224. The transfer model stays at 224×224: only its classifier has gradients.
      const small = name === 'keras-applications-resnet50' ? ['--set', 'input=[64,64,3]'] : [];
      const r = await netspec('train', `tutorials/${name}`, ...small, '--data', 'synthetic', '--limit', '2', '--batch-size', '2', '--epochs', '1', '--out', out, '--backend', 'wasm');
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      const [epoch] = readMetrics(path.join(out, 'metrics.jsonl'));
      expect(Number.isFinite(epoch.loss as number)).toBe(true);
      expect(fs.existsSync(path.join(out, 'model', 'model.json'))).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('docs/tutorials.md states what the specs build', () => {
  const page = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'tutorials.md'), 'utf8');
  const count = (n: number) => n.toLocaleString('en-US');

  test('the first table\'s totals and trainable counts are those of the worked specs', () => {
    const rows = [...page.matchAll(/^\| .* \| `(tutorials\/[\w-]+)` \| ([\d,]+) \/ ([\d,]+)/gm)];
    expect(rows.map((r) => r[1]).sort()).toEqual(['tutorials/dlai-signs-resnet50', 'tutorials/keras-applications-resnet50', 'tutorials/keras-cifar10-resnet20', 'tutorials/transfer-cifar10-resnet50']);
    for (const [, name, total, trainable] of rows) {
      const g = graphOf(name);
      expect({ name, total, trainable }).toEqual({ name, total: count(g.params.total), trainable: count(g.params.trainable) });
    }
  });

  test('the MACs table is what netspec counts', () => {
    const macs = (name: string) => `${(graphOf(name).macs / 1e9).toFixed(3)} G`;
    expect(page).toContain(`| first 1×1 (\`stride_at: 1x1\`) | ${macs('keras/resnet50')} | \`keras/resnet50\` |`);
    expect(page).toContain(`| the 3×3 (\`stride_at: 3x3\`) | ${macs('resnet50')} | \`resnet50\` |`);
    expect(page).toContain(`| first 1×1 | ${macs('keras/resnet101')} / ${macs('keras/resnet152')} |`);
  });

  test('the Keras applications table is what netspec builds, with and without the top', () => {
    const rows = [...page.matchAll(/^\| ResNet\d+(?:V2)? \| ([\d,]+) \| ([\d,]+) \| `(keras\/resnet\d+v?2?)` \|$/gm)];
    expect(rows.length).toBe(6);
    for (const [, total, noTop, name] of rows) {
      const built = [count(graphOf(name).params.total), count(graphOf(name, ['head.include_top=false']).params.total)];
      expect({ name, built }).toEqual({ name, built: [total, noTop] });
    }
  });
});
