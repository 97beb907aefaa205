import { HeadLayer, HeadLayerSpec, HeadSpec } from '../spec/types';
import { role } from './roles';
import { GraphBuilder } from './builder';
import { OpAttrs } from './types';

/**
 * After the last stage: BN+ReLU for pre-activation nets, then either `head.layers` in order or the fixed head:
 * pooling (global, or a fixed window then flatten as in the Keras CIFAR-10 example), dropout, the classifier.
 * Returns undefined when nothing follows the stages.
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
  if (head.layers) return head.layers.reduce((input, l, index) => g.add(headLayerOp(g, l), [input], {
    part: 'head', role: { kind: 'head_layer', index, type: l.type, ...(l.name ? { name: l.name } : {}) },
  }, `/head/layers/${index}`), y);
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

/** One `head.layers` item as an IR op; a BN without its own ε or momentum takes the network's. */
function headLayerOp(g: GraphBuilder, l: HeadLayerSpec): OpAttrs {
  switch (l.type) {
    case 'flatten': return { op: 'flatten', attrs: {} };
    case 'global_avg_pool': return { op: 'global_pool', attrs: { mode: 'avg', keepDims: false } };
    case 'global_max_pool': return { op: 'global_pool', attrs: { mode: 'max', keepDims: false } };
    case 'relu': return { op: 'relu', attrs: {} };
    case 'dropout': return { op: 'dropout', attrs: { rate: l.rate } };
    case 'dense': return { op: 'dense', attrs: { units: l.units, activation: l.activation, useBias: l.useBias, kernelInitializer: l.initializer ?? g.settings.initializer.dense } };
    case 'batch_norm': {
      const bn = g.bnAttrs(false);
      return { op: 'batch_norm', attrs: { ...bn, epsilon: l.epsilon ?? bn.epsilon, momentum: l.momentum ?? bn.momentum } };
    }
  }
}
