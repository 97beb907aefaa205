import { invariant } from '../diagnostics/diagnostic';
import {
  BlockOverride, BlockSettings, ConvBias, HeadLayerSpec, HeadSpec, InitializerSettings, ResolvedSpec, ShortcutSpec, StageSpec, StemSpec,
} from './types';
import type { InitializerName } from '../ir/initializers';

type Raw = Record<string, unknown>;

/**
 * Maps the validated, default-filled YAML form (snake_case) onto the in-memory spec (camelCase). The schema has
 * already checked every type, so this only renames and normalises shorthands (shortcut strings, boolean conv_bias).
 */
export function toResolvedSpec(raw: Raw, fallbackName: string): ResolvedSpec {
  const stages = raw.stages as Raw[];
  invariant(Array.isArray(stages), 'stages validated before conversion');
  const batchNorm = (raw.batch_norm ?? {}) as Raw;
  return {
    ...blockSettings(raw, true),
    name: (raw.name as string | undefined) ?? fallbackName,
    description: raw.description as string | undefined,
    family: raw.family as string | undefined,
    depth: raw.depth as number | undefined,
    convention: raw.convention as string,
    naming: raw.naming as ResolvedSpec['naming'],
    convBias: convBias(raw.conv_bias),
    batchNorm: { epsilon: batchNorm.epsilon as number, momentum: batchNorm.momentum as number },
    padding: raw.padding as ResolvedSpec['padding'],
    input: raw.input as ResolvedSpec['input'],
    stem: stem(raw.stem as Raw),
    stages: stages.map(stage),
    head: head(raw.head as Raw),
    zeroInitResidual: raw.zero_init_residual as boolean,
    initializer: initializer(raw.initializer as Raw),
    outputStride: raw.output_stride as number | undefined,
    outIndices: (raw.out_indices as number[] | undefined) ?? [],
    frozenStages: raw.frozen_stages as number,
    dropPathRate: raw.drop_path_rate as number,
    train: raw.train as Raw | undefined,
  };
}

function convBias(v: unknown): ConvBias {
  if (v === true) return 'always';
  if (v === false) return 'never';
  return v as ConvBias;
}

function initializer(raw: Raw): InitializerSettings {
  return { conv: raw.conv as InitializerSettings['conv'], dense: raw.dense as InitializerSettings['dense'], seed: (raw.seed as number | null | undefined) ?? null };
}

function shortcut(v: unknown): ShortcutSpec | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return { kind: v as ShortcutSpec['kind'], norm: true };
  const o = v as Raw;
  return { kind: o.kind as ShortcutSpec['kind'], norm: (o.norm as boolean | undefined) ?? true };
}

/** Block settings at one level; only the root level is complete (its defaults come from schema and preset). */
function blockSettings(raw: Raw, root: true): BlockSettings;
function blockSettings(raw: Raw, root: false): Partial<BlockSettings>;
function blockSettings(raw: Raw, root: boolean): Partial<BlockSettings> {
  const settings: Partial<BlockSettings> = {
    block: raw.block as BlockSettings['block'] | undefined,
    strideAt: raw.stride_at as BlockSettings['strideAt'] | undefined,
    downsampleAt: raw.downsample_at as BlockSettings['downsampleAt'] | undefined,
    shortcut: shortcut(raw.shortcut),
    groups: raw.groups as number | undefined,
    baseWidth: raw.base_width as number | undefined,
    width: raw.width as number | undefined,
    expansion: raw.expansion as number | undefined,
    preactShortcut: raw.preact_shortcut as boolean | undefined,
    dilation: raw.dilation as number | undefined,
    kernelSize: raw.kernel_size as number | undefined,
    attention: raw.attention as BlockSettings['attention'] | undefined,
    seRatio: raw.se_ratio as number | undefined,
  };
  for (const key of Object.keys(settings) as (keyof BlockSettings)[]) if (settings[key] === undefined) delete settings[key];
  // The root level is complete: the schema gives its defaults, the convention and family fill the rest.
  if (root) invariant(settings.block && settings.strideAt && settings.shortcut, 'root block settings resolved');
  return settings;
}

function stage(raw: Raw): StageSpec {
  const overrides: Record<number, BlockOverride> = {};
  for (const [index, o] of Object.entries((raw.overrides ?? {}) as Record<string, Raw>)) {
    overrides[Number(index)] = { ...blockSettings(o, false), filters: o.filters as number | number[] | undefined, stride: o.stride as number | undefined };
  }
  return {
    ...blockSettings(raw, false),
    blocks: raw.blocks as number,
    filters: raw.filters as number | number[],
    identityFilters: raw.identity_filters as number | number[] | undefined,
    stride: raw.stride as number,
    overrides,
  };
}

function stem(raw: Raw): StemSpec {
  return {
    filters: raw.filters as number | number[],
    kernel: raw.kernel as number,
    stride: raw.stride as number,
    deep: raw.deep as boolean,
    norm: raw.norm as boolean,
    pool: raw.pool as StemSpec['pool'],
    poolSize: raw.pool_size as number,
    poolStride: raw.pool_stride as number,
    poolPadding: raw.pool_padding as StemSpec['poolPadding'],
    resize: raw.resize as StemSpec['resize'],
  };
}

/**
 * Without `pooling`, a model with the classifier pools globally by average (every reference does); one without it
 * ends as `pooling_without_top` says, which the conventions disagree on. With `layers`, the last dense layer is the
 * classifier: its units and activation are the head's `classes` and `activation`.
 */
function head(raw: Raw): HeadSpec {
  const includeTop = raw.include_top as boolean;
  const layers = (raw.layers as Raw[] | undefined)?.map(headLayer);
  const classifier = layers?.filter((l) => l.type === 'dense').pop();
  return {
    includeTop,
    norm: raw.norm as boolean,
    pooling: (raw.pooling ?? (includeTop ? 'avg' : raw.pooling_without_top)) as HeadSpec['pooling'],
    poolingWithoutTop: (raw.pooling ?? raw.pooling_without_top) as HeadSpec['pooling'],
    poolSize: raw.pool_size as number | undefined,
    dropout: raw.dropout as number,
    classes: classifier?.type === 'dense' ? classifier.units : raw.classes as number,
    activation: classifier?.type === 'dense' ? classifier.activation : (raw.activation as HeadSpec['activation'] | undefined) ?? 'softmax',
    names: (raw.names as HeadSpec['names'] | undefined) ?? {},
    ...(layers ? { layers } : {}),
  };
}

function headLayer(raw: Raw): HeadLayerSpec {
  const name = raw.name === undefined ? {} : { name: raw.name as string };
  switch (raw.type as HeadLayerSpec['type']) {
    case 'dense':
      return { ...name, type: 'dense', units: raw.units as number, activation: raw.activation as 'linear', useBias: raw.use_bias as boolean, ...(raw.initializer ? { initializer: raw.initializer as InitializerName } : {}) };
    case 'dropout':
      return { ...name, type: 'dropout', rate: raw.rate as number };
    case 'batch_norm':
      return { ...name, type: 'batch_norm', epsilon: raw.epsilon as number | undefined, momentum: raw.momentum as number | undefined };
    default:
      return { ...name, type: raw.type as 'flatten' };
  }
}
