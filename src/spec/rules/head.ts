import { SemanticRule } from './rule';

/** A fixed pooling window needs a pooling kind to apply it with. */
export const headPooling: SemanticRule = {
  id: 'head-pooling',
  description: 'head.pool_size goes with pooling avg or max.',
  check({ spec, report }) {
    if (spec.head.poolSize !== undefined && spec.head.pooling === 'none') {
      report('head-pooling', 'pool_size is set but pooling is none', '/head/pool_size', 'set pooling: avg (the Keras CIFAR-10 example) or remove pool_size');
    }
  },
};
