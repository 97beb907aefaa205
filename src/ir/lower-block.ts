import { GraphBuilder } from './builder';
import { BlockPlan, isBottleneckKind, isPreact } from './plan';
import { buildShortcut, chooseShortcut } from './shortcut';
import { BlockInfo } from './types';

/**
 * One residual block. Post-activation (v1): conv-BN-ReLU units, the last without ReLU, add, ReLU. Pre-activation
 * (v2): BN-ReLU before every conv, add last. Basic blocks have two 3×3 convs; bottlenecks 1×1, 3×3 (grouped,
 * dilated), 1×1; `stride_at` chooses which bottleneck conv strides.
 */
export function lowerBlock(g: GraphBuilder, plan: BlockPlan, x: string, zeroInitResidual: boolean): BlockInfo {
  const first = g.nodes.length;
  const bottleneck = isBottleneckKind(plan.kind);
  const preact = isPreact(plan.kind);
  const kernels = bottleneck ? [1, 3, 1] : [3, 3];
  const strideConv = bottleneck && plan.strideAt === '3x3' ? 1 : 0;
  const inChannels = g.shape(x)[2];
  const outChannels = plan.filters[plan.filters.length - 1];
  const scope = { part: 'block' as const, stage: plan.stage, block: plan.index };
  const last = kernels.length - 1;

  let preactOut: string | undefined;
  let y = x;
  if (preact && !plan.skipPreact) {
    const bn = g.add({ op: 'batch_norm', attrs: g.bnAttrs(false) }, [x], { ...scope, role: 'preact_bn' }, plan.pointer);
    y = preactOut = g.add({ op: 'relu', attrs: {} }, [bn], { ...scope, role: 'preact_relu' }, plan.pointer);
  }
  // The shortcut is built before the residual branch, as Keras does, so layer order and Keras' automatic names match.
  const kind = chooseShortcut(plan, inChannels, outChannels);
  const shortcut = buildShortcut(g, plan, kind, { x, preact: preactOut }, outChannels);
  kernels.forEach((kernel, i) => {
    const isLast = i === last;
    const followedByBn = !preact || !isLast;
    y = g.conv(y, {
      filters: plan.filters[i],
      kernel,
      stride: i === strideConv ? plan.stride : 1,
      dilation: kernel === 3 ? plan.dilation : 1,
      groups: kernel === 3 && bottleneck ? plan.groups : 1,
      useBias: g.useBias(followedByBn),
      zeroInit: preact && isLast && zeroInitResidual,
    }, g.settings.padding, { ...scope, index: i + 1 }, plan.pointer);
    if (followedByBn) {
      y = g.add({ op: 'batch_norm', attrs: g.bnAttrs(!preact && isLast && zeroInitResidual) }, [y], { ...scope, role: `bn${i + 1}` }, plan.pointer);
    }
    if (!isLast) y = g.add({ op: 'relu', attrs: {} }, [y], { ...scope, role: `relu${i + 1}` }, plan.pointer);
  });

  // Keras adds [shortcut, residual] in that order.
  let out = g.add({ op: 'add', attrs: {} }, [shortcut, y], { ...scope, role: preact ? 'out' : 'add' }, plan.pointer);
  if (!preact) out = g.add({ op: 'relu', attrs: {} }, [out], { ...scope, role: 'out' }, plan.pointer);

  return {
    stage: plan.stage,
    index: plan.index,
    kind: plan.kind,
    filters: plan.filters,
    stride: plan.stride,
    dilation: plan.dilation,
    strideAt: plan.strideAt,
    groups: plan.groups,
    shortcut: kind,
    shortcutNorm: plan.shortcut.norm && !preact,
    skipPreact: preact && plan.skipPreact,
    preactShortcut: plan.preactShortcut,
    input: x,
    output: out,
    nodes: g.nodes.slice(first).map((n) => n.name),
  };
}
