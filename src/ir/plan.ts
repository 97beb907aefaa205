import { BlockKind, ResolvedSpec, ShortcutSpec, StageSpec } from '../spec/types';
import { BlockLayout } from './types';

/** One block as the spec asks for it, before shapes are known. */
export interface BlockPlan extends BlockLayout {
  /** The shortcut kind the spec asks for; `chooseShortcut` decides the one used. */
  shortcut: ShortcutSpec;
  /** The block override named a shortcut: use it whether or not the shape changes. */
  shortcutForced: boolean;
  /** Spec pointer of the block (or its stage), for diagnostics. */
  pointer: string;
}

export function isPreact(kind: BlockKind): boolean {
  return kind === 'preact_basic' || kind === 'preact_bottleneck';
}

export function isBottleneckKind(kind: BlockKind): boolean {
  return kind === 'bottleneck' || kind === 'preact_bottleneck';
}

/**
 * Expands stages into blocks: filters from the width settings (torchvision's `width = planes × base_width / 64 ×
 * groups`), which block carries the stride, and output_stride's strides-into-dilation (torchvision's
 * replace_stride_with_dilation: the first block of a dilated stage keeps the previous dilation).
 */
export function planBlocks(spec: ResolvedSpec): BlockPlan[][] {
  const dilated = dilatedStages(spec);
  let dilation = 1;
  return spec.stages.map((stage, s) => {
    const setting = <K extends keyof StageSpec & keyof ResolvedSpec>(key: K) => (stage[key] ?? spec[key]) as ResolvedSpec[K];
    const previousDilation = dilation;
    let stageStride = stage.stride;
    if (dilated[s]) {
      dilation *= stageStride;
      stageStride = 1;
    }
    const downsampleAt = setting('downsampleAt');
    return Array.from({ length: stage.blocks }, (_, b) => {
      const o = stage.overrides[b] ?? {};
      const kind = o.block ?? setting('block');
      const carriesStride = downsampleAt === 'first' ? b === 0 : b === stage.blocks - 1;
      const explicitDilation = o.dilation ?? stage.dilation;
      return {
        stage: s,
        index: b,
        kind,
        filters: blockFilters(o.filters ?? (b > 0 && stage.identityFilters !== undefined ? stage.identityFilters : stage.filters), kind, {
          width: o.width ?? setting('width'),
          baseWidth: o.baseWidth ?? setting('baseWidth'),
          groups: o.groups ?? setting('groups'),
          expansion: o.expansion ?? stage.expansion ?? spec.expansion,
        }),
        stride: o.stride ?? (carriesStride ? stageStride : 1),
        dilation: explicitDilation ?? (dilated[s] && b === 0 ? previousDilation : dilation),
        strideAt: o.strideAt ?? setting('strideAt'),
        groups: o.groups ?? setting('groups'),
        shortcut: o.shortcut ?? setting('shortcut'),
        shortcutForced: o.shortcut !== undefined,
        preactShortcut: o.preactShortcut ?? setting('preactShortcut'),
        skipPreact: s === 0 && b === 0 && spec.stem.norm,
        pointer: stage.overrides[b] ? `/stages/${s}/overrides/${b}` : `/stages/${s}`,
      };
    });
  });
}

function blockFilters(filters: number | number[], kind: BlockKind, w: { width: number; baseWidth: number; groups: number; expansion?: number }): number[] {
  if (Array.isArray(filters)) return filters;
  const planes = Math.max(1, Math.round(filters * w.width));
  if (!isBottleneckKind(kind)) return [planes, planes * (w.expansion ?? 1)];
  const inner = Math.floor((planes * w.baseWidth) / 64) * w.groups;
  return [inner, inner, planes * (w.expansion ?? 4)];
}

/** Which stages trade their stride for dilation to reach output_stride (walking back from the last). */
function dilatedStages(spec: ResolvedSpec): boolean[] {
  const out = spec.stages.map(() => false);
  if (spec.outputStride === undefined) return out;
  const stem = spec.stem.stride * (spec.stem.pool === 'none' ? 1 : spec.stem.poolStride);
  let total = spec.stages.reduce((acc, st) => acc * st.stride, stem);
  for (let s = spec.stages.length - 1; s >= 0 && total > spec.outputStride; s--) {
    if (spec.stages[s].stride > 1) {
      out[s] = true;
      total /= spec.stages[s].stride;
    }
  }
  return out;
}
