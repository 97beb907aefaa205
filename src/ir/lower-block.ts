import { GraphBuilder } from './builder';
import { attentionModules } from './blocks/attention';
import { unitKernel } from './blocks/descriptor';
import { blockKinds } from './blocks/registry';
import { BlockPlan } from './plan';
import { role, unitRole } from './roles';
import { buildShortcut, chooseShortcut } from './shortcut';
import { BlockInfo } from './types';

/**
 * One block, from its kind's descriptor. Post-activation (v1): conv–BN–ReLU units, the last without ReLU, then
 * attention and drop-path, the sum, ReLU. Pre-activation (v2): BN–ReLU before every conv, the sum last. A plain
 * kind has no shortcut and no sum: its last unit ends with ReLU like the others.
 */
export function lowerBlock(g: GraphBuilder, plan: BlockPlan, x: string, zeroInitResidual: boolean): BlockInfo {
  const first = g.nodes.length;
  const kind = blockKinds.get(plan.kind);
  const preact = kind.activation === 'pre';
  const strideUnit = kind.strideUnit[plan.strideAt];
  const inChannels = g.shape(x)[2];
  const outChannels = plan.filters[plan.filters.length - 1];
  const scope = { part: 'block' as const, stage: plan.stage, block: plan.index };
  const at = (r: Parameters<typeof role>[0]) => ({ ...scope, role: role(r) });
  const last = kind.units.length - 1;

  let preactOut: string | undefined;
  let y = x;
  if (preact && !plan.skipPreact) {
    const bn = g.add({ op: 'batch_norm', attrs: g.bnAttrs(false) }, [x], at('preact_bn'), plan.pointer);
    y = preactOut = g.add({ op: 'relu', attrs: {} }, [bn], at('preact_relu'), plan.pointer);
  }
  // The shortcut is built before the residual branch, as Keras does, so layer order and Keras' automatic names match.
  const chosen = kind.residual ? chooseShortcut(plan, inChannels, outChannels) : 'none';
  const shortcut = chosen === 'none' ? undefined : buildShortcut(g, plan, chosen, { x, preact: preactOut }, outChannels);
  kind.units.forEach((unit, i) => {
    const isLast = i === last;
    const followedByBn = !preact || !isLast;
    y = g.conv(y, {
      filters: plan.filters[i],
      kernel: unitKernel(unit, plan.kernelSize),
      stride: i === strideUnit ? plan.stride : 1,
      dilation: unit.dilated ? plan.dilation : 1,
      groups: unit.grouped ? plan.groups : 1,
      useBias: g.useBias(followedByBn),
      zeroInit: preact && isLast && zeroInitResidual,
    }, g.settings.padding, { ...scope, index: i + 1 }, plan.pointer);
    if (followedByBn) {
      const gammaZero = !preact && isLast && zeroInitResidual && kind.residual;
      y = g.add({ op: 'batch_norm', attrs: g.bnAttrs(gammaZero) }, [y], { ...scope, role: unitRole('bn', i + 1) }, plan.pointer);
    }
    if (!isLast) y = g.add({ op: 'relu', attrs: {} }, [y], { ...scope, role: unitRole('relu', i + 1) }, plan.pointer);
  });
  if (plan.attention !== 'none') y = attentionModules[plan.attention].lower(g, y, plan, scope, `${plan.pointer}/attention`);

  let out: string;
  if (shortcut === undefined) {
    out = g.add({ op: 'relu', attrs: {} }, [y], at('out'), plan.pointer);
  } else {
    if (plan.dropPath > 0) y = g.add({ op: 'drop_path', attrs: { rate: plan.dropPath } }, [y], at('drop_path'), '/drop_path_rate');
    // Keras adds [shortcut, residual] in that order.
    out = g.add({ op: 'add', attrs: {} }, [shortcut, y], at(preact ? 'out' : 'add'), plan.pointer);
    if (!preact) out = g.add({ op: 'relu', attrs: {} }, [out], at('out'), plan.pointer);
  }

  const nodes = g.nodes.slice(first);
  return {
    stage: plan.stage,
    index: plan.index,
    kind: plan.kind,
    filters: plan.filters,
    stride: plan.stride,
    dilation: plan.dilation,
    kernelSize: plan.kernelSize,
    strideAt: plan.strideAt,
    groups: plan.groups,
    attention: plan.attention,
    seRatio: plan.seRatio,
    dropPath: shortcut === undefined ? 0 : plan.dropPath,
    shortcut: { requested: plan.shortcut.kind, forced: plan.shortcutForced, chosen, norm: plan.shortcut.norm && !preact },
    skipPreact: plan.skipPreact,
    preactShortcut: plan.preactShortcut,
    input: x,
    output: out,
    nodes: nodes.map((n) => n.name),
    roles: nodes.map((n) => ({ role: n.scope.role, node: n.name })),
  };
}
