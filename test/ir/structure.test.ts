/** The shape of the lowered graph: names, stride placement, shortcuts, dilation, outputs, freezing. */
import { IRGraph, IRNode } from '../../src/ir/types';
import { graphOf } from '../helpers/compile';

const node = (g: IRGraph, name: string): IRNode => {
  const n = g.nodes.find((m) => m.name === name);
  if (!n) throw new Error(`no layer ${name} in ${g.name}`);
  return n;
};
const weighted = (g: IRGraph) => g.nodes.filter((n) => n.params.trainable + n.params.nonTrainable > 0).map((n) => n.name);

/** torchvision's module names, written out from models/resnet.py's _make_layer loop. */
function torchvisionModules(blocks: number[], bottleneck: boolean): string[] {
  const names = ['conv1', 'bn1'];
  const convs = bottleneck ? 3 : 2;
  let inplanes = 64;
  blocks.forEach((n, s) => {
    const planes = 64 * 2 ** s;
    const out = planes * (bottleneck ? 4 : 1);
    for (let b = 0; b < n; b++) {
      for (let i = 1; i <= convs; i++) names.push(`layer${s + 1}.${b}.conv${i}`, `layer${s + 1}.${b}.bn${i}`);
      if (b === 0 && (s > 0 || inplanes !== out)) names.push(`layer${s + 1}.${b}.downsample.0`, `layer${s + 1}.${b}.downsample.1`);
    }
    inplanes = out;
  });
  return [...names, 'fc'];
}

describe('naming schemes', () => {
  test.each([
    ['resnet18', [2, 2, 2, 2], false],
    ['resnet50', [3, 4, 6, 3], true],
    ['resnet152', [3, 8, 36, 3], true],
  ] as const)('%s carries torchvision module names', (name, blocks, bottleneck) => {
    expect(weighted(graphOf(name)).sort()).toEqual(torchvisionModules([...blocks], bottleneck).sort());
  });
  test('caffe names as in the ResNet-50 prototxt', () => {
    const names = graphOf('resnet50', ['naming=caffe']).nodes.map((n) => n.name);
    for (const n of ['conv1', 'bn_conv1', 'pool1', 'res2a_branch1', 'bn2a_branch1', 'res2a_branch2a', 'bn2a_branch2b', 'res2a', 'res4f_branch2c', 'res5c', 'pool5', 'fc1000']) {
      expect(names).toContain(n);
    }
  });
  test('caffe names as in the ResNet-101 prototxt (b1…b22 in the long stages)', () => {
    const names = graphOf('resnet101', ['naming=caffe']).nodes.map((n) => n.name);
    for (const n of ['res2c_branch2c', 'res3b3_branch2c', 'res4b22_branch2c', 'bn4b22_branch2c', 'res5c', 'fc1000']) expect(names).toContain(n);
    expect(names).not.toContain('res4w');
  });
});

describe('stride placement', () => {
  test('torchvision v1.5 strides the 3×3; the first 1×1 keeps stride 1', () => {
    const g = graphOf('resnet50');
    expect(node(g, 'layer2.0.conv1')).toMatchObject({ attrs: { strides: 1, kernel: 1 } });
    expect(node(g, 'layer2.0.conv2')).toMatchObject({ attrs: { strides: 2, kernel: 3, padding: 'valid' } });
    // Symmetric padding like PyTorch: an explicit pad layer in front of the strided 3×3.
    expect(node(g, 'layer2.0.conv2_pad')).toMatchObject({ attrs: { padding: [[1, 1], [1, 1]] } });
    expect(node(g, 'layer2.0.conv2').shape).toEqual([28, 28, 128]);
  });
  test('Keras v1 strides the first 1×1 and pads its 3×3 with same', () => {
    const g = graphOf('keras/resnet50');
    expect(node(g, 'conv3_block1_1_conv')).toMatchObject({ attrs: { strides: 2, kernel: 1, useBias: true } });
    expect(node(g, 'conv3_block1_2_conv')).toMatchObject({ attrs: { strides: 1, padding: 'same' } });
    expect(g.nodes.some((n) => n.name.endsWith('_2_pad'))).toBe(false);
  });
  test('Keras V2 strides the last block of stages 2–4 with a max-pool shortcut', () => {
    const g = graphOf('keras/resnet50v2');
    expect(node(g, 'max_pooling2d')).toMatchObject({ attrs: { size: 1, strides: 2 }, inputs: ['conv2_block2_out'] });
    expect(node(g, 'max_pooling2d_2').inputs).toEqual(['conv4_block5_out']);
    expect(g.nodes.filter((n) => n.op === 'max_pool')).toHaveLength(4);
    expect(node(g, 'conv2_block3_2_conv').attrs).toMatchObject({ strides: 2 });
    expect(node(g, 'post_relu').shape).toEqual([7, 7, 2048]);
    expect(node(g, 'conv1_conv').attrs).toMatchObject({ useBias: true });
    expect(node(g, 'conv2_block1_1_conv').attrs).toMatchObject({ useBias: false });
    expect(node(g, 'conv2_block1_3_conv').attrs).toMatchObject({ useBias: true });
  });
});

describe('shortcuts', () => {
  test('option A: strided subsampling and zero channels, no parameters', () => {
    const g = graphOf('cifar/resnet20');
    const s = node(g, 'layer2.0.shortcut');
    expect(s).toMatchObject({ op: 'subsample_pad', attrs: { stride: 2, channelsBefore: 8, channelsAfter: 8 }, shape: [16, 16, 32] });
    expect(s.params).toEqual({ trainable: 0, nonTrainable: 0 });
  });
  test('ResNet-D (deep stem + avg_down) has timm resnet50d\'s 25,576,264 parameters', () => {
    const g = graphOf('resnet50', ['stem.deep=true', 'stem.filters=[32, 32, 64]', 'shortcut=avg_down']);
    expect(g.params.trainable).toBe(25_576_264);
    expect(node(g, 'layer2.0.downsample.0')).toMatchObject({ op: 'avg_pool', attrs: { size: 2, strides: 2 } });
    expect(node(g, 'conv1.0').attrs).toMatchObject({ strides: 2, filters: 32 });
  });
  test('identity blocks keep the input as shortcut', () => {
    const g = graphOf('resnet50');
    expect(node(g, 'layer1.1.add').inputs).toEqual(['layer1.0.relu', 'layer1.1.bn3']);
  });
});

describe('backbone options', () => {
  test('output_stride 8 turns the last two strides into dilation (torchvision replace_stride_with_dilation)', () => {
    const g = graphOf('resnet50', ['output_stride=8']);
    expect(node(g, 'layer3.0.conv2').attrs).toMatchObject({ strides: 1, dilation: 1 });
    expect(node(g, 'layer3.1.conv2').attrs).toMatchObject({ strides: 1, dilation: 2 });
    expect(node(g, 'layer4.0.conv2').attrs).toMatchObject({ dilation: 2 });
    expect(node(g, 'layer4.2.conv2').attrs).toMatchObject({ dilation: 4 });
    expect(node(g, 'layer4.2.relu').shape).toEqual([28, 28, 2048]);
    expect(g.params.trainable).toBe(25_557_032);
  });
  test('out_indices gives one output per stage', () => {
    const g = graphOf('resnet50', ['out_indices=[1, 2, 3, 4]', 'head.include_top=false', 'head.pooling=none']);
    expect(g.outputs.map((o) => node(g, o).shape)).toEqual([[56, 56, 256], [28, 28, 512], [14, 14, 1024], [7, 7, 2048]]);
  });
  test('frozen_stages moves the stem and first stages to non-trainable, total unchanged', () => {
    const g = graphOf('resnet50', ['frozen_stages=1']);
    const full = graphOf('resnet50');
    expect(g.params.total).toBe(full.params.total);
    const frozen = g.nodes.filter((n) => n.scope.part === 'stem' || (n.scope.part === 'block' && n.scope.stage === 0));
    expect(frozen.every((n) => !n.trainable && n.params.trainable === 0)).toBe(true);
    expect(node(g, 'layer2.0.conv1').trainable).toBe(true);
  });
  test('zero_init_residual zeroes the last BN of every post-activation block', () => {
    const g = graphOf('resnet50', ['zero_init_residual=true']);
    const zeroed = g.nodes.filter((n) => n.op === 'batch_norm' && n.attrs.gammaZero).map((n) => n.name);
    expect(zeroed).toHaveLength(16);
    expect(zeroed.every((n) => n.endsWith('.bn3'))).toBe(true);
  });
  test('a single block can be overridden', () => {
    const g = graphOf('resnet50', ['stages.0.overrides={1: {filters: [32, 32, 256]}}']);
    expect(node(g, 'layer1.1.conv1').attrs).toMatchObject({ filters: 32 });
    expect(node(g, 'layer1.2.conv1').attrs).toMatchObject({ filters: 64 });
  });
});

describe('every pooling combination gets distinct names in every scheme', () => {
  test.each(['torch', 'keras', 'caffe'])('%s', (naming) => {
    for (const stemPool of ['max', 'avg']) {
      for (const headPool of ['avg', 'max']) {
        const g = graphOf('resnet18', [`naming=${naming}`, `stem.pool=${stemPool}`, `head.pooling=${headPool}`]);
        expect(new Set(g.nodes.map((n) => n.name)).size).toBe(g.nodes.length);
      }
    }
  });
});
