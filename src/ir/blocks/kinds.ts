/**
 * The built-in block kinds. Each entry is the whole definition of its kind; the comments cite the reference whose
 * layer order it reproduces.
 */
import { BlockKindDescriptor, ConvUnit } from './descriptor';

const k3: ConvUnit = { kernel: 'k', grouped: false, dilated: true };
const pointwise: ConvUnit = { kernel: 1, grouped: false, dilated: false };
const grouped3: ConvUnit = { kernel: 'k', grouped: true, dilated: true };

/** torchvision BasicBlock / Keras' CIFAR example: two 3×3 convs; the first strides. */
export const basic: BlockKindDescriptor = {
  name: 'basic',
  summary: 'Basic block: conv–BN units with ReLU between them, ReLU after the sum with the shortcut.',
  units: [k3, k3],
  strideUnit: { '1x1': 0, '3x3': 0 },
  activation: 'post',
  residual: true,
  widths: 'uniform',
  expansion: 1,
  attention: true,
  emit: { fn: 'basicBlock' },
};

/** torchvision Bottleneck / Keras applications' block1: 1×1 down, 3×3 (grouped, dilated), 1×1 up. */
export const bottleneck: BlockKindDescriptor = {
  name: 'bottleneck',
  summary: 'Bottleneck block: conv–BN units with ReLU between them, ReLU after the sum with the shortcut.',
  units: [pointwise, grouped3, pointwise],
  strideUnit: { '1x1': 0, '3x3': 1 },
  activation: 'post',
  residual: true,
  widths: 'bottleneck',
  expansion: 4,
  attention: true,
  emit: { fn: 'bottleneckBlock' },
};

/** The identity-mappings paper's pre-activation basic block (Keras' CIFAR resnet_v2 uses the bottleneck). */
export const preactBasic: BlockKindDescriptor = {
  ...basic,
  name: 'preact_basic',
  summary: 'Pre-activation basic block (He et al. 2016, "Identity Mappings"): BN and ReLU before each conv, nothing after the sum.',
  activation: 'pre',
  attention: false,
  emit: { fn: 'preactBasicBlock' },
};

/** Keras applications' ResNetV2 block2 and timm's PreActBottleneck. */
export const preactBottleneck: BlockKindDescriptor = {
  ...bottleneck,
  name: 'preact_bottleneck',
  summary: 'Pre-activation bottleneck block (He et al. 2016, "Identity Mappings"): BN and ReLU before each conv, nothing after the sum.',
  activation: 'pre',
  attention: false,
  emit: { fn: 'preactBottleneckBlock' },
};

/** The plain nets of He et al. 2015 (Fig. 1, Table 2, Fig. 4 left): the basic block without its shortcut. */
export const plain: BlockKindDescriptor = {
  ...basic,
  name: 'plain',
  summary: 'Plain block (He et al. 2015, the degradation experiment): conv–BN–ReLU units and no shortcut.',
  residual: false,
  attention: false,
  emit: { fn: 'plainBlock' },
};

export const builtinBlockKinds: readonly BlockKindDescriptor[] = [basic, bottleneck, preactBasic, preactBottleneck, plain];
