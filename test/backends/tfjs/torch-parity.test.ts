/**
 * Numerical parity with PyTorch semantics: netspec models (torchvision convention) against the same networks written
 * directly with tfjs ops in ./support/torch-reference, sharing the weights by torchvision module name.
 */
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/runtime/backend';
import { tf } from '../../../src/runtime/tf';
import { build, graphOfText, maxAbs, maxAbsDiff, randomInput, randomizeWeights, weightsByName } from './support/models';
import {
  avgPoolCeil, basicBlock, bn, bottleneck, conv, head, identity, projection, Shortcut, torchResNet, Weights,
} from './support/torch-reference';


/** Runs the netspec model and the reference on the same input; returns max |Δ| and the reference's scale. */
function compare(spec: string, reference: (x: Tensor4D, W: Weights) => Tensor2D, batch = 2) {
  const graph = graphOfText(spec);
  const model = build(graph);
  try {
    randomizeWeights(model);
    return tf.tidy(() => {
      const x = randomInput(graph, batch) as Tensor4D;
      const ours = model.predict(x) as Tensor;
      const ref = reference(x, weightsByName(model));
      return { diff: maxAbsDiff(ours, ref), scale: maxAbs(ref), params: model.countParams(), trainable: graph.params.trainable };
    });
  } finally {
    model.dispose();
  }
}

// Stem 7×7/2 + 3×3/2 max-pool, two basic stages (the second strided, with a projection), a strided bottleneck.
const tiny = (size: number, padding = 'auto') => `
netspec: 1
name: tiny
convention: torchvision
padding: ${padding}
input: [${size}, ${size}, 3]
block: basic
stem: { filters: 8, kernel: 7, stride: 2, pool: max, pool_size: 3, pool_stride: 2 }
stages:
  - { blocks: 2, filters: 8, stride: 1 }
  - { blocks: 2, filters: 16, stride: 2 }
  - { block: bottleneck, blocks: 1, filters: 8, stride: 2 }
head: { pooling: avg, classes: 5 }
`;

const tinyReference = (x: Tensor4D, W: Weights) => torchResNet(x, W, {
  stem: { kernel: 7, stride: 2, pool: true },
  layers: [
    { block: 'basic', blocks: 2, planes: 8, stride: 1 },
    { block: 'basic', blocks: 2, planes: 16, stride: 2 },
    { block: 'bottleneck', blocks: 1, planes: 8, stride: 2 },
  ],
});

/** x[:, ::2, ::2, :] by gathering the even rows and columns. */
function everyOther(x: Tensor4D): Tensor4D {
  const even = (n: number) => tf.range(0, n, 2, 'int32');
  return tf.gather(tf.gather(x, even(x.shape[1]), 1), even(x.shape[2]), 2) as Tensor4D;
}

/** Option A as the CIFAR reimplementations write it: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4)). */
const optionA = (planes: number): Shortcut => (x) => tf.pad(everyOther(x), [[0, 0], [0, 0], [0, 0], [planes / 4, planes / 4]]);

/** Keras ResNetV2's MaxPooling2D(1, strides=2): a 1×1 window only subsamples. */
const maxPoolShortcut: Shortcut = (x) => everyOther(x);

/** timm's ResNet-D downsample: AvgPool2d(2, 2, ceil_mode=True, count_include_pad=False), 1×1 conv, BN. */
const avgDown = (W: Weights, p: string): Shortcut => (x) => bn(conv(avgPoolCeil(x, 2, 2), W, `${p}.downsample.1`, 1, 0), W, `${p}.downsample.2`);

// cpu runs tfjs' reference kernels; wasm runs XNNPACK (and oneDNN where built), whose pooling and padding
// conventions must agree too.
describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ backend });
  });

  test.each([32, 29])('a small torchvision ResNet on %i-pixel square inputs equals torch semantics written with tfjs ops (|Δ| ≤ 1e-5)', (size) => {
    const { diff, scale } = compare(tiny(size), tinyReference);
    expect(scale).toBeGreaterThan(0.1);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  test("output_stride: 8 dilates the last stage as torchvision's replace_stride_with_dilation does", () => {
    const spec = `${tiny(32).replace('blocks: 1, filters: 8, stride: 2', 'blocks: 2, filters: 8, stride: 2')}output_stride: 8\n`;
    const { diff, scale } = compare(spec, (x, W) => torchResNet(x, W, {
      stem: { kernel: 7, stride: 2, pool: true },
      layers: [
        { block: 'basic', blocks: 2, planes: 8, stride: 1 },
        { block: 'basic', blocks: 2, planes: 16, stride: 2 },
        { block: 'bottleneck', blocks: 2, planes: 8, stride: 2, dilate: true },
      ],
    }));
    expect(scale).toBeGreaterThan(0.1);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  test("TensorFlow's 'same' padding is not torch's: the same net with padding: same differs (the check above can fail)", () => {
    const { diff } = compare(tiny(32, 'same'), tinyReference);
    expect(diff).toBeGreaterThan(1e-3);
  });

  test('option-A, max-pool and avg-down shortcuts and a grouped bottleneck equal their reference formulas', () => {
    // 19 → 10 → 5 → 3 → 2: odd sizes exercise ceil-mode pooling and the subsampling of odd grids.
    const spec = `
  netspec: 1
  name: mixed
  convention: torchvision
  input: [19, 19, 3]
  block: basic
  stem: { filters: 8, kernel: 3, stride: 1 }
  stages:
    - { blocks: 1, filters: 8, stride: 1 }
    - { blocks: 1, filters: 16, stride: 2, shortcut: option_a }
    - { blocks: 1, filters: 16, stride: 2, shortcut: maxpool }
    - { blocks: 1, filters: 32, stride: 2, shortcut: avg_down }
    - { block: bottleneck, blocks: 1, filters: [32, 32, 64], stride: 2, groups: 4 }
  head: { pooling: avg, classes: 3 }
  `;
    const { diff, scale } = compare(spec, (x, W) => {
      let y = tf.relu(bn(conv(x, W, 'conv1', 1, 1), W, 'bn1'));
      y = basicBlock(y, W, 'layer1.0', 1, identity);
      y = basicBlock(y, W, 'layer2.0', 2, optionA(16));
      y = basicBlock(y, W, 'layer3.0', 2, maxPoolShortcut);
      y = basicBlock(y, W, 'layer4.0', 2, avgDown(W, 'layer4.0'));
      y = bottleneck(y, W, 'layer5.0', 2, projection(W, 'layer5.0', 2), 4);
      return head(y, W);
    });
    expect(scale).toBeGreaterThan(0.1);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });
});

describe('on cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test("ResNeXt-50 32×4d has torchvision's 25,028,904 parameters and computes torchvision's function", () => {
    // Parameters do not depend on the input size; 32×32 keeps the reference's dense block-diagonal convs cheap.
    const spec = `
  netspec: 1
  name: resnext50_32x4d
  extends: base/imagenet
  convention: torchvision
  depth: 50
  groups: 32
  base_width: 4
  input: [32, 32, 3]
  `;
    const { diff, scale, params, trainable } = compare(spec, (x, W) => torchResNet(x, W, {
      stem: { kernel: 7, stride: 2, pool: true },
      layers: [64, 128, 256, 512].map((planes, i) => ({ block: 'bottleneck' as const, blocks: [3, 4, 6, 3][i], planes, stride: i === 0 ? 1 : 2 })),
      groups: 32,
    }), 1);
    expect(trainable).toBe(25_028_904);
    // Every BN channel adds two non-trainable moving statistics on top of torch's parameters.
    expect(params).toBeGreaterThan(25_028_904);
    expect(scale).toBeGreaterThan(0.1);
    expect(diff).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
  });
});
