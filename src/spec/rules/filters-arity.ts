import { blockKinds } from '../../ir/blocks/registry';
import { SemanticRule, stageSetting } from './rule';

/** A list of filters names every conv of the block: one per unit of the registered kind (2 basic, 3 bottleneck). */
export const filtersArity: SemanticRule = {
  id: 'filters-arity',
  description: 'Filter lists have one entry per conv of the block kind.',
  check({ spec, report }) {
    spec.stages.forEach((stage, s) => {
      const stageKind = stageSetting(spec, stage, 'block');
      const check = (filters: number | number[] | undefined, kind: typeof stageKind, pointer: string) => {
        if (!Array.isArray(filters)) return;
        if (!blockKinds.has(kind)) return;
        const expected = blockKinds.get(kind).units.length;
        if (filters.length !== expected) {
          const example = Array.from({ length: expected }, (_, i) => (i === expected - 1 && expected === 3 ? 256 : 64));
          report('filters-arity', `a ${kind} block has ${expected} convs, so its filter list needs ${expected} numbers; got ${filters.length}`, pointer,
            `for example [${example.join(', ')}]`);
        }
      };
      check(stage.filters, stageKind, `/stages/${s}/filters`);
      check(stage.identityFilters, stageKind, `/stages/${s}/identity_filters`);
      for (const [b, o] of Object.entries(stage.overrides)) check(o.filters, o.block ?? stageKind, `/stages/${s}/overrides/${b}/filters`);
    });
  },
};
