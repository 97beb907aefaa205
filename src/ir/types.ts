/**
 * The intermediate representation, on two levels that point at each other. The flat node list (typed layers with
 * output shape, parameter counts and MACs) is what tfjs lowering, folding, counting and verification walk. The
 * architecture level above it (network settings, stages, blocks with their kind, arguments, shortcut decision and
 * the node each role produced) keeps the spec's intent, so backends that print code (TypeScript, PyTorch) or draw
 * the graph read it instead of guessing from the nodes. Shapes exclude the batch axis.
 */
import { AttentionKind, ConvBias, DenseActivation, InitializerSettings, NamingScheme, PaddingMode, PoolKind, ShortcutKind } from '../spec/types';
import { InitializerName } from './initializers';
import { Role } from './roles';

export type { InitializerName } from './initializers';

export type Shape = number[];
export type Padding2D = [[number, number], [number, number]];

export interface Conv2DAttrs {
  filters: number;
  kernel: number;
  strides: number;
  padding: 'same' | 'valid';
  dilation: number;
  groups: number;
  useBias: boolean;
  /** zero_init_residual in pre-activation blocks: the last conv's kernel starts at 0 (timm's zero_init_last). */
  zeroInit: boolean;
  /** How the kernel starts (src/ir/initializers.ts); `zeroInit` wins over it. */
  kernelInitializer: InitializerName;
}
export interface BatchNormAttrs {
  epsilon: number;
  momentum: number;
  /** zero_init_residual: the block's last BN starts with gamma 0. */
  gammaZero: boolean;
}
export interface PoolAttrs {
  size: number;
  strides: number;
  padding: 'same' | 'valid';
}
export interface DenseAttrs {
  units: number;
  activation: DenseActivation;
  useBias: boolean;
  /** How the kernel starts (src/ir/initializers.ts). */
  kernelInitializer: InitializerName;
}
/** An integer upscale of height and width (Keras UpSampling2D); no parameters, no MACs. */
export interface ResizeAttrs {
  factor: [number, number];
  interpolation: 'nearest' | 'bilinear';
}

/** Kind-specific attributes, discriminated by `op`. */
export type OpAttrs =
  | { op: 'input'; attrs: Record<string, never> }
  | { op: 'conv2d'; attrs: Conv2DAttrs }
  | { op: 'zero_pad'; attrs: { padding: Padding2D } }
  | { op: 'batch_norm'; attrs: BatchNormAttrs }
  | { op: 'relu'; attrs: Record<string, never> }
  | { op: 'max_pool'; attrs: PoolAttrs }
  | { op: 'avg_pool'; attrs: PoolAttrs }
  /** `keepDims`: 1×1×C instead of C (the squeeze of squeeze-and-excitation). */
  | { op: 'global_pool'; attrs: { mode: 'avg' | 'max'; keepDims: boolean } }
  | { op: 'add'; attrs: Record<string, never> }
  | { op: 'sigmoid'; attrs: Record<string, never> }
  /** ECA: a 1-D conv across the channels of a 1×1×C map (one filter, no bias, zero padding keeps C). */
  | { op: 'channel_conv'; attrs: { kernel: number } }
  /** Elementwise product of two inputs; the second may be 1×1×C (broadcast over the spatial axes). */
  | { op: 'multiply'; attrs: Record<string, never> }
  /** Stochastic depth: per sample, zero the input with probability `rate` while training (scaling the rest). */
  | { op: 'drop_path'; attrs: { rate: number } }
  /** Option-A shortcut: take every `stride`-th pixel, zero-pad channels; no parameters. */
  | { op: 'subsample_pad'; attrs: { stride: number; channelsBefore: number; channelsAfter: number } }
  | { op: 'flatten'; attrs: Record<string, never> }
  | { op: 'dropout'; attrs: { rate: number } }
  | { op: 'dense'; attrs: DenseAttrs }
  | { op: 'resize'; attrs: ResizeAttrs };

export type OpKind = OpAttrs['op'];

/** Where a node sits in the architecture, in words the naming schemes and the emitter understand. */
export interface NodeScope {
  part: 'input' | 'stem' | 'block' | 'head';
  /** 0-based stage index, for blocks. */
  stage?: number;
  /** 0-based block index within its stage. */
  block?: number;
  /** Shortcut nodes: the shortcut kind they belong to (timm numbers avg_down's modules from its pool). */
  shortcut?: ShortcutKind;
  /** What the node is for inside its part (a block's second conv, its shortcut's BN, the classifier). */
  role: Role;
}

export interface ParamCounts {
  trainable: number;
  nonTrainable: number;
}

export type IRNode = OpAttrs & {
  name: string;
  inputs: string[];
  shape: Shape;
  params: ParamCounts;
  macs: number;
  /** False for layers of frozen stages (their weights count as non-trainable). */
  trainable: boolean;
  scope: NodeScope;
};

export type NodeOf<K extends OpKind> = Extract<IRNode, { op: K }>;

/** What a block is, as planned from the spec and as lowered alike. */
export interface BlockLayout {
  stage: number;
  index: number;
  /** A registered block kind (src/ir/blocks). */
  kind: string;
  /** Filters of the main-branch convs. */
  filters: number[];
  stride: number;
  /** Dilation of the k×k convs. */
  dilation: number;
  /** Kernel size of the kind's k×k units (3 unless `kernel_size` says otherwise). */
  kernelSize: number;
  /** Channel attention after the branch (src/ir/blocks/attention.ts) and its squeeze ratio. */
  attention: AttentionKind;
  seRatio: number;
  /** Stochastic depth: this block's drop probability (0: none). */
  dropPath: number;
  strideAt: '1x1' | '3x3';
  groups: number;
  /** Pre-activation blocks: whether BN+ReLU before the first conv is left out (the stem already ended with it). */
  skipPreact: boolean;
  /** Pre-activation blocks: whether conv shortcuts read the BN+ReLU output. */
  preactShortcut: boolean;
}

/** A block's shortcut: what the spec asked for, whether a block override forced it, what `chooseShortcut` chose. */
export interface ShortcutDecision {
  requested: ShortcutKind;
  forced: boolean;
  /** `none` for a kind without a shortcut (plain blocks). */
  chosen: ShortcutKind | 'none';
  /** Whether a conv shortcut is followed by BN (never in pre-activation blocks). */
  norm: boolean;
}

/** A block as a whole: what the emitter turns into one call of a block function. */
export interface BlockInfo extends BlockLayout {
  shortcut: ShortcutDecision;
  input: string;
  output: string;
  /** Every node of the block, in order. */
  nodes: string[];
  /** The node each role produced, in node order. */
  roles: Array<{ role: Role; node: string }>;
}

/** Network-wide settings, as the spec states them (not as they can be guessed from the layers). */
export interface NetworkSettings {
  batchNorm: { epsilon: number; momentum: number };
  convBias: ConvBias;
  padding: PaddingMode;
  naming: NamingScheme;
  /** -1 none, 0 the stem, n the stem and stages 1…n. */
  frozenStages: number;
  /** 1-based stages whose outputs are model outputs besides the head's. */
  outIndices: number[];
  includeTop: boolean;
  pooling: PoolKind;
  /** The classifier's width (head.classes), which Caffe's names carry (fc1000). */
  classes: number;
  /** ResNet-C's three-conv stem, which torch names as timm does (conv1.0 … conv1.6). */
  deepStem: boolean;
  zeroInitResidual: boolean;
  /** The spec's `initializer`: conv and dense kernels' defaults, and the seed of their draw (null: a fresh draw). */
  initializer: InitializerSettings;
}


export interface StageSummary {
  name: string;
  index: number;
  blocks: number;
  /** The stage's stride as specified (before output_stride turns it into dilation). */
  stride: number;
  downsampleAt: 'first' | 'last';
  /** The stage's filters as specified (one width, or each conv's). */
  filters: number | number[];
  /** Blocks (0-based) that a per-block override changes. */
  overrides: number[];
  params: ParamCounts;
  macs: number;
  outputShape: Shape;
  output: string;
}

export interface IRGraph {
  name: string;
  input: Shape;
  /** Topologically ordered. */
  nodes: IRNode[];
  outputs: string[];
  blocks: BlockInfo[];
  stages: StageSummary[];
  params: ParamCounts & { total: number };
  macs: number;
  naming: NamingScheme;
  settings: NetworkSettings;
  /** Stem and head nodes, in order; the head's `top` ones exist only with the classifier (include_top). */
  stem: string[];
  head: Array<{ node: string; top: boolean }>;
}
