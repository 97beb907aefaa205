import { blockKinds } from '../../ir/blocks/registry';
import { BlockSettings } from '../types';
import { SemanticRule } from './rule';

/**
 * `attention:` sits where the block kind's descriptor has an attention slot (after the last BN of a
 * post-activation residual branch, as timm's SE-ResNets); pre-activation and plain kinds have none, and timm has no
 * reference for them.
 */
export const attentionPlacement: SemanticRule = {
  id: 'attention',
  description: 'attention is only set on block kinds whose registry entry has an attention slot.',
  check({ spec, report }) {
    // A network-level setting that fails in several stages is one mistake, reported once where it was written.
    const reported = new Set<string>();
    const at = (pointer: string, settings: Partial<BlockSettings>, fallback: BlockSettings) => {
      const kind = settings.block ?? fallback.block;
      const attention = settings.attention ?? fallback.attention;
      if (attention === 'none' || blockKinds.get(kind).attention) return;
      const where = settings.attention !== undefined ? `${pointer}/attention` : settings.block !== undefined ? `${pointer}/block` : '/attention';
      if (reported.has(where)) return;
      reported.add(where);
      report('attention', `${kind} blocks have no attention slot (attention: ${attention})`, where,
        `use ${blockKinds.names().filter((k) => blockKinds.get(k).attention).join(' or ')} blocks, or attention: none`);
    };
    spec.stages.forEach((stage, s) => {
      const stageLevel = { ...spec, ...stripUndefined(stage) } as BlockSettings;
      at(`/stages/${s}`, stage, spec);
      for (const [b, o] of Object.entries(stage.overrides)) at(`/stages/${s}/overrides/${b}`, o, stageLevel);
    });
  },
};

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
