/**
 * Channel attention modules, as registry entries a block kind with `attention: true` can carry after its last unit.
 * Squeeze-and-excitation follows timm's SEModule (models/layers/squeeze_excite.py): global average pool, 1×1 conv
 * with bias to `make_divisible(channels × rd_ratio, 8)`, ReLU, 1×1 conv with bias back, sigmoid, product. With
 * rd_ratio 1/16 that gives seresnet50 2,530,992 parameters over resnet50 (28,088,024 in all, as timm). ECA fills
 * the same slot with one k-tap conv across channels: 86 parameters over resnet50d in ecaresnet50d (25,576,350).
 */
import { AttentionKind } from '../../spec/types';
import { GraphBuilder } from '../builder';
import { role } from '../roles';
import { NodeScope } from '../types';

export interface AttentionDescriptor {
  name: Exclude<AttentionKind, 'none'>;
  /** Lowers the module on `x` (the branch output); returns the attended tensor. */
  lower(g: GraphBuilder, x: string, settings: { seRatio: number }, scope: Omit<NodeScope, 'role'>, pointer: string): string;
}

/** timm's make_divisible(v, 8) with round_limit 0: the nearest multiple of 8, at least 8. */
export function seChannels(channels: number, ratio: number): number {
  const divisor = 8;
  return Math.max(divisor, Math.floor((channels * ratio + divisor / 2) / divisor) * divisor);
}

const squeezeExcite: AttentionDescriptor = {
  name: 'se',
  lower(g, x, settings, scope, pointer) {
    const channels = g.shape(x)[2];
    const reduced = seChannels(channels, settings.seRatio);
    const fc = (input: string, filters: number, r: 'attn_fc1' | 'attn_fc2') => g.add({
      op: 'conv2d',
      attrs: g.convAttrs({ filters, kernel: 1, strides: 1, useBias: true }),
    }, [input], { ...scope, role: role(r) }, pointer);
    const pooled = g.add({ op: 'global_pool', attrs: { mode: 'avg', keepDims: true } }, [x], { ...scope, role: role('attn_pool') }, pointer);
    const squeezed = g.add({ op: 'relu', attrs: {} }, [fc(pooled, reduced, 'attn_fc1')], { ...scope, role: role('attn_relu') }, pointer);
    const gate = g.add({ op: 'sigmoid', attrs: {} }, [fc(squeezed, channels, 'attn_fc2')], { ...scope, role: role('attn_gate') }, pointer);
    return g.add({ op: 'multiply', attrs: {} }, [x, gate], { ...scope, role: role('attn_scale') }, pointer);
  },
};

/** timm's EcaModule kernel: t = int(|log2(C) + 1| / 2), the odd number at or above it, at least 3. */
export function ecaKernel(channels: number): number {
  const t = Math.floor(Math.abs(Math.log2(channels) + 1) / 2);
  return Math.max(t % 2 ? t : t + 1, 3);
}

/** ECA-Net (Wang et al. 2020) as timm's EcaModule: global average pool, a 1-D conv across channels, sigmoid, product. */
const efficientChannel: AttentionDescriptor = {
  name: 'eca',
  lower(g, x, _settings, scope, pointer) {
    const pooled = g.add({ op: 'global_pool', attrs: { mode: 'avg', keepDims: true } }, [x], { ...scope, role: role('attn_pool') }, pointer);
    const conv = g.add({ op: 'channel_conv', attrs: { kernel: ecaKernel(g.shape(x)[2]) } }, [pooled], { ...scope, role: role('attn_conv') }, pointer);
    const gate = g.add({ op: 'sigmoid', attrs: {} }, [conv], { ...scope, role: role('attn_gate') }, pointer);
    return g.add({ op: 'multiply', attrs: {} }, [x, gate], { ...scope, role: role('attn_scale') }, pointer);
  },
};

export const attentionModules: Readonly<Record<Exclude<AttentionKind, 'none'>, AttentionDescriptor>> = { se: squeezeExcite, eca: efficientChannel };
