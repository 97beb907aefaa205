/**
 * The torchinfo-style additions to `netspec inspect`: per-layer mult-adds, parameter and activation memory, depth.
 * Expected numbers are torchinfo's own output for torchvision's resnet50 (`summary(resnet50(), (1, 3, 224, 224))`:
 * 25,557,032 params, 4.09 G mult-adds, input 0.60 MB, forward/backward 177.83 MB, params 102.23 MB, total 280.66 MB)
 * and closed forms from the architecture of the CIFAR ResNet-20 (He et al. 2015, §4.2).
 */
import { netspec } from '../helpers/cli';

interface Layer { name: string; type: string; outputShape: number[]; params: number; macs: number }

test('resnet50 reads as torchinfo prints torchvision resnet50', async () => {
  const { code, stdout } = await netspec('inspect', 'resnet50', '--depth', '1');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Trainable params: 25,557,032$/m);
  expect(stdout).toMatch(/^MACs: 4\.089 G/m);
  expect(stdout).toMatch(/^Input size \(MB\): 0\.60$/m);
  expect(stdout).toMatch(/^Forward\/backward pass size \(MB\): 177\.83$/m);
  expect(stdout).toMatch(/^Params size \(MB\): 102\.23$/m);
  expect(stdout).toMatch(/^Estimated Total Size \(MB\): 280\.66\b/m);
  // Depth 1 is torchinfo's top level: the stem's layers, one row per stage, the head.
  expect(stdout).toMatch(/^layer1 \(stage, 3 blocks\)\s+\(None, 56, 56, 256\)\s+218,624\s+667,942,912$/m);
  expect(stdout).not.toMatch(/block 1\.0/);
  expect(stdout).not.toMatch(/layer1\.0\.conv1/);
  // The stem conv: 112·112 outputs × 64 filters × 7·7·3 weights.
  expect(stdout).toMatch(/^conv1 \(Conv2D\)\s+\(None, 112, 112, 64\)\s+9,408\s+118,013,952$/m);
});

test('--depth 2 lists blocks, --depth 3 (the default) every layer', async () => {
  const blocks = await netspec('inspect', 'cifar/resnet20', '--depth', '2');
  expect(blocks.stdout).toMatch(/^block 1\.0 basic\s+\(None, 32, 32, 16\)\s+4,736\s+4,718,592$/m);
  expect(blocks.stdout).not.toMatch(/layer1\.0\.conv1/);
  const layers = await netspec('inspect', 'cifar/resnet20');
  // A 3×3 conv 16→16 on 32×32: 32·32·16·(3·3·16) mult-adds; batch norm and ReLU have none.
  expect(layers.stdout).toMatch(/^layer1\.0\.conv1 \(Conv2D\)\s+\(None, 32, 32, 16\)\s+2,304\s+2,359,296$/m);
  expect(layers.stdout).toMatch(/^layer1\.0\.relu1 \(Activation\)\s+\(None, 32, 32, 16\)\s+0\s+--$/m);
});

test('--json carries per-layer MACs and the memory estimate for --batch-size', async () => {
  const { code, stdout } = await netspec('inspect', 'cifar/resnet20', '--json', '--batch-size', '128');
  expect(code).toBe(0);
  const report = JSON.parse(stdout);
  const layers: Layer[] = report.layers;
  expect(layers.find((l) => l.name === 'fc')!.macs).toBe(64 * 10);
  expect(layers.reduce((a, l) => a + l.macs, 0)).toBe(report.macs);
  // Closed form: the outputs of layers with parameters. Stem conv + BN at 32×32×16; per basic block two convs and
  // two BNs at the stage's size (9 blocks: 3 at 32·32·16, 3 at 16·16·32, 3 at 8·8·64); option A adds no
  // parameters; the classifier's 10 outputs.
  const perStage = [32 * 32 * 16, 16 * 16 * 32, 8 * 8 * 64];
  const outputs = 2 * 32 * 32 * 16 + perStage.reduce((a, s) => a + 3 * 4 * s, 0) + 10;
  const m = report.memory;
  expect(m.batchSize).toBe(128);
  expect(m.forwardBackwardMB).toBeCloseTo((128 * outputs * 2 * 4) / 1e6, 9);
  expect(m.inputMB).toBeCloseTo((128 * 32 * 32 * 3 * 4) / 1e6, 9);
  // 269,722 trainable weights; 2 × 688 moving statistics (19 batch norms of 16/32/64 channels).
  expect(m.paramsMB).toBeCloseTo((269_722 * 4) / 1e6, 9);
  expect(m.buffersMB).toBeCloseTo((1_376 * 4) / 1e6, 9);
  expect(m.totalMB).toBeCloseTo(m.inputMB + m.forwardBackwardMB + m.paramsMB, 9);
});

test('a bad --depth or --batch-size is a usage error, exit 2', async () => {
  for (const args of [['--depth', '0'], ['--depth', '4'], ['--batch-size', 'x']]) {
    const { code, stderr } = await netspec('inspect', 'cifar/resnet20', ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`${args[0]} takes an integer from 1`));
    expect(stderr).not.toMatch(/at .*\.js:\d+/);
  }
});
