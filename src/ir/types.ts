/**
 * The intermediate representation: one typed graph of layers, each with its output shape, parameter counts and
 * MACs. Every backend (tfjs, the TypeScript emitter) consumes this and nothing else. Shapes exclude the batch axis.
 */
import { BlockKind, ShortcutKind } from '../spec/types';

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
  activation: 'softmax' | 'linear' | 'sigmoid';
  useBias: boolean;
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
  | { op: 'global_pool'; attrs: { mode: 'avg' | 'max' } }
  | { op: 'add'; attrs: Record<string, never> }
  /** Option-A shortcut: take every `stride`-th pixel, zero-pad channels; no parameters. */
  | { op: 'subsample_pad'; attrs: { stride: number; channelsBefore: number; channelsAfter: number } }
  | { op: 'flatten'; attrs: Record<string, never> }
  | { op: 'dropout'; attrs: { rate: number } }
  | { op: 'dense'; attrs: DenseAttrs };

export type OpKind = OpAttrs['op'];

/** Where a node sits in the architecture, in words the naming schemes and the emitter understand. */
export interface NodeScope {
  part: 'input' | 'stem' | 'block' | 'head';
  /** 0-based stage index, for blocks. */
  stage?: number;
  /** 0-based block index within its stage. */
  block?: number;
  /** Role inside its part, e.g. `conv2`, `bn2`, `shortcut_conv`, `add`, `out`, `fc`. */
  role: string;
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
  kind: BlockKind;
  /** Filters of the main-branch convs. */
  filters: number[];
  stride: number;
  /** Dilation of the 3×3 convs. */
  dilation: number;
  strideAt: '1x1' | '3x3';
  groups: number;
  /** Pre-activation blocks: whether BN+ReLU before the first conv is left out (the stem already ended with it). */
  skipPreact: boolean;
  /** Pre-activation blocks: whether conv shortcuts read the BN+ReLU output. */
  preactShortcut: boolean;
}

/** A residual block as a whole: what the emitter turns into one call of a block function. */
export interface BlockInfo extends BlockLayout {
  shortcut: ShortcutKind;
  shortcutNorm: boolean;
  input: string;
  output: string;
  /** Every node of the block, in order. */
  nodes: string[];
}

export interface StageSummary {
  name: string;
  index: number;
  blocks: number;
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
  naming: string;
}
