/**
 * Checks a built model against the IR it came from, layer by layer: output shape (without the batch axis),
 * trainable and non-trainable parameter counts. The IR computes these from its own formulas; tfjs from the weights
 * it actually allocated, so agreement means the lowering did what the IR says.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { IRGraph, ParamCounts, Shape } from '../../ir/types';
import { buildLayersModel } from './build';

export interface LayerFacts extends ParamCounts {
  shape: Shape;
}

export interface LayerComparison {
  name: string;
  ir?: LayerFacts;
  built?: LayerFacts;
  ok: boolean;
}

export interface VerifyReport {
  ok: boolean;
  layers: LayerComparison[];
  totals: { ir: ParamCounts; built: ParamCounts };
}

type Layer = LayersModel['layers'][number];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function builtFacts(layer: Layer): LayerFacts {
  const out = layer.outputShape as (number | null)[];
  return {
    shape: out.slice(1) as number[],
    trainable: layer.trainableWeights.reduce((a, w) => a + size(w.shape as number[]), 0),
    nonTrainable: layer.nonTrainableWeights.reduce((a, w) => a + size(w.shape as number[]), 0),
  };
}

function same(a: LayerFacts, b: LayerFacts): boolean {
  return a.trainable === b.trainable && a.nonTrainable === b.nonTrainable && a.shape.length === b.shape.length && a.shape.every((v, i) => v === b.shape[i]);
}

/** Compares every IR node with the model layer of the same name; layers on one side only are differences too. */
export function compareModel(graph: IRGraph, model: LayersModel): VerifyReport {
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const layers: LayerComparison[] = graph.nodes.map((node) => {
    const ir = { shape: node.shape, ...node.params };
    const layer = byName.get(node.name);
    byName.delete(node.name);
    if (!layer) return { name: node.name, ir, ok: false };
    const built = builtFacts(layer);
    return { name: node.name, ir, built, ok: same(ir, built) };
  });
  for (const layer of byName.values()) layers.push({ name: layer.name, built: builtFacts(layer), ok: false });
  const sum = (pick: (c: LayerComparison) => LayerFacts | undefined) => layers.reduce(
    (a, c) => ({ trainable: a.trainable + (pick(c)?.trainable ?? 0), nonTrainable: a.nonTrainable + (pick(c)?.nonTrainable ?? 0) }),
    { trainable: 0, nonTrainable: 0 },
  );
  const totals = { ir: { trainable: graph.params.trainable, nonTrainable: graph.params.nonTrainable }, built: sum((c) => c.built) };
  const totalsOk = totals.ir.trainable === totals.built.trainable && totals.ir.nonTrainable === totals.built.nonTrainable
    && model.countParams() === graph.params.total;
  return { ok: totalsOk && layers.every((l) => l.ok), layers, totals };
}

/** Builds the graph's model, compares, and frees the model's weights. */
export function verifyGraph(graph: IRGraph): VerifyReport {
  const model = buildLayersModel(graph);
  try {
    return compareModel(graph, model);
  } finally {
    model.dispose();
  }
}

/** One row per layer (IR → built where they differ), then the totals and a verdict. */
export function formatVerifyReport(report: VerifyReport): string {
  const fmt = (f?: LayerFacts) => (f ? `(${f.shape.join(', ')})  ${f.trainable} / ${f.nonTrainable}` : 'absent');
  const width = Math.max(24, ...report.layers.map((l) => l.name.length));
  const lines = [`${'layer'.padEnd(width)}  ok  IR output shape  trainable / non-trainable   [built, where different]`];
  for (const l of report.layers) {
    const differs = !l.ok ? `   ≠ built ${fmt(l.built)}` : '';
    lines.push(`${l.name.padEnd(width)}  ${l.ok ? '✓ ' : '✗ '}  ${fmt(l.ir)}${differs}`);
  }
  const t = report.totals;
  const bad = report.layers.filter((l) => !l.ok).length;
  lines.push(`trainable: IR ${t.ir.trainable}, built ${t.built.trainable}; non-trainable: IR ${t.ir.nonTrainable}, built ${t.built.nonTrainable}`);
  lines.push(report.ok ? `verified: all ${report.layers.length} layers match` : `MISMATCH: ${bad} of ${report.layers.length} layers differ`);
  return lines.join('\n') + '\n';
}
