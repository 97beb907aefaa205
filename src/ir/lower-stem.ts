import { StemSpec } from '../spec/types';
import { GraphBuilder } from './builder';
import { role, unitRole } from './roles';

/**
 * The stem: an optional in-model resize (the 32×32 → 224×224 of a transfer recipe), one large conv (or ResNet-C's three 3×3 convs), BN+ReLU unless the net pre-activates, and a pool.
 * Every reference pads a strided stem symmetrically (Keras' conv1_pad, torch's padding=3), whatever the padding
 * rule elsewhere; the pool pads with zeros (equal to -inf padding after a ReLU) unless `pool_padding: valid`.
 */
export function lowerStem(g: GraphBuilder, stem: StemSpec, x: string): string {
  const widths = stemWidths(stem);
  const scope = { part: 'stem' as const };
  let y = x;
  if (stem.resize) {
    const [h, w] = g.shape(x);
    const { factor, size, interpolation } = stem.resize;
    const by: [number, number] = size ? [size[0] / h, size[1] / w] : [factor!, factor!];
    y = g.add({ op: 'resize', attrs: { factor: by, interpolation } }, [y], { ...scope, role: role('resize') }, '/stem/resize');
  }
  widths.forEach((filters, i) => {
    const first = i === 0;
    const last = i === widths.length - 1;
    const norm = !last || stem.norm;
    const stride = first ? stem.stride : 1;
    const mode = stride > 1 ? 'explicit' : g.settings.padding;
    y = g.conv(y, { filters, kernel: stem.deep ? 3 : stem.kernel, stride, useBias: g.useBias(norm) }, mode, { ...scope, index: i + 1 }, '/stem');
    if (norm) {
      y = g.add({ op: 'batch_norm', attrs: g.bnAttrs(false) }, [y], { ...scope, role: unitRole('bn', i + 1) }, '/stem');
      y = g.add({ op: 'relu', attrs: {} }, [y], { ...scope, role: unitRole('relu', i + 1) }, '/stem');
    }
  });
  if (stem.pool !== 'none') {
    const pad = stem.poolPadding === 'valid' ? 0 : Math.floor((stem.poolSize - 1) / 2);
    if (pad > 0) y = g.add({ op: 'zero_pad', attrs: { padding: [[pad, pad], [pad, pad]] } }, [y], { ...scope, role: role('pool_pad') }, '/stem/pool_size');
    const op = stem.pool === 'max' ? 'max_pool' : 'avg_pool';
    y = g.add({ op, attrs: { size: stem.poolSize, strides: stem.poolStride, padding: 'valid' } }, [y], { ...scope, role: role(stem.pool === 'max' ? 'pool' : 'avg_pool') }, '/stem/pool_size');
  }
  return y;
}

function stemWidths(stem: StemSpec): number[] {
  if (Array.isArray(stem.filters)) return stem.filters;
  if (!stem.deep) return [stem.filters];
  const half = Math.max(1, Math.floor(stem.filters / 2));
  return [half, half, stem.filters];
}
