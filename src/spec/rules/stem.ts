import { SemanticRule } from './rule';

/** A plain stem has one conv; a deep stem has three. */
export const stemFilters: SemanticRule = {
  id: 'stem-filters',
  description: 'stem.filters lists one width per stem conv.',
  check({ spec, report }) {
    const { filters, deep } = spec.stem;
    if (!Array.isArray(filters)) return;
    if (deep && filters.length !== 3) report('stem-filters', `a deep stem has 3 convs; got ${filters.length} filters`, '/stem/filters', 'for example [32, 32, 64]');
    if (!deep && filters.length !== 1) report('stem-filters', `a plain stem has one conv; got ${filters.length} filters`, '/stem/filters', 'give one number, or set deep: true for a three-conv stem');
  },
};
