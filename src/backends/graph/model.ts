/**
 * The network as a picture sees it, at one of three levels: every layer, one box per residual block, or one box
 * per stage. Built from the IR alone (names, Keras layer types, output shapes, parameter counts, block and stage
 * scopes), so every backend of the picture (SVG through ELK, Graphviz dot) draws the same graph.
 */
import { layerType, nodeParams } from '../../ir/describe';
import { BlockInfo, IRGraph, IRNode } from '../../ir/types';

export const LEVELS = ['stage', 'block', 'layer'] as const;
export type Level = (typeof LEVELS)[number];

export interface DrawNode {
  id: string;
  name: string;
  type: string;
  shape: number[];
  params: number;
  /** Index of the stage frame the node sits in; none for stem and head. */
  stage?: number;
  /** Block level: the block's shortcut, drawn as an arc beside its box. */
  shortcut?: string;
}
export interface DrawEdge {
  source: string;
  target: string;
  /** On a shortcut path: drawn in the residual colour. */
  residual: boolean;
}
export interface DrawStage {
  index: number;
  label: string;
}
export interface DrawGraph {
  name: string;
  level: Level;
  nodes: DrawNode[];
  edges: DrawEdge[];
  stages: DrawStage[];
}

export function drawGraph(graph: IRGraph, level: Level): DrawGraph {
  const blockOf = new Map(graph.blocks.flatMap((b) => b.nodes.map((n) => [n, b] as const)));
  // Each IR node stands for the box that shows it at this level.
  const boxOf = (n: IRNode) => {
    const b = blockOf.get(n.name);
    if (!b || level === 'layer') return n.name;
    return level === 'block' ? blockId(b) : `stage${b.stage}`;
  };
  const nodes = new Map<string, DrawNode>();
  for (const n of graph.nodes) {
    const id = boxOf(n);
    if (id === n.name) nodes.set(id, layerNode(n));
    else if (!nodes.has(id)) nodes.set(id, level === 'block' ? blockNode(graph, blockOf.get(n.name)!) : stageNode(graph, blockOf.get(n.name)!.stage));
  }
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const edges: DrawEdge[] = [];
  const seen = new Set<string>();
  for (const n of graph.nodes) {
    for (const input of n.inputs) {
      const source = boxOf(byName.get(input)!);
      const target = boxOf(n);
      const key = `${source}->${target}`;
      if (source === target || seen.has(key)) continue;
      seen.add(key);
      edges.push({ source, target, residual: level === 'layer' && isShortcutEdge(byName.get(input)!, n, blockOf.get(n.name)) });
    }
  }
  const stages = graph.stages.map((s) => ({ index: s.index, label: `${s.name} · ${s.blocks} block${s.blocks === 1 ? '' : 's'} · ${s.outputShape.join('×')}` }));
  return { name: graph.name, level, nodes: [...nodes.values()], edges, stages: level === 'stage' ? [] : stages };
}

const blockId = (b: BlockInfo) => `block${b.stage}.${b.index}`;

function layerNode(n: IRNode): DrawNode {
  return { id: n.name, name: n.name, type: layerType(n), shape: n.shape, params: nodeParams(n), stage: n.scope.part === 'block' ? n.scope.stage : undefined };
}

function blockNode(graph: IRGraph, b: BlockInfo): DrawNode {
  const members = graph.nodes.filter((n) => b.nodes.includes(n.name));
  const kind = b.kind.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return {
    id: blockId(b),
    name: commonPrefix(members.map((n) => n.name)) || `block ${b.stage + 1}.${b.index}`,
    type: `${kind}${b.stride > 1 ? `, stride ${b.stride}` : ''}`,
    shape: members[members.length - 1].shape,
    params: members.reduce((a, n) => a + nodeParams(n), 0),
    stage: b.stage,
    shortcut: b.shortcut.chosen,
  };
}

function stageNode(graph: IRGraph, index: number): DrawNode {
  const s = graph.stages[index];
  const kinds = [...new Set(graph.blocks.filter((b) => b.stage === index).map((b) => b.kind))].join(', ');
  return { id: `stage${index}`, name: s.name, type: `${s.blocks} × ${kinds}`, shape: s.outputShape, params: s.params.trainable + s.params.nonTrainable };
}

/** The edges of a block's shortcut path: into or out of a shortcut layer, or from the block input into the add. */
function isShortcutEdge(from: IRNode, to: IRNode, block: BlockInfo | undefined): boolean {
  const shortcut = (n: IRNode) => n.scope.part === 'block' && n.scope.role.kind.startsWith('shortcut');
  if (shortcut(to) || shortcut(from)) return true;
  return to.op === 'add' && block !== undefined && from.name === block.input;
}

/** `conv2_block1_1_conv`, `conv2_block1_out` → `conv2_block1`; `layer1.0.conv1`, `layer1.0.relu` → `layer1.0`. */
function commonPrefix(names: string[]): string {
  let prefix = names[0] ?? '';
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.replace(/[._\-/]+$/, '');
}
