import { isBottleneck, SemanticRule, stageSetting } from './rule';

/** A list of filters names every conv of the block: two for basic blocks, three for bottlenecks. */
export const filtersArity: SemanticRule = {
  id: 'filters-arity',
  description: 'Filter lists have one entry per conv of the block kind.',
  check({ spec, report }) {
    spec.stages.forEach((stage, s) => {
      const stageKind = stageSetting(spec, stage, 'block');
      const check = (filters: number | number[] | undefined, kind: typeof stageKind, pointer: string) => {
        if (!Array.isArray(filters)) return;
        const expected = isBottleneck(kind) ? 3 : 2;
        if (filters.length !== expected) {
          report('filters-arity', `a ${kind} block has ${expected} convs, so its filter list needs ${expected} numbers; got ${filters.length}`, pointer,
            isBottleneck(kind) ? 'for example [64, 64, 256]' : 'for example [64, 64]');
        }
      };
      check(stage.filters, stageKind, `/stages/${s}/filters`);
      check(stage.identityFilters, stageKind, `/stages/${s}/identity_filters`);
      for (const [b, o] of Object.entries(stage.overrides)) check(o.filters, o.block ?? stageKind, `/stages/${s}/overrides/${b}/filters`);
    });
  },
};
