import { shortcutDiagnostics } from '../spec/rules/shortcut-channels';
import { ShortcutKind } from '../spec/types';
import { GraphBuilder, LoweringStopped } from './builder';
import { blockKinds } from './blocks/registry';
import { BlockPlan } from './plan';
import { role, NamedRoleKind } from './roles';

/**
 * The one place that decides a block's shortcut. Where the block keeps its shape the shortcut is identity; where it
 * changes, the stage's kind applies (`maxpool` means Keras V2's rule: a projection when channels change, a 1×1
 * stride-only max-pool otherwise). A block override forces its kind.
 */
export function chooseShortcut(plan: Pick<BlockPlan, 'stride' | 'shortcut' | 'shortcutForced'>, inChannels: number, outChannels: number): ShortcutKind {
  const changes = plan.stride !== 1 || inChannels !== outChannels;
  const kind = plan.shortcut.kind;
  if (!plan.shortcutForced && !changes) return 'identity';
  if (kind === 'maxpool') return inChannels !== outChannels ? 'projection' : plan.stride > 1 ? 'maxpool' : 'identity';
  return kind;
}

export interface ShortcutInputs {
  /** The block input. */
  x: string;
  /** Pre-activation blocks: the BN+ReLU of the input, which conv shortcuts read (unless preact_shortcut is off). */
  preact?: string;
}

/** Builds the shortcut branch and returns its output node. */
export function buildShortcut(g: GraphBuilder, plan: BlockPlan, kind: ShortcutKind, from: ShortcutInputs, outChannels: number): string {
  const at = (r: NamedRoleKind) => ({ part: 'block' as const, stage: plan.stage, block: plan.index, shortcut: kind, role: role(r) });
  const inChannels = g.shape(from.x)[2];
  // Pre-activation nets never normalise the shortcut: the sum is normalised by the next block's pre-activation.
  const norm = plan.shortcut.norm && blockKinds.get(plan.kind).activation === 'post';
  const convInput = plan.preactShortcut && from.preact ? from.preact : from.x;
  const problems = shortcutDiagnostics({ stage: plan.stage, index: plan.index, kind, inChannels, outChannels, stride: plan.stride, pointer: plan.pointer });
  if (problems.length > 0) {
    g.diagnostics.push(...problems);
    throw new LoweringStopped();
  }
  const projection = (input: string, stride: number) => {
    const conv = g.add({
      op: 'conv2d',
      attrs: g.convAttrs({ filters: outChannels, kernel: 1, strides: stride, useBias: g.useBias(norm) }),
    }, [input], at('shortcut_conv'), plan.pointer);
    return norm ? g.add({ op: 'batch_norm', attrs: g.bnAttrs(false) }, [conv], at('shortcut_bn'), plan.pointer) : conv;
  };
  switch (kind) {
    case 'identity':
      return from.x;
    case 'projection':
      return projection(convInput, plan.stride);
    case 'maxpool':
      return g.add({ op: 'max_pool', attrs: { size: 1, strides: plan.stride, padding: 'valid' } }, [from.x], at('shortcut_maxpool'), plan.pointer);
    case 'avg_down': {
      // ResNet-D: average-pool the stride away (ceil mode, padding not counted, as timm), then a 1×1 projection.
      const pooled = plan.stride > 1
        ? g.add({ op: 'avg_pool', attrs: { size: plan.stride, strides: plan.stride, padding: 'same' } }, [convInput], at('shortcut_avgpool'), plan.pointer)
        : convInput;
      return projection(pooled, 1);
    }
    case 'option_a': {
      const extra = outChannels - inChannels;
      // Zero channels split evenly on both sides, as the widely used CIFAR reimplementations do.
      const before = Math.floor(extra / 2);
      return g.add({ op: 'subsample_pad', attrs: { stride: plan.stride, channelsBefore: before, channelsAfter: extra - before } }, [from.x], at('shortcut_subsample'), plan.pointer);
    }
  }
}
