import { NodeScope } from '../types';
import { HeadLayerType } from '../../spec/types';
import { NamingFactory, splitRole, unknownRole } from './scheme';

/** Keras' automatic name of each head layer type: its layer class in snake case (`Activation` for relu). */
const KERAS_AUTO_NAMES: Readonly<Record<HeadLayerType, string>> = {
  flatten: 'flatten',
  global_avg_pool: 'global_average_pooling2d',
  global_max_pool: 'global_max_pooling2d',
  batch_norm: 'batch_normalization',
  dense: 'dense',
  dropout: 'dropout',
  relu: 'activation',
};

/**
 * Keras applications' names (resnet.py): `conv1_conv`, `conv2_block1_0_conv` (0 = shortcut), `conv2_block1_add`,
 * `avg_pool`, `predictions`. Stages are numbered from 2 because `conv1` is the stem. Keras leaves ResNetV2's max-pool
 * shortcut unnamed, so it gets Keras' automatic names: `max_pooling2d`, `max_pooling2d_1`, … Squeeze-and-excitation
 * takes Keras EfficientNet's names (`_se_squeeze`, `_se_reduce`, `_se_expand`, `_se_excite`). The stem's resize and
 * the items of `head.layers` are unnamed in Keras' transfer recipe too, so they get Keras' automatic names, one
 * counter per layer class: `up_sampling2d`, `flatten`, `batch_normalization`, `dense`, `dropout`,
 * `batch_normalization_1`, `dense_1`, …
 */
export const kerasNaming: NamingFactory = () => {
  let autoMaxPools = 0;
  const autoNames = new Map<string, number>();
  const autoName = (prefix: string) => {
    const n = autoNames.get(prefix) ?? 0;
    autoNames.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  };
  return (scope: NodeScope, blockId?: string) => {
    const { base, index } = splitRole(scope.role);
    if (scope.part === 'input') return 'input_1';
    if (scope.role.kind === 'head_layer') return autoName(KERAS_AUTO_NAMES[scope.role.type]);
    if (base === 'resize') return autoName('up_sampling2d');
    if (scope.part === 'stem') {
      const unit = index > 1 ? `conv1_${index}` : 'conv1';
      if (['conv', 'bn', 'relu', 'pad'].includes(base)) return `${unit}_${base}`;
      if (base === 'pool_pad') return 'pool1_pad';
      if (base === 'pool' || base === 'avg_pool') return 'pool1_pool';
      return unknownRole('keras', scope);
    }
    if (scope.part === 'head') {
      const head: Record<string, string> = {
        post_bn: 'post_bn', post_relu: 'post_relu', avg_pool: 'avg_pool', max_pool: 'max_pool',
        flatten: 'flatten', dropout: 'dropout', fc: 'predictions',
      };
      return head[base] ?? unknownRole('keras', scope);
    }
    const prefix = blockId ?? `conv${(scope.stage ?? 0) + 2}_block${(scope.block ?? 0) + 1}`;
    if (['conv', 'bn', 'relu', 'pad'].includes(base) && index > 0) return `${prefix}_${index}_${base}`;
    switch (base) {
      case 'preact_bn': return `${prefix}_preact_bn`;
      case 'preact_relu': return `${prefix}_preact_relu`;
      case 'shortcut_conv': return `${prefix}_0_conv`;
      case 'shortcut_bn': return `${prefix}_0_bn`;
      case 'shortcut_avgpool': return `${prefix}_0_pool`;
      case 'shortcut_subsample': return `${prefix}_0_subsample`;
      case 'shortcut_maxpool': return autoMaxPools++ === 0 ? 'max_pooling2d' : `max_pooling2d_${autoMaxPools - 1}`;
      case 'attn_pool': return `${prefix}_se_squeeze`;
      case 'attn_fc1': return `${prefix}_se_reduce`;
      case 'attn_relu': return `${prefix}_se_relu`;
      case 'attn_fc2': return `${prefix}_se_expand`;
      case 'attn_conv': return `${prefix}_eca_conv`;
      case 'attn_gate': return `${prefix}_se_sigmoid`;
      case 'attn_scale': return `${prefix}_se_excite`;
      case 'drop_path': return `${prefix}_drop_path`;
      case 'add': return `${prefix}_add`;
      case 'out': return `${prefix}_out`;
      default: return unknownRole('keras', scope);
    }
  };
};
