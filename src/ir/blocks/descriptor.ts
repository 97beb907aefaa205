/**
 * What a block kind is, as data. The planner (widths, stride placement), the lowering (the layers), the naming
 * schemes (through the roles it produces) and the TypeScript emitter (its block functions) all read this one
 * descriptor; nothing else in netspec knows what a "bottleneck" is. See docs/block-kinds.md to add one.
 */
import { StrideAt } from '../../spec/types';

/** One conv unit of the residual branch: conv, then (by the kind's norm placement) BN and ReLU. */
export interface ConvUnit {
  /** `1` for a pointwise conv; `'k'` for the block's kernel size (3 unless the spec sets `kernel_size`). */
  kernel: 1 | 'k';
  /** Takes the block's `groups` (ResNeXt cardinality). */
  grouped: boolean;
  /** Takes the block's dilation (output_stride). */
  dilated: boolean;
}

export interface BlockKindDescriptor {
  /** The spec's `block:` value. */
  name: string;
  /** One sentence for docs and the emitted block function's doc comment. */
  summary: string;
  /** The residual branch, in order. */
  units: readonly ConvUnit[];
  /** 0-based unit that carries the block's stride, for each `stride_at`. */
  strideUnit: Readonly<Record<StrideAt, number>>;
  /**
   * `post`: conv–BN–ReLU units, the last without ReLU, ReLU after the sum (v1). `pre`: BN–ReLU before each conv,
   * nothing after the sum (v2, He et al. 2016 "Identity Mappings").
   */
  activation: 'post' | 'pre';
  /** False for a plain block: no shortcut and no sum (the degradation experiment of He et al. 2015, Fig. 1). */
  residual: boolean;
  /**
   * How one `filters` number becomes the units' widths: `uniform` gives every unit `filters` and the last
   * `expansion × filters`; `bottleneck` gives the inner units torchvision's `floor(filters × base_width / 64) ×
   * groups` and the last `expansion × filters`.
   */
  widths: 'uniform' | 'bottleneck';
  /** Output channels = expansion × filters, unless the spec sets `expansion`. */
  expansion: number;
  /** Whether `attention:` (squeeze-and-excitation) may sit after the branch's last unit. */
  attention: boolean;
  /** The emitted block function. */
  emit: { fn: string };
}

/** A kind's units that have a k×k kernel, given the block's kernel size. */
export function unitKernel(unit: ConvUnit, kernelSize: number): number {
  return unit.kernel === 1 ? 1 : kernelSize;
}
