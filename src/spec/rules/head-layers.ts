import { SemanticRule } from './rule';

const SPATIAL_END = new Set(['flatten', 'global_avg_pool', 'global_max_pool']);

/**
 * `head.layers` is the whole top of the model: it needs a classifier (its last dense layer), one flatten or global
 * pool before any dense layer (a dense layer on the 4-D map is per-pixel in Keras but not in torch's nn.Linear),
 * and it replaces the fixed head's pooling and dropout. A dense layer's units and a dropout's rate are checked here
 * rather than as `required` in the schema, whose if/then branches would report a missing one three ways.
 */
export const headLayers: SemanticRule = {
  id: 'head-layers',
  description: 'head.layers items have their settings (dense units, dropout rate), one flatten or global pool before its dense layers, ends in a classifier and replaces the fixed head.',
  check({ spec, report }) {
    const { layers } = spec.head;
    if (!layers) return;
    const hint = 'the Keras recipe: [{type: flatten}, {type: batch_norm}, {type: dense, units: 128, activation: relu}, {type: dropout, rate: 0.5}, …, {type: dense, units: 10, activation: softmax}]';
    if (!spec.head.includeTop) report('head-layers', 'head.layers is the top of the model, which include_top: false leaves out', '/head/include_top', 'remove include_top: false, or the layers');
    if (spec.head.poolSize !== undefined) report('head-layers', 'pool_size belongs to the fixed head; head.layers replaces it', '/head/pool_size', 'use {type: global_avg_pool} or {type: flatten} in the layers');
    for (const key of Object.keys(spec.head.names).filter((k) => k !== 'post_bn' && k !== 'post_relu')) {
      report('head-layers', `names.${key} names a layer of the fixed head, which head.layers replaces`, `/head/names/${key}`, 'give the item of head.layers a name: instead');
    }
    if (spec.head.dropout > 0) report('head-layers', 'dropout belongs to the fixed head; head.layers replaces it', '/head/dropout', 'add {type: dropout, rate: r} where it belongs in the layers');
    let flat = -1;
    layers.forEach((l, i) => {
      if (l.type === 'dense' && l.units === undefined) report('head-layers', `dense layer (item ${i}) has no units`, `/head/layers/${i}`, 'for example {type: dense, units: 128, activation: relu}');
      if (l.type === 'dropout' && l.rate === undefined) report('head-layers', `dropout (item ${i}) has no rate`, `/head/layers/${i}`, 'for example {type: dropout, rate: 0.5}');
      if (SPATIAL_END.has(l.type)) {
        if (flat >= 0) report('head-layers', `head.layers has a second ${l.type} (item ${i}); item ${flat} already made the map a vector`, `/head/layers/${i}`, 'keep one flatten or global pool');
        else flat = i;
      } else if (l.type === 'dense' && flat < 0) {
        report('head-layers', `dense layer (item ${i}) on the 4-D feature map: no flatten or global pool before it`, `/head/layers/${i}`, `add {type: flatten} or {type: global_avg_pool} before it`);
        flat = i;
      }
    });
    if (!layers.some((l) => l.type === 'dense')) report('head-layers', 'head.layers has no dense layer: the last one is the classifier', '/head/layers', hint);
  },
};
