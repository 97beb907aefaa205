/**
 * netspec's torch naming scheme applied to any graph, whatever the spec's own scheme: a keras-named ResNet-50 still
 * has torchvision module paths (`layer1.0.conv1`) for its state dict. The names come from the same registry entry
 * that names torch-convention specs (src/ir/naming/torch.ts), from each node's scope, so the two can never drift.
 */
import { blockKinds } from '../../ir/blocks/registry';
import { classifierOf } from '../../ir/describe';
import { createNamer } from '../../ir/naming';
import { IRGraph, IRNode } from '../../ir/types';

/** IR node name → torch module path, for every node. */
export function torchModuleNames(graph: IRGraph): Map<string, string> {
  const kinds = new Map(graph.blocks.map((b) => [`${b.stage}.${b.index}`, b.kind]));
  const namer = createNamer('torch', {
    classes: classifierOf(graph)?.attrs.units ?? 0,
    blocksPerStage: graph.stages.map((s) => s.blocks),
    deepStem: graph.nodes.filter((n) => n.scope.part === 'stem' && n.op === 'conv2d').length > 1,
    isPreact: (stage, block) => blockKinds.get(kinds.get(`${stage}.${block}`) ?? 'basic').activation === 'pre',
  });
  return new Map(graph.nodes.map((n) => [n.name, namer(n.scope)]));
}

/** A state-dict entry of one IR weight: torch's name and shape, and how the tfjs tensor's axes map onto it. */
export interface TorchParam {
  /** tfjs weight name, `layer/kernel`. */
  tfjs: string;
  torch: string;
  tfjsShape: number[];
  torchShape: number[];
  /** torch axis i is tfjs axis perm[i]. */
  perm: number[];
}

const BN_WEIGHTS: ReadonlyArray<[string, string]> = [['gamma', 'weight'], ['beta', 'bias'], ['moving_mean', 'running_mean'], ['moving_variance', 'running_var']];

/**
 * The state dict of a graph, in module order. Convs: tfjs HWIO (grouped convs too, GroupedConv2D keeps one kernel
 * [kh, kw, C_in/groups, filters]) is torch OIHW; dense: tfjs [in, out] is torch's transposed [out, in]; BN: gamma,
 * beta and the moving statistics are weight, bias, running_mean, running_var.
 */
export function torchParams(graph: IRGraph): TorchParam[] {
  const names = torchModuleNames(graph);
  const shapes = new Map(graph.nodes.map((n) => [n.name, n.shape]));
  return graph.nodes.flatMap((n) => paramsOf(n, names.get(n.name)!, n.inputs.length > 0 ? shapes.get(n.inputs[0])! : []));
}

function paramsOf(n: IRNode, module: string, inputShape: number[]): TorchParam[] {
  const entry = (suffix: string, torchSuffix: string, tfjsShape: number[], perm: number[]): TorchParam => ({
    tfjs: `${n.name}/${suffix}`, torch: `${module}.${torchSuffix}`, tfjsShape, torchShape: perm.map((p) => tfjsShape[p]), perm,
  });
  switch (n.op) {
    case 'conv2d': {
      const a = n.attrs;
      const kernel = entry('kernel', 'weight', [a.kernel, a.kernel, inputShape[2] / a.groups, a.filters], [3, 2, 0, 1]);
      return a.useBias ? [kernel, entry('bias', 'bias', [a.filters], [0])] : [kernel];
    }
    case 'dense': {
      const kernel = entry('kernel', 'weight', [inputShape[0], n.attrs.units], [1, 0]);
      return n.attrs.useBias ? [kernel, entry('bias', 'bias', [n.attrs.units], [0])] : [kernel];
    }
    // ECA: tfjs' conv1d kernel [k, 1, 1] (width, in, out) is torch's Conv1d weight [1, 1, k] (out, in, width).
    case 'channel_conv':
      return [entry('kernel', 'weight', [n.attrs.kernel, 1, 1], [2, 1, 0])];
    case 'batch_norm':
      return BN_WEIGHTS.map(([tf, torch]) => entry(tf, torch, [n.shape[n.shape.length - 1]], [0]));
    default:
      return [];
  }
}

/** Reorders `values` (row-major, `shape`) so that output axis i is input axis perm[i]. */
export function permute(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  if (perm.every((p, i) => p === i)) return values.slice();
  const outShape = perm.map((p) => shape[p]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outStrides = perm.map((p) => strides[p]);
  const out = new Float32Array(values.length);
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let from = 0;
    for (let d = 0; d < index.length; d++) from += index[d] * outStrides[d];
    out[o] = values[from];
    for (let d = index.length - 1; d >= 0; d--) {
      if (++index[d] < outShape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** The inverse permutation: torch layout back to tfjs. */
export function inverse(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return inv;
}
