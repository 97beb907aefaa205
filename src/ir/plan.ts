import { ResolvedSpec, ShortcutSpec, StageSpec } from '../spec/types';
import { blockKinds } from './blocks/registry';
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

/**
 * Expands stages into blocks: filters from the width settings (torchvision's `width = planes × base_width / 64 ×
 * groups`), which block carries the stride, and output_stride's strides-into-dilation (torchvision's
 * replace_stride_with_dilation: the first block of a dilated stage keeps the previous dilation).
 */
export function planBlocks(spec: ResolvedSpec): BlockPlan[][] {
  const plans = planStages(spec);
  // timm's stochastic-depth rule: linear in the block's index over the whole net, 0 for the first block.
  const all = plans.flat();
  all.forEach((p, i) => { p.dropPath = all.length > 1 ? (spec.dropPathRate * i) / (all.length - 1) : 0; });
  return plans;
}

function planStages(spec: ResolvedSpec): BlockPlan[][] {
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
        kernelSize: o.kernelSize ?? setting('kernelSize'),
        attention: o.attention ?? setting('attention'),
        seRatio: o.seRatio ?? setting('seRatio'),
        dropPath: 0,
        strideAt: o.strideAt ?? setting('strideAt'),
        groups: o.groups ?? setting('groups'),
        shortcut: o.shortcut ?? setting('shortcut'),
        shortcutForced: o.shortcut !== undefined,
        preactShortcut: o.preactShortcut ?? setting('preactShortcut'),
        skipPreact: s === 0 && b === 0 && spec.stem.norm && blockKinds.get(kind).activation === 'pre',
        pointer: stage.overrides[b] ? `/stages/${s}/overrides/${b}` : `/stages/${s}`,
      };
    });
  });
}

function blockFilters(filters: number | number[], kindName: string, w: { width: number; baseWidth: number; groups: number; expansion?: number }): number[] {
  if (Array.isArray(filters)) return filters;
  const kind = blockKinds.get(kindName);
  const planes = Math.max(1, Math.round(filters * w.width));
  const inner = kind.widths === 'bottleneck' ? Math.floor((planes * w.baseWidth) / 64) * w.groups : planes;
  return kind.units.map((_, i) => (i === kind.units.length - 1 ? planes * (w.expansion ?? kind.expansion) : inner));
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
