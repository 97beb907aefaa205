/**
 * Parameter counts and MACs of the built-ins against ../shared/REFERENCE.md (the published Keras, torchvision and
 * paper numbers) and against closed-form formulas written here independently of the lowering.
 */
import { graphOf } from '../helpers/compile';

// REFERENCE.md, convention B (torchvision): parameters and MACs at 224².
const torchvision = [
  { name: 'resnet18', params: 11_689_512, gmacs: 1.814 },
  { name: 'resnet34', params: 21_797_672, gmacs: 3.664 },
  { name: 'resnet50', params: 25_557_032, gmacs: 4.089 },
  { name: 'resnet101', params: 44_549_160, gmacs: 7.801 },
  { name: 'resnet152', params: 60_192_808, gmacs: 11.514 },
];

// REFERENCE.md, convention A (Keras applications).
const keras = [
  { name: 'keras/resnet50', total: 25_636_712, notop: 23_587_712, torchvision: 25_557_032, v1gmacs: 3.858 },
  { name: 'keras/resnet101', total: 44_707_176, notop: 42_658_176, torchvision: 44_549_160, v1gmacs: 7.57 },
  { name: 'keras/resnet152', total: 60_419_944, notop: 58_370_944, torchvision: 60_192_808, v1gmacs: 11.282 },
];
const kerasV2 = [
  { name: 'keras/resnet50v2', total: 25_613_800, notop: 23_564_800 },
  { name: 'keras/resnet101v2', total: 44_675_560, notop: 42_626_560 },
  { name: 'keras/resnet152v2', total: 60_380_648, notop: 58_331_648 },
];

// REFERENCE.md, CIFAR paper §4.2: depth and reported size.
const cifar = [
  { depth: 20, size: '0.27M' },
  { depth: 32, size: '0.46M' },
  { depth: 44, size: '0.66M' },
  { depth: 56, size: '0.85M' },
  { depth: 110, size: '1.7M' },
  { depth: 1202, size: '19.4M' },
];

/** Keras' include_top=False with its default pooling=None. */
const noTop = ['head.include_top=false', 'head.pooling=none'];

describe('torchvision convention', () => {
  test.each(torchvision)('$name has $params parameters and $gmacs GMACs', ({ name, params, gmacs }) => {
    const g = graphOf(name);
    expect(g.params.trainable).toBe(params);
    expect((g.macs / 1e9).toFixed(3)).toBe(gmacs.toFixed(3));
  });
});

describe('Keras applications', () => {
  test.each(keras)('$name: total $total, include_top=false $notop', ({ name, total, notop, torchvision: tv, v1gmacs }) => {
    const g = graphOf(name);
    expect(g.params.total).toBe(total);
    // REFERENCE.md: Keras total = torchvision + 3 per BN channel (conv bias + two moving statistics).
    const bnChannels = (total - tv) / 3;
    expect(Number.isInteger(bnChannels)).toBe(true);
    expect(g.params.trainable).toBe(tv + bnChannels);
    expect(g.params.nonTrainable).toBe(2 * bnChannels);
    // Stride on the first 1×1 (original v1): the MACs REFERENCE.md gives for that placement.
    expect((g.macs / 1e9).toFixed(3)).toBe(v1gmacs.toFixed(3));
    expect(graphOf(name, noTop).params.total).toBe(notop);
  });

  test('ResNet50 trainable / non-trainable split as published', () => {
    const g = graphOf('keras/resnet50');
    expect(g.params.trainable).toBe(25_583_592);
    expect(g.params.nonTrainable).toBe(53_120);
  });

  test.each(kerasV2)('$name: total $total, include_top=false $notop', ({ name, total, notop }) => {
    expect(graphOf(name).params.total).toBe(total);
    expect(graphOf(name, noTop).params.total).toBe(notop);
  });
});

/** Paper CIFAR ResNet with option-A shortcuts, counted by hand: 3×3 convs without bias, BN, a 64→10 classifier. */
function cifarFormula(n: number): { trainable: number; nonTrainable: number } {
  const conv = (cin: number, cout: number) => 9 * cin * cout;
  let weights = conv(3, 16);
  const widths = [16, 32, 64];
  let bnChannels = 16;
  widths.forEach((w, s) => {
    const cin = s === 0 ? 16 : widths[s - 1];
    weights += conv(cin, w) + conv(w, w) + (n - 1) * 2 * conv(w, w);
    bnChannels += 2 * n * w;
  });
  return { trainable: weights + 2 * bnChannels + 64 * 10 + 10, nonTrainable: 2 * bnChannels };
}

describe('CIFAR ResNets (paper, option A)', () => {
  test.each(cifar)('cifar/resnet$depth is $size', ({ depth, size }) => {
    const g = graphOf(`cifar/resnet${depth}`);
    const n = (depth - 2) / 6;
    expect(g.params).toMatchObject(cifarFormula(n));
    const millions = g.params.trainable / 1e6;
    const rounded = millions < 1 ? millions.toFixed(2) : millions.toFixed(1);
    expect(`${rounded}M`).toBe(size);
    expect(g.stages.map((s) => s.blocks)).toEqual([n, n, n]);
  });
});

describe('Keras CIFAR-10 example', () => {
  /** resnet_v1: conv-BN(-ReLU) units with bias, 1×1 projections (bias, no BN) where the shape changes, Dense. */
  function v1Formula(depth: number): number {
    const n = (depth - 2) / 6;
    const unit = (k: number, cin: number, cout: number, bn = true) => k * k * cin * cout + cout + (bn ? 4 * cout : 0);
    let total = unit(3, 3, 16);
    [16, 32, 64].forEach((w, s) => {
      const cin = s === 0 ? 16 : w / 2;
      total += unit(3, cin, w) + unit(3, w, w) + (s > 0 ? unit(1, cin, w, false) : 0);
      total += (n - 1) * 2 * unit(3, w, w);
    });
    return total + 64 * 10 + 10;
  }
  /** resnet_v2: pre-activation bottlenecks 16→64, 64→128, 128→256; the very first unit has no BN before it. */
  function v2Formula(depth: number): number {
    const n = (depth - 2) / 9;
    const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
    const bn = (c: number) => 4 * c;
    let total = conv(3, 3, 16) + bn(16);
    let cin = 16;
    [[16, 64], [64, 128], [128, 256]].forEach(([mid, out], s) => {
      for (let b = 0; b < n; b++) {
        const x = b === 0 ? cin : out;
        const first = s === 0 && b === 0;
        total += (first ? 0 : bn(x)) + conv(1, x, mid) + bn(mid) + conv(3, mid, mid) + bn(mid) + conv(1, mid, out);
        if (b === 0) total += conv(1, x, out);
      }
      cin = out;
    });
    return total + bn(256) + 256 * 10 + 10;
  }
  test.each([20, 32, 56, 110])('resnet_v1 depth %i', (depth) => {
    expect(graphOf('keras-cifar/resnet_v1', [`depth=${depth}`]).params.total).toBe(v1Formula(depth));
  });
  test.each([29, 56, 110])('resnet_v2 depth %i', (depth) => {
    expect(graphOf('keras-cifar/resnet_v2', [`depth=${depth}`]).params.total).toBe(v2Formula(depth));
  });
});

describe('ResNeXt and wide ResNet through width settings', () => {
  // torchvision: resnext50_32x4d 25,028,904; wide_resnet50_2 68,883,240 parameters.
  test('resnext50_32x4d', () => {
    expect(graphOf('resnet50', ['groups=32', 'base_width=4']).params.trainable).toBe(25_028_904);
  });
  test('wide_resnet50_2', () => {
    expect(graphOf('resnet50', ['base_width=128']).params.trainable).toBe(68_883_240);
  });
});
