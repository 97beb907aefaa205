import { Diagnostic } from '../diagnostics/diagnostic';
import { ResolvedSpec } from '../spec/types';
import { GraphBuilder, LoweringStopped } from './builder';
import { lowerBlock } from './lower-block';
import { lowerHead } from './lower-head';
import { lowerStem } from './lower-stem';
import { createNamer } from './naming';
import { blockKinds } from './blocks/registry';
import { planBlocks } from './plan';
import { stageName } from './naming/stages';
import { BlockInfo, IRGraph, IRNode, NodeScope, ParamCounts, StageSummary } from './types';

export interface LowerResult {
  graph?: IRGraph;
  diagnostics: Diagnostic[];
}

/** The one generic lowering: any resolved spec to the IR graph. There are no per-architecture builders. */
export function lowerSpec(spec: ResolvedSpec): LowerResult {
  const diagnostics: Diagnostic[] = [];
  const plans = planBlocks(spec);
  const namer = createNamer(spec.naming, {
    classes: spec.head.classes,
    blocksPerStage: spec.stages.map((s) => s.blocks),
    deepStem: spec.stem.deep,
    isPreact: (stage, block) => blockKinds.get(plans[stage][block].kind).activation === 'pre',
  }, spec.head.names);
  const frozen = (scope: NodeScope) =>
    (scope.part === 'stem' && spec.frozenStages >= 0) || (scope.part === 'block' && (scope.stage ?? 0) < spec.frozenStages);
  const g = new GraphBuilder({ batchNorm: spec.batchNorm, convBias: spec.convBias, padding: spec.padding, initializer: spec.initializer }, namer, frozen, diagnostics);
  try {
    const input = g.addInput([...spec.input]);
    let x = lowerStem(g, spec.stem, input);
    const blocks: BlockInfo[] = [];
    const stageOutputs: string[] = [];
    for (const stage of plans) {
      for (const plan of stage) {
        const block = lowerBlock(g, plan, x, spec.zeroInitResidual);
        blocks.push(block);
        x = block.output;
      }
      stageOutputs.push(x);
    }
    const headStart = g.nodes.length;
    const head = lowerHead(g, spec.head, x);
    const outputs = spec.outIndices.map((i) => stageOutputs[i - 1]);
    const last = head ?? (spec.outIndices.length === 0 ? x : undefined);
    if (last !== undefined && !outputs.includes(last)) outputs.push(last);
    const graph: IRGraph = {
      name: spec.name,
      input: [...spec.input],
      nodes: g.nodes,
      outputs,
      blocks,
      stages: summarizeStages(g.nodes, stageOutputs, spec),
      params: total(g.nodes),
      macs: g.nodes.reduce((a, n) => a + n.macs, 0),
      naming: spec.naming,
      settings: {
        batchNorm: { ...spec.batchNorm },
        convBias: spec.convBias,
        padding: spec.padding,
        naming: spec.naming,
        frozenStages: spec.frozenStages,
        outIndices: [...spec.outIndices],
        includeTop: spec.head.includeTop,
        classes: spec.head.classes,
        deepStem: spec.stem.deep,
        pooling: spec.head.pooling,
        zeroInitResidual: spec.zeroInitResidual,
        initializer: { ...spec.initializer },
      },
      stem: g.nodes.filter((n) => n.scope.part === 'stem').map((n) => n.name),
      head: g.nodes.slice(headStart).filter((n) => n.scope.part === 'head').map((n) => ({ node: n.name, top: isTopLayer(n, spec.head) })),
    };
    return { graph, diagnostics };
  } catch (e) {
    if (e instanceof LoweringStopped) return { diagnostics };
    throw e;
  }
}

export function sumParams(nodes: readonly IRNode[]): ParamCounts {
  return nodes.reduce((acc, n) => ({ trainable: acc.trainable + n.params.trainable, nonTrainable: acc.nonTrainable + n.params.nonTrainable }), { trainable: 0, nonTrainable: 0 });
}

function total(nodes: readonly IRNode[]): ParamCounts & { total: number } {
  const p = sumParams(nodes);
  return { ...p, total: p.trainable + p.nonTrainable };
}

/**
 * Head layers that exist only with the classifier: the dense layer, its dropout, a flatten with no pool before it;
 * the pooling too where include_top: false would not pool (Keras' pooling=None, unless `pooling` is written); every
 * item of `head.layers` (Keras' transfer recipe puts all of them on an include_top=False base).
 */
function isTopLayer(n: IRNode, head: ResolvedSpec['head']): boolean {
  const kind = n.scope.role.kind;
  if (kind === 'head_layer') return true;
  if (kind === 'avg_pool' || kind === 'max_pool' || (kind === 'flatten' && head.pooling !== 'none')) return head.poolingWithoutTop !== head.pooling;
  return n.op === 'dense' || n.op === 'dropout' || (n.op === 'flatten' && head.pooling === 'none');
}

function summarizeStages(nodes: readonly IRNode[], stageOutputs: string[], spec: ResolvedSpec): StageSummary[] {
  return stageOutputs.map((output, s) => {
    const inStage = nodes.filter((n) => n.scope.part === 'block' && n.scope.stage === s);
    const blocks = new Set(inStage.map((n) => n.scope.block)).size;
    return {
      name: stageName(spec.naming, s),
      index: s + 1,
      blocks,
      stride: spec.stages[s].stride,
      downsampleAt: spec.stages[s].downsampleAt ?? spec.downsampleAt,
      filters: spec.stages[s].filters,
      overrides: Object.keys(spec.stages[s].overrides).map(Number),
      params: sumParams(inStage),
      macs: inStage.reduce((a, n) => a + n.macs, 0),
      outputShape: inStage[inStage.length - 1].shape,
      output,
    };
  });
}
