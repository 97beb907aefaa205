/**
 * Network-wide facts the emitted module states once, read off the IR: BN settings, the padding rule, the conv-bias
 * default, frozen stages, extra outputs. Each is checked to hold for every layer it claims to describe, so the
 * emitted code can say it once instead of per layer.
 */
import { invariant } from '../../diagnostics/diagnostic';
import { IRGraph, IRNode, NodeOf } from '../../ir/types';

export type PaddingRule = 'same' | 'explicit' | 'auto';

export interface NetworkFacts {
  byName: ReadonlyMap<string, IRNode>;
  bn?: { epsilon: number; momentum: number };
  /** Whether convs get a bias unless told otherwise (the most common case in this net). */
  convBias: boolean;
  /**
   * How block convs are padded: `same` (TensorFlow's 'same'), `explicit` (a ZeroPadding2D before every k×k conv, as
   * Keras' ResNetV2), `auto` (PyTorch's symmetric padding: 'same' where it is symmetric, explicit where strided).
   */
  padding: PaddingRule;
  /** How a pad layer's name follows from its conv's: `conv1` → `conv1_pad`, or `conv1_conv` → `conv1_pad`. */
  padName: 'append' | 'replace';
  /** frozen_stages: -1 none, 0 the stem, n the stem and stages 1…n. */
  frozenStages: number;
  /** 1-based stages whose outputs are model outputs (out_indices), in output order. */
  outIndices: number[];
  /** The IR's head layers; `top` marks those `includeTop: false` leaves out. */
  head: Array<{ node: IRNode; top: boolean }>;
  stem: IRNode[];
  input: NodeOf<'input'>;
}

export function networkFacts(graph: IRGraph): NetworkFacts {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const input = graph.nodes.find((n): n is NodeOf<'input'> => n.op === 'input');
  invariant(input, `graph ${graph.name} has no input`);
  const head = headLayers(graph.nodes.filter((n) => n.scope.part === 'head'));
  const pads = paddedConvs(graph, byName);
  return {
    byName,
    bn: batchNormSettings(graph.nodes),
    convBias: convBiasDefault(graph.nodes),
    padding: paddingRule(pads),
    padName: padNameRule(pads),
    frozenStages: frozenStages(graph),
    outIndices: outIndices(graph, head.length > 0),
    head,
    stem: graph.nodes.filter((n) => n.scope.part === 'stem'),
    input,
  };
}

function batchNormSettings(nodes: readonly IRNode[]): NetworkFacts['bn'] {
  const bns = nodes.filter((n): n is NodeOf<'batch_norm'> => n.op === 'batch_norm');
  if (bns.length === 0) return undefined;
  const { epsilon, momentum } = bns[0].attrs;
  invariant(bns.every((n) => n.attrs.epsilon === epsilon && n.attrs.momentum === momentum), 'batch norms with different settings in one net');
  return { epsilon, momentum };
}

function convBiasDefault(nodes: readonly IRNode[]): boolean {
  const convs = nodes.filter((n): n is NodeOf<'conv2d'> => n.op === 'conv2d');
  return convs.filter((n) => n.attrs.useBias).length * 2 > convs.length;
}

type PaddedConv = { pad: IRNode; conv: NodeOf<'conv2d'> };

/** Each block pad layer with the conv it feeds. */
function paddedConvs(graph: IRGraph, byName: ReadonlyMap<string, IRNode>): PaddedConv[] {
  const readers = new Map<string, IRNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n]);
  return graph.nodes
    .filter((n) => n.op === 'zero_pad' && n.scope.part === 'block')
    .map((pad) => {
      const conv = readers.get(pad.name)?.[0];
      invariant(conv?.op === 'conv2d' && byName.has(conv.name), `pad layer ${pad.name} does not feed a conv`);
      return { pad, conv };
    });
}

function paddingRule(pads: readonly PaddedConv[]): PaddingRule {
  if (pads.some((p) => p.conv.attrs.strides === 1)) return 'explicit';
  return pads.length > 0 ? 'auto' : 'same';
}

function padNameRule(pads: readonly PaddedConv[]): NetworkFacts['padName'] {
  if (pads.every(({ pad, conv }) => pad.name === `${conv.name}_pad`)) return 'append';
  invariant(pads.every(({ pad, conv }) => pad.name === conv.name.replace(/_conv$/, '_pad')), 'pad layers named unlike their convs');
  return 'replace';
}

/** Layers of frozen stages are the stem and the first n stages, as the IR's `frozen` rule builds them. */
function frozenStages(graph: IRGraph): number {
  const frozen = (n: IRNode) => !n.trainable && n.op !== 'input';
  const stem = graph.nodes.filter((n) => n.scope.part === 'stem');
  let count = stem.length > 0 && stem.every(frozen) ? 0 : -1;
  while (count >= 0 && count < graph.stages.length) {
    const inStage = graph.nodes.filter((n) => n.scope.part === 'block' && n.scope.stage === count);
    if (!inStage.every(frozen)) break;
    count++;
  }
  const expected = (n: IRNode) => n.scope.part === 'stem' ? count >= 0 : n.scope.part === 'block' && (n.scope.stage ?? 0) < count;
  invariant(graph.nodes.every((n) => n.op === 'input' || frozen(n) === expected(n)), 'frozen layers that are not whole leading stages');
  return count;
}

/** Stage outputs that are model outputs besides the head's (out_indices). */
function outIndices(graph: IRGraph, hasHead: boolean): number[] {
  const stageOf = new Map(graph.stages.map((s, i) => [s.output, i + 1]));
  const features = graph.outputs.filter((o) => stageOf.has(o)).map((o) => stageOf.get(o) as number);
  // A net that simply ends after its last stage has that stage's output as its only output: not a feature list.
  if (!hasHead && features.length === 1 && features[0] === graph.stages.length && graph.outputs.length === 1) return [];
  return features;
}

/**
 * Marks the head layers that exist only with the classifier: dropout, the dense layer, and a flatten that is not
 * part of a fixed-window pooling (the IR flattens without pooling only for the classifier).
 */
function headLayers(nodes: readonly IRNode[]): NetworkFacts['head'] {
  let pooled = false;
  return nodes.map((node) => {
    if (node.op === 'avg_pool' || node.op === 'max_pool' || node.op === 'global_pool') pooled = true;
    const top = node.op === 'dense' || node.op === 'dropout' || (node.op === 'flatten' && !pooled);
    return { node, top };
  });
}
