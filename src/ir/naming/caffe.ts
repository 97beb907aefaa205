import { NodeScope } from '../types';
import { NamingContext, NamingFactory, splitRole, unknownRole } from './scheme';

const BRANCH2 = ['a', 'b', 'c'];

/**
 * The names of Kaiming He's Caffe models (`conv1`, `bn_conv1`, `res2a_branch2a`, `bn2a_branch1`, `res2a`, `fc1000`).
 * Blocks are lettered a, b, c…; in the deeper nets (a stage of more than 6 blocks somewhere), stages of more than 3
 * blocks are numbered a, b1, b2… instead, as in ResNet-101/152's prototxt (res4b22). Layers Caffe's models lack are
 * named in the same style: `data_resize`, and `head{i}_{type}` for item i of `head.layers` (`head2_dense`).
 */
export const caffeNaming: NamingFactory = (ctx: NamingContext) => {
  const numbered = Math.max(...ctx.blocksPerStage) > 6;
  const blockId = (stage: number, block: number) => {
    const letter = numbered && ctx.blocksPerStage[stage] > 3 ? (block === 0 ? 'a' : `b${block}`) : String.fromCharCode(97 + block);
    return `${stage + 2}${letter}`;
  };
  return (scope: NodeScope, blockIdText?: string) => {
    const { base, index } = splitRole(scope.role);
    if (scope.part === 'input') return 'data';
    if (scope.role.kind === 'head_layer') return `head${scope.role.index}_${scope.role.type}`;
    if (base === 'resize') return 'data_resize';
    if (scope.part === 'stem') {
      const unit = index > 1 ? `conv1_${index}` : 'conv1';
      const stem: Record<string, string> = { conv: unit, bn: `bn_${unit}`, relu: `${unit}_relu`, pad: `${unit}_pad` };
      if (stem[base]) return stem[base];
      if (base === 'pool' || base === 'avg_pool') return 'pool1';
      if (base === 'pool_pad') return 'pool1_pad';
      return unknownRole('caffe', scope);
    }
    if (scope.part === 'head') {
      const last = ctx.blocksPerStage.length + 1;
      const head: Record<string, string> = {
        post_bn: 'bn_post', post_relu: 'post_relu', avg_pool: `pool${last}`, max_pool: `pool${last}`, flatten: 'flatten', dropout: 'dropout', fc: `fc${ctx.classes}`,
      };
      return head[base] ?? unknownRole('caffe', scope);
    }
    const id = blockIdText ?? blockId(scope.stage ?? 0, scope.block ?? 0);
    const branch = `branch2${BRANCH2[index - 1] ?? index}`;
    if (base === 'conv' && index > 0) return `res${id}_${branch}`;
    if (base === 'bn' && index > 0) return `bn${id}_${branch}`;
    if (base === 'relu' && index > 0) return `res${id}_${branch}_relu`;
    if (base === 'pad' && index > 0) return `res${id}_${branch}_pad`;
    switch (base) {
      case 'preact_bn': return `bn${id}_preact`;
      case 'preact_relu': return `res${id}_preact_relu`;
      case 'shortcut_conv': return `res${id}_branch1`;
      case 'shortcut_bn': return `bn${id}_branch1`;
      case 'shortcut_avgpool':
      case 'shortcut_maxpool': return `res${id}_branch1_pool`;
      case 'shortcut_subsample': return `res${id}_branch1`;
      case 'attn_pool': return `res${id}_se_pool`;
      case 'attn_fc1': return `res${id}_se_down`;
      case 'attn_relu': return `res${id}_se_relu`;
      case 'attn_fc2': return `res${id}_se_up`;
      case 'attn_conv': return `res${id}_eca_conv`;
      case 'attn_gate': return `res${id}_se_prob`;
      case 'attn_scale': return `res${id}_se_scale`;
      case 'drop_path': return `res${id}_drop_path`;
      case 'add': return `res${id}`;
      case 'out': return ctx.isPreact(scope.stage ?? 0, scope.block ?? 0) ? `res${id}` : `res${id}_relu`;
      default: return unknownRole('caffe', scope);
    }
  };
};
