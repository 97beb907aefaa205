/**
 * Architectures the schema allows but no backend can build. Each bound is far above any published ResNet:
 * - a tensor with a zero dimension (`base_width: 1` with 16 filters gives floor(16·1/64) = 0 channels; tfjs then
 *   fails deep inside layer construction);
 * - more than 2^29 parameters: 2^31 bytes of float32 weights, where one ArrayBuffer of weights (and the single-file
 *   checkpoint) stops being allocatable. ResNet-152 has 6.0e7, ResNeXt-101 64×4d 8.4e7;
 * - more than 2^28 elements in one activation of one example (1 GiB of float32): ResNet-50's largest at 224×224 is
 *   112·112·64 = 8.0e5.
 * Found on the lowered graph, so every width rule of the planner is taken into account; reported at the spec field
 * that sets the offending part.
 */
import { Diagnostic, error } from '../diagnostics/diagnostic';
import { ResolvedSpec } from '../spec/types';
import { nodeParams } from './describe';
import { IRGraph, IRNode } from './types';

export const RESOURCE_LIMITS = {
  params: 2 ** 29,
  activationElements: 2 ** 28,
};

export function resourceDiagnostics(graph: IRGraph, spec: ResolvedSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  const empty = graph.nodes.find((n) => n.shape.some((d) => d === 0));
  if (empty) {
    out.push(error('semantic/zero-width', `${empty.name} would have shape ${empty.shape.join('×')}: a zero-sized tensor cannot be built`, widthPointer(empty, spec), {
      hint: 'raise filters or base_width: a bottleneck\'s inner width is floor(filters · base_width / 64) · groups',
    }));
  }
  if (graph.params.total > RESOURCE_LIMITS.params) {
    const heaviest = graph.stages.reduce((best, s, i) => (paramsOf(s) > paramsOf(graph.stages[best]) ? i : best), 0);
    const message = `${graph.params.total.toExponential(2)} parameters is more than the ${RESOURCE_LIMITS.params.toExponential(2)} (2^29 floats, 2 GiB) that can be allocated`;
    // A wide dense layer of head.layers on a flattened map can outweigh every stage.
    const layer = graph.nodes.filter((n) => n.scope.part === 'head').reduce<IRNode | undefined>((best, n) => (!best || nodeParams(n) > nodeParams(best) ? n : best), undefined);
    if (layer && nodeParams(layer) > paramsOf(graph.stages[heaviest])) {
      out.push(error('semantic/too-many-params', message, scopePointer(layer), { hint: `${layer.name} holds the most (${nodeParams(layer).toExponential(2)}); use fewer units, or pool instead of flattening` }));
    } else {
      out.push(error('semantic/too-many-params', message, `/stages/${heaviest}/filters`, {
        hint: `stage ${heaviest + 1} holds the most (${paramsOf(graph.stages[heaviest]).toExponential(2)}); use fewer filters or blocks`,
      }));
    }
  }
  const largest = graph.nodes.reduce<IRNode | undefined>((best, n) => (!best || elements(n) > elements(best) ? n : best), undefined);
  if (largest && elements(largest) > RESOURCE_LIMITS.activationElements) {
    out.push(error('semantic/activation-too-large', `${largest.name} has ${elements(largest).toExponential(2)} values per example (${largest.shape.join('×')}), more than the ${RESOURCE_LIMITS.activationElements.toExponential(2)} (2^28, 1 GiB) one tensor may hold`, scopePointer(largest), {
      hint: 'use a smaller input or fewer filters',
    }));
  }
  return out;
}

function paramsOf(s: IRGraph['stages'][number]): number {
  return s.params.trainable + s.params.nonTrainable;
}

function elements(n: IRNode): number {
  return n.shape.reduce((a, d) => a * d, 1);
}

/** The field that sets a node's width: base_width where it is not the default, else the stage's filters. */
function widthPointer(n: IRNode, spec: ResolvedSpec): string {
  if (n.scope.part !== 'block' || n.scope.stage === undefined) return scopePointer(n);
  const stage = spec.stages[n.scope.stage];
  if (stage?.baseWidth !== undefined) return `/stages/${n.scope.stage}/base_width`;
  if (spec.baseWidth !== 64) return '/base_width';
  return `/stages/${n.scope.stage}/filters`;
}

function scopePointer(n: IRNode): string {
  switch (n.scope.part) {
    case 'input':
      return '/input';
    case 'stem':
      return n.op === 'resize' ? '/stem/resize' : '/stem/filters';
    case 'block':
      return `/stages/${n.scope.stage ?? 0}/filters`;
    case 'head':
      return n.scope.role.kind === 'head_layer' ? `/head/layers/${n.scope.role.index}` : '/head/classes';
  }
}
