/**
 * The resolved spec in memory (camelCase). The YAML wire format (snake_case) is described by
 * specs/netspec.schema.json; `toResolvedSpec` maps one onto the other after every default has been applied.
 */
import type { InitializerName } from '../ir/initializers';

/** The name of a block kind registered in src/ir/blocks (the schema lists the built-in ones). */
export type BlockKind = string;
export type ShortcutKind = 'projection' | 'identity' | 'option_a' | 'maxpool' | 'avg_down';
export type StrideAt = '1x1' | '3x3';
export type DownsampleAt = 'first' | 'last';
export type ConvBias = 'always' | 'never' | 'unless_bn';
export type PaddingMode = 'same' | 'explicit' | 'auto';
export type NamingScheme = 'keras' | 'torch' | 'caffe';
export type PoolKind = 'max' | 'avg' | 'none';
export type AttentionKind = 'none' | 'se' | 'eca';
/** Head layers a spec may name explicitly. */
export type HeadLayer = 'post_bn' | 'post_relu' | 'avg_pool' | 'max_pool' | 'flatten' | 'dropout' | 'fc';
export type Shape3 = [number, number, number];

/** `initializer:` — conv and dense kernels' initialisers (src/ir/initializers.ts) and the seed of their draw. */
export interface InitializerSettings {
  conv: InitializerName;
  dense: InitializerName;
  /** null: every build draws afresh (a training run then seeds from its own seed). */
  seed: number | null;
}

export interface ShortcutSpec {
  kind: ShortcutKind;
  norm: boolean;
}

/** Settings that can be given for the whole net, a stage, or one block; the nearest wins. */
export interface BlockSettings {
  block: BlockKind;
  strideAt: StrideAt;
  downsampleAt: DownsampleAt;
  shortcut: ShortcutSpec;
  groups: number;
  baseWidth: number;
  width: number;
  expansion?: number;
  preactShortcut: boolean;
  dilation: number;
  /** Kernel size of the block's k×k convs (the deeplearning.ai assignment's `f`). */
  kernelSize: number;
  /** Channel attention after the residual branch (src/ir/blocks/attention.ts). */
  attention: AttentionKind;
  /** Squeeze-and-excitation reduction (timm's rd_ratio). */
  seRatio: number;
}

export interface BlockOverride extends Partial<BlockSettings> {
  filters?: number | number[];
  stride?: number;
}

export interface StageSpec extends Partial<BlockSettings> {
  blocks: number;
  filters: number | number[];
  identityFilters?: number | number[];
  stride: number;
  overrides: Record<number, BlockOverride>;
}

export interface StemSpec {
  filters: number | number[];
  kernel: number;
  stride: number;
  deep: boolean;
  norm: boolean;
  pool: PoolKind;
  poolSize: number;
  poolStride: number;
  /** `symmetric`: (pool_size − 1) / 2 zeros each side; `valid`: none. */
  poolPadding: 'symmetric' | 'valid';
  /** An in-model resize before the stem conv (Keras UpSampling2D); `size` is checked to be a whole multiple. */
  resize?: StemResize;
}

export interface StemResize {
  factor?: number;
  size?: [number, number];
  interpolation: 'nearest' | 'bilinear';
}

export type HeadLayerType = 'flatten' | 'global_avg_pool' | 'global_max_pool' | 'batch_norm' | 'dense' | 'dropout' | 'relu';
export type DenseActivation = 'relu' | 'softmax' | 'sigmoid' | 'linear';

/** One item of `head.layers`, with the settings its type takes. */
export type HeadLayerSpec = { name?: string } & (
  | { type: 'flatten' | 'global_avg_pool' | 'global_max_pool' | 'relu' }
  | { type: 'batch_norm'; epsilon?: number; momentum?: number }
  | { type: 'dense'; units: number; activation: DenseActivation; useBias: boolean; initializer?: InitializerName }
  | { type: 'dropout'; rate: number }
);

export interface HeadSpec {
  includeTop: boolean;
  norm: boolean;
  pooling: PoolKind;
  /** What the model would end with without the classifier: `pooling` as written, else `pooling_without_top`. */
  poolingWithoutTop: PoolKind;
  poolSize?: number;
  dropout: number;
  classes: number;
  activation: DenseActivation;
  /** Names that replace the naming scheme's. */
  names: Partial<Record<HeadLayer, string>>;
  /** `head.layers`: the head as a list, replacing pooling, dropout and the classifier above. */
  layers?: HeadLayerSpec[];
}

export interface ResolvedSpec extends BlockSettings {
  name: string;
  description?: string;
  family?: string;
  depth?: number;
  convention: string;
  naming: NamingScheme;
  convBias: ConvBias;
  batchNorm: { epsilon: number; momentum: number };
  padding: PaddingMode;
  input: Shape3;
  stem: StemSpec;
  stages: StageSpec[];
  head: HeadSpec;
  zeroInitResidual: boolean;
  /** Kernel initialisers of convs and dense layers, and the seed that makes the build reproducible. */
  initializer: InitializerSettings;
  outputStride?: number;
  outIndices: number[];
  frozenStages: number;
  /** Stochastic depth: the largest drop probability, reached by the last block (timm's linear rule). */
  dropPathRate: number;
  /** The raw training section, validated by the training schema where it is used. */
  train?: Record<string, unknown>;
}
