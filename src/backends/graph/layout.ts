/**
 * Layout by ELK's layered algorithm (Sugiyama: layers, crossing minimisation, orthogonal edge routing), top to
 * bottom, stages as compound nodes so their frames enclose their layers and edges cross frames freely. Every
 * coordinate comes back relative to the drawing's origin. Box sizes are set here from the text they will hold.
 */
import { DrawGraph, DrawNode } from './model';
import { boxLines, BOX, textWidth } from './text';

export interface Point { x: number; y: number }
export interface Box { x: number; y: number; width: number; height: number }
export interface PlacedNode extends Box { node: DrawNode; lines: string[] }
export interface PlacedEdge { points: Point[]; residual: boolean }
export interface PlacedStage extends Box { label: string }
export interface Layout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  stages: PlacedStage[];
}

interface ElkShape { id: string; x?: number; y?: number; width?: number; height?: number; children?: ElkShape[]; edges?: ElkEdge[]; layoutOptions?: Record<string, string>; labels?: Array<{ text: string; width: number; height: number }> }
interface ElkEdge { id: string; sources: string[]; targets: string[]; sections?: Array<{ startPoint: Point; endPoint: Point; bendPoints?: Point[] }> }
interface Elk { layout(graph: ElkShape): Promise<ElkShape> }

/** Room at a block box's right side for its shortcut arc. */
export const ARC_ROOM = 44;

export async function layoutGraph(g: DrawGraph): Promise<Layout> {
  // The bundled build runs ELK in this thread: no worker, no extra file.
  const ELK = require('elkjs/lib/elk.bundled.js') as new () => Elk;
  const shapes = new Map<string, { node: DrawNode; lines: string[] }>();
  const elkNode = (node: DrawNode): ElkShape => {
    const lines = boxLines(node, g.level);
    shapes.set(node.id, { node, lines });
    const width = Math.max(BOX.minWidth, ...lines.map((l, i) => textWidth(l, i === 0 ? BOX.titleSize : BOX.textSize))) + 2 * BOX.padX;
    return { id: node.id, width: width + (node.shortcut ? ARC_ROOM : 0), height: BOX.padY * 2 + BOX.titleSize + (lines.length - 1) * BOX.lineHeight };
  };
  const top: ElkShape[] = [];
  const frames = new Map<number, ElkShape>();
  for (const node of g.nodes) {
    if (node.stage === undefined || g.stages.length === 0) { top.push(elkNode(node)); continue; }
    let frame = frames.get(node.stage);
    if (!frame) {
      const label = g.stages[node.stage].label;
      frame = {
        id: `frame${node.stage}`, children: [],
        labels: [{ text: label, width: textWidth(label, BOX.frameSize), height: BOX.frameSize + 4 }],
        layoutOptions: { 'elk.nodeLabels.placement': 'INSIDE V_TOP H_LEFT', 'elk.padding': `[top=${BOX.frameSize + 18},left=14,bottom=12,right=14]` },
      };
      frames.set(node.stage, frame);
      top.push(frame);
    }
    frame.children!.push(elkNode(node));
  }
  const root: ElkShape = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '22',
      'elk.spacing.nodeNode': '28',
      'elk.spacing.edgeNode': '14',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
    },
    children: top,
    edges: g.edges.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
  };
  const out = await new ELK().layout(root);
  const nodes: PlacedNode[] = [];
  const stages: PlacedStage[] = [];
  const visit = (s: ElkShape) => {
    const box = { x: s.x ?? 0, y: s.y ?? 0, width: s.width ?? 0, height: s.height ?? 0 };
    const shape = shapes.get(s.id);
    if (shape) nodes.push({ ...box, ...shape });
    else if (s.id.startsWith('frame')) stages.push({ ...box, label: s.labels?.[0]?.text ?? '' });
    s.children?.forEach(visit);
  };
  out.children?.forEach(visit);
  const edges = (out.edges ?? []).map((e, i) => ({
    residual: g.edges[i].residual,
    points: (e.sections ?? []).flatMap((sec) => [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint]),
  }));
  return crop({ width: out.width ?? 0, height: out.height ?? 0, nodes, edges, stages: stages.map((f) => tighten(f, nodes, edges)) });
}

/** Once frames are tightened the drawing may not start at the margin any more: moved back, the canvas fitted. */
function crop(layout: Layout, margin = 16): Layout {
  const boxes: Box[] = [...layout.nodes, ...layout.stages];
  const xs = [...boxes.flatMap((b) => [b.x, b.x + b.width]), ...layout.edges.flatMap((e) => e.points.map((p) => p.x))];
  if (xs.length === 0) return layout;
  const dx = margin - Math.min(...xs);
  const move = <T extends { x: number }>(b: T): T => ({ ...b, x: b.x + dx });
  return {
    width: Math.max(...xs) - Math.min(...xs) + 2 * margin,
    height: layout.height,
    nodes: layout.nodes.map(move),
    stages: layout.stages.map(move),
    edges: layout.edges.map((e) => ({ ...e, points: e.points.map(move) })),
  };
}

/**
 * ELK gives a frame the width its widest sibling needs and leaves its children where the straight main path
 * runs; the frame is drawn around what it holds instead: its boxes, the edge routes inside it, and its label.
 */
function tighten(frame: PlacedStage, nodes: PlacedNode[], edges: PlacedEdge[]): PlacedStage {
  const inside = (x: number, y: number) => x >= frame.x && x <= frame.x + frame.width && y >= frame.y && y <= frame.y + frame.height;
  const xs: number[] = [];
  for (const n of nodes) if (inside(n.x, n.y) && inside(n.x + n.width, n.y + n.height)) xs.push(n.x, n.x + n.width);
  for (const e of edges) for (const p of e.points) if (inside(p.x, p.y)) xs.push(p.x);
  if (xs.length === 0) return frame;
  const pad = 14;
  const left = Math.max(frame.x, Math.min(...xs) - pad);
  // Frames stack top to bottom, so one widened for its label overlaps nothing.
  const right = Math.max(Math.max(...xs) + pad, left + textWidth(frame.label, BOX.frameSize) + 2 * pad);
  return { ...frame, x: left, width: right - left };
}
