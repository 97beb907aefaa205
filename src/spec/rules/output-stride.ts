import { SemanticRule } from './rule';

/** output_stride trades the last stages' strides for dilation, so the net must stride at least that much. */
export const outputStride: SemanticRule = {
  id: 'output-stride',
  description: 'output_stride is reachable by turning trailing stage strides into dilation.',
  check({ spec, report }) {
    if (spec.outputStride === undefined) return;
    const stem = spec.stem.stride * (spec.stem.pool === 'none' ? 1 : spec.stem.poolStride);
    const total = spec.stages.reduce((acc, s) => acc * s.stride, stem);
    if (spec.outputStride > total) {
      report('output-stride', `output_stride ${spec.outputStride} is larger than the net's total stride ${total}`, '/output_stride', `use at most ${total}`);
      return;
    }
    // Walking back from the last stage, strides become dilation until the product reaches output_stride.
    let reached = total;
    for (let s = spec.stages.length - 1; s >= 0 && reached > spec.outputStride; s--) reached /= spec.stages[s].stride;
    if (reached !== spec.outputStride) {
      report('output-stride', `output_stride ${spec.outputStride} cannot be reached by removing trailing stage strides (total ${total})`, '/output_stride');
    }
  },
};
