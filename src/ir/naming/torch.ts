import { NodeScope } from '../types';
import { NamingContext, NamingFactory, splitRole, unknownRole } from './scheme';

/**
 * torchvision's module paths (`conv1`, `bn1`, `layer1.0.conv1`, `layer1.0.downsample.0`, `fc`), so state dicts map
 * by name. Layers torch has no module for (padding, the adds, each use of the shared ReLU) get names beside their
 * neighbours. The deep stem follows timm (`conv1.0` … `conv1.6`, then `bn1`), as do squeeze-and-excitation
 * (`layer1.0.se.fc1`) and avg_down (`downsample.1` is its conv, `downsample.0` its pool, also where that is an
 * identity). The stem's resize is `upsample` (nn.Upsample); `head.layers` is one nn.Sequential, `head.0`, `head.1`, ….
 */
export const torchNaming: NamingFactory = (ctx: NamingContext) => {
  return (scope: NodeScope, blockId?: string) => {
    const { base, index } = splitRole(scope.role);
    if (scope.part === 'input') return 'input';
    if (scope.role.kind === 'head_layer') return `head.${scope.role.index}`;
    if (base === 'resize') return 'upsample';
    if (scope.part === 'stem') return ctx.deepStem ? deepStem(scope, base, index) : plainStem(scope, base);
    if (scope.part === 'head') {
      const head: Record<string, string> = {
        post_bn: 'norm', post_relu: 'norm_relu', avg_pool: 'avgpool', max_pool: 'global_maxpool', flatten: 'flatten', dropout: 'dropout', fc: 'fc',
      };
      return head[base] ?? unknownRole('torch', scope);
    }
    const stage = scope.stage ?? 0;
    const block = scope.block ?? 0;
    const prefix = blockId ?? `layer${stage + 1}.${block}`;
    const preact = ctx.isPreact(stage, block);
    // Pre-activation blocks number their BN/ReLU by the conv they precede (timm's PreActBottleneck).
    const shift = preact ? 1 : 0;
    if (base === 'conv' && index > 0) return `${prefix}.conv${index}`;
    if (base === 'bn' && index > 0) return `${prefix}.bn${index + shift}`;
    if (base === 'relu' && index > 0) return `${prefix}.relu${index + shift}`;
    if (base === 'pad' && index > 0) return `${prefix}.conv${index}_pad`;
    // timm's avg_down is nn.Sequential(pool, conv, norm) with an nn.Identity pool at stride 1, so its conv is
    // always downsample.1; a projection is nn.Sequential(conv, norm).
    const pooled = scope.shortcut === 'avg_down' ? 1 : 0;
    switch (base) {
      case 'shortcut_avgpool':
      case 'shortcut_maxpool': return `${prefix}.downsample.0`;
      case 'shortcut_conv': return `${prefix}.downsample.${pooled}`;
      case 'shortcut_bn': return `${prefix}.downsample.${pooled + 1}`;
      case 'attn_pool': return `${prefix}.se.pool`;
      case 'attn_fc1': return `${prefix}.se.fc1`;
      case 'attn_relu': return `${prefix}.se.act`;
      case 'attn_fc2': return `${prefix}.se.fc2`;
      case 'attn_conv': return `${prefix}.se.conv`;
      case 'attn_gate': return `${prefix}.se.gate`;
      case 'attn_scale': return `${prefix}.se.scale`;
      case 'drop_path': return `${prefix}.drop_path`;
      case 'preact_bn': return `${prefix}.bn1`;
      case 'preact_relu': return `${prefix}.relu1`;
      case 'shortcut_subsample': return `${prefix}.shortcut`;
      case 'add': return `${prefix}.add`;
      case 'out': return preact ? `${prefix}.add` : `${prefix}.relu`;
      default: return unknownRole('torch', scope);
    }
  };
};

function plainStem(scope: NodeScope, base: string): string {
  const names: Record<string, string> = { conv: 'conv1', bn: 'bn1', relu: 'relu', pad: 'conv1_pad', pool: 'maxpool', avg_pool: 'stem_avgpool', pool_pad: 'maxpool_pad' };
  return names[base] ?? unknownRole('torch', scope);
}

function deepStem(scope: NodeScope, base: string, index: number): string {
  if (base === 'pool') return 'maxpool';
  if (base === 'avg_pool') return 'stem_avgpool';
  if (base === 'pool_pad') return 'maxpool_pad';
  const last = 3;
  if (base === 'conv') return `conv1.${3 * (index - 1)}`;
  if (base === 'pad') return `conv1.${3 * (index - 1)}_pad`;
  if (base === 'bn') return index === last ? 'bn1' : `conv1.${3 * (index - 1) + 1}`;
  if (base === 'relu') return index === last ? 'relu' : `conv1.${3 * (index - 1) + 2}`;
  return unknownRole('torch', scope);
}
