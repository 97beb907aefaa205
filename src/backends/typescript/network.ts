/**
 * Network-wide facts the emitted module states once, read off the IR's architecture level (graph.settings,
 * graph.stem, graph.head): BN settings, the padding rule, the conv-bias default, frozen stages, extra outputs.
 * Nothing here looks at the layers to guess a setting.
 */
import { invariant } from '../../diagnostics/diagnostic';
import { padNameRule } from '../../ir/naming';
import { InitializerName, IRGraph, IRNode, NodeOf } from '../../ir/types';
import { PaddingMode } from '../../spec/types';

export type PaddingRule = PaddingMode;

export interface NetworkFacts {
  byName: ReadonlyMap<string, IRNode>;
  /** Undefined when the net has no batch norm at all (no helper is emitted then). */
  bn?: { epsilon: number; momentum: number };
  /** Whether convs get a bias unless told otherwise: `conv_bias: always`; `unless_bn` nets mostly feed a BN. */
  convBias: boolean;
  /**
   * How block convs are padded: `same` (TensorFlow's 'same'), `explicit` (a ZeroPadding2D before every k×k conv, as
   * Keras' ResNetV2), `auto` (PyTorch's symmetric padding: 'same' where it is symmetric, explicit where strided).
   */
  padding: PaddingRule;
  /** How a pad layer's name follows from its conv's: `conv1` → `conv1_pad`, or `conv1_conv` → `conv1_pad`. */
  padName: 'append' | 'replace';
  /** The spec's conv kernel initializer, which the conv helper draws. */
  convInitializer: InitializerName;
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
  const node = (name: string) => {
    const n = byName.get(name);
    invariant(n, `graph ${graph.name} names a node it does not have: ${name}`);
    return n;
  };
  const input = graph.nodes.find((n): n is NodeOf<'input'> => n.op === 'input');
  invariant(input, `graph ${graph.name} has no input`);
  const s = graph.settings;
  return {
    byName,
    bn: graph.nodes.some((n) => n.op === 'batch_norm') ? { ...s.batchNorm } : undefined,
    convBias: s.convBias === 'always',
    padding: s.padding,
    padName: padNameRule[s.naming],
    convInitializer: s.initializer.conv,
    frozenStages: s.frozenStages,
    outIndices: [...s.outIndices],
    head: graph.head.map((h) => ({ node: node(h.node), top: h.top })),
    stem: graph.stem.map(node),
    input,
  };
}

/** The classifier: the head's last dense layer (a `head.layers` head may have several), whose width is `classes`. */
export function classifierOf(facts: NetworkFacts): NodeOf<'dense'> | undefined {
  return facts.head.map((h) => h.node).filter((n): n is NodeOf<'dense'> => n.op === 'dense').pop();
}
