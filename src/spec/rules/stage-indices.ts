import { SemanticRule } from './rule';

/** Indices that refer to stages or blocks must exist. */
export const stageIndices: SemanticRule = {
  id: 'stage-index',
  description: 'out_indices, frozen_stages and block overrides refer to existing stages and blocks.',
  check({ spec, report }) {
    const n = spec.stages.length;
    spec.outIndices.forEach((index, i) => {
      if (index > n) report('stage-index', `out_indices names stage ${index}, but there are ${n} stages`, `/out_indices/${i}`, `use 1…${n}`);
    });
    if (spec.frozenStages > n) report('stage-index', `frozen_stages is ${spec.frozenStages}, but there are ${n} stages`, '/frozen_stages', `use -1…${n}`);
    spec.stages.forEach((stage, s) => {
      for (const b of Object.keys(stage.overrides).map(Number)) {
        if (b >= stage.blocks) {
          report('stage-index', `override for block ${b}, but stage ${s + 1} has ${stage.blocks} blocks (0…${stage.blocks - 1})`, `/stages/${s}/overrides/${b}`);
        }
      }
    });
  },
};
