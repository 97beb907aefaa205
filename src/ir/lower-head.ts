import { HeadLayer, HeadSpec } from '../spec/types';
import { role } from './roles';
import { GraphBuilder } from './builder';

/**
 * After the last stage: BN+ReLU for pre-activation nets, pooling (global, or a fixed window then flatten as in the
 * Keras CIFAR-10 example), dropout, the classifier. Returns undefined when nothing follows the stages.
 */
export function lowerHead(g: GraphBuilder, head: HeadSpec, x: string): string | undefined {
  const at = (r: HeadLayer) => ({ part: 'head' as const, role: role(r) });
  let y = x;
  let changed = false;
  if (head.norm) {
    const bn = g.add({ op: 'batch_norm', attrs: g.bnAttrs(false) }, [y], at('post_bn'), '/head/norm');
    y = g.add({ op: 'relu', attrs: {} }, [bn], at('post_relu'), '/head/norm');
    changed = true;
  }
  if (head.pooling !== 'none') {
    const pool = head.pooling === 'avg' ? 'avg_pool' : 'max_pool';
    if (head.poolSize !== undefined) {
      const op = head.pooling === 'avg' ? 'avg_pool' : 'max_pool';
      y = g.add({ op, attrs: { size: head.poolSize, strides: head.poolSize, padding: 'valid' } }, [y], at(pool), '/head/pool_size');
      y = g.add({ op: 'flatten', attrs: {} }, [y], at('flatten'), '/head/pool_size');
    } else {
      y = g.add({ op: 'global_pool', attrs: { mode: head.pooling, keepDims: false } }, [y], at(pool), '/head/pooling');
    }
    changed = true;
  } else if (head.includeTop) {
    y = g.add({ op: 'flatten', attrs: {} }, [y], at('flatten'), '/head');
  }
  if (!head.includeTop) return changed ? y : undefined;
  if (head.dropout > 0) y = g.add({ op: 'dropout', attrs: { rate: head.dropout } }, [y], at('dropout'), '/head/dropout');
  return g.add({ op: 'dense', attrs: { units: head.classes, activation: head.activation, useBias: true, kernelInitializer: g.settings.initializer.dense } }, [y], at('fc'), '/head/classes');
}
