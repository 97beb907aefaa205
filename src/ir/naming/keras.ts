import { NodeScope } from '../types';
import { NamingFactory, splitRole, unknownRole } from './scheme';

/**
 * Keras applications' names (resnet.py): `conv1_conv`, `conv2_block1_0_conv` (0 = shortcut), `conv2_block1_add`,
 * `avg_pool`, `predictions`. Stages are numbered from 2 because `conv1` is the stem. Keras leaves ResNetV2's max-pool
 * shortcut unnamed, so it gets Keras' automatic names: `max_pooling2d`, `max_pooling2d_1`, … Squeeze-and-excitation
 * takes Keras EfficientNet's names (`_se_squeeze`, `_se_reduce`, `_se_expand`, `_se_excite`).
 */
export const kerasNaming: NamingFactory = () => {
  let autoMaxPools = 0;
  return (scope: NodeScope) => {
    const { base, index } = splitRole(scope.role);
    if (scope.part === 'input') return 'input_1';
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
    const prefix = `conv${(scope.stage ?? 0) + 2}_block${(scope.block ?? 0) + 1}`;
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
      case 'attn_gate': return `${prefix}_se_sigmoid`;
      case 'attn_scale': return `${prefix}_se_excite`;
      case 'drop_path': return `${prefix}_drop_path`;
      case 'add': return `${prefix}_add`;
      case 'out': return `${prefix}_out`;
      default: return unknownRole('keras', scope);
    }
  };
};
