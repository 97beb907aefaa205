import { Diagnostic, error, invariant } from '../diagnostics/diagnostic';
import { ConvBias, InitializerSettings, PaddingMode } from '../spec/types';
import { countLayer } from './counts';
import { Namer } from './naming';
import { role, unitRole } from './roles';
import { inferShape } from './shapes';
import { BatchNormAttrs, Conv2DAttrs, IRNode, NodeScope, OpAttrs, Shape } from './types';

/** Network-wide layer settings from the spec's convention. */
export interface LayerSettings {
  batchNorm: { epsilon: number; momentum: number };
  convBias: ConvBias;
  padding: PaddingMode;
  initializer: InitializerSettings;
}

/** The `conv_bias` rule: `always`, `never`, or `unless_bn` (a bias only where no BN follows the conv). */
export function convUsesBias(rule: ConvBias, followedByBn: boolean): boolean {
  return rule === 'always' || (rule === 'unless_bn' && !followedByBn);
}

/** Raised inside lowering when a shape collapses; the diagnostic has already been recorded. */
export class LoweringStopped extends Error {}

/**
 * Appends layers to the graph: names them through the naming scheme, infers shapes, counts parameters and MACs, and
 * reports a spatial size that collapses to zero at the layer where it happens.
 */
export class GraphBuilder {
  readonly nodes: IRNode[] = [];
  private readonly byName = new Map<string, IRNode>();

  constructor(
    readonly settings: LayerSettings,
    private readonly namer: Namer,
    private readonly isFrozen: (scope: NodeScope) => boolean,
    readonly diagnostics: Diagnostic[],
  ) {}

  bnAttrs(gammaZero: boolean): BatchNormAttrs {
    return { ...this.settings.batchNorm, gammaZero };
  }

  /** A conv's attributes with the spec's kernel initialiser; `padding` is 'valid' unless given. */
  convAttrs(conv: Omit<Conv2DAttrs, 'kernelInitializer' | 'padding' | 'dilation' | 'groups' | 'zeroInit'> & Partial<Conv2DAttrs>): Conv2DAttrs {
    return { padding: 'valid', dilation: 1, groups: 1, zeroInit: false, kernelInitializer: this.settings.initializer.conv, ...conv };
  }

  /** Whether a conv gets a bias under the spec's `conv_bias` rule. */
  useBias(followedByBn: boolean): boolean {
    return convUsesBias(this.settings.convBias, followedByBn);
  }

  shape(name: string): Shape {
    const node = this.byName.get(name);
    invariant(node, `unknown node ${name}`);
    return node.shape;
  }

  /** Adds a layer; `pointer` is the spec field responsible for it, where a collapse is reported. */
  add(layer: OpAttrs, inputs: string[], scope: NodeScope, pointer: string): string {
    const inputShapes = inputs.map((i) => this.shape(i));
    const shape = layer.op === 'input' ? (layer as unknown as { shape: Shape }).shape : inferShape(layer, inputShapes);
    const name = this.namer(scope);
    invariant(!this.byName.has(name), `duplicate layer name ${name}`);
    if (shape.length === 3 && (shape[0] < 1 || shape[1] < 1)) {
      const [h, w] = inputShapes[0];
      this.diagnostics.push(error('semantic/spatial-collapse',
        `the feature map collapses to ${Math.max(shape[0], 0)}×${Math.max(shape[1], 0)} at layer ${name} (${layer.op} on ${h}×${w})`, pointer, {
          hint: 'use a larger input, or fewer strided stages or pools',
        }));
      throw new LoweringStopped();
    }
    const { params, macs } = countLayer(layer, inputShapes[0] ?? shape, shape);
    const trainable = !this.isFrozen(scope);
    const node = {
      ...layer,
      name,
      inputs,
      shape,
      params: trainable ? params : { trainable: 0, nonTrainable: params.trainable + params.nonTrainable },
      macs,
      trainable,
      scope,
    } as IRNode;
    this.nodes.push(node);
    this.byName.set(name, node);
    return name;
  }

  addInput(shape: Shape): string {
    const name = this.namer({ part: 'input', role: role('input') });
    const node: IRNode = { op: 'input', attrs: {}, name, inputs: [], shape, params: { trainable: 0, nonTrainable: 0 }, macs: 0, trainable: true, scope: { part: 'input', role: role('input') } };
    this.nodes.push(node);
    this.byName.set(name, node);
    return name;
  }

  /**
   * A conv with the spec's padding rule. `same` is TensorFlow's (asymmetric for stride 2 on even sizes); `explicit`
   * always inserts a ZeroPadding layer (Keras V2's `_pad` layers); `auto` pads symmetrically like PyTorch and only
   * inserts a layer where 'same' would differ.
   */
  conv(
    x: string,
    conv: { filters: number; kernel: number; stride: number; dilation?: number; groups?: number; useBias: boolean; zeroInit?: boolean },
    mode: PaddingMode,
    scope: { part: NodeScope['part']; stage?: number; block?: number; index: number },
    pointer: string,
  ): string {
    const dilation = conv.dilation ?? 1;
    const pad = (dilation * (conv.kernel - 1)) / 2;
    const sameIsSymmetric = conv.stride === 1 && conv.kernel % 2 === 1;
    const needsLayer = pad > 0 && (mode === 'explicit' || (mode === 'auto' && !sameIsSymmetric));
    let input = x;
    if (needsLayer) {
      const [before, after] = [Math.floor(pad), Math.ceil(pad)];
      input = this.add({ op: 'zero_pad', attrs: { padding: [[before, after], [before, after]] } }, [x], { ...scope, role: unitRole('pad', scope.index) }, pointer);
    }
    const padding = needsLayer || pad === 0 ? 'valid' : 'same';
    return this.add({
      op: 'conv2d',
      attrs: this.convAttrs({
        filters: conv.filters, kernel: conv.kernel, strides: conv.stride, padding, dilation, groups: conv.groups ?? 1,
        useBias: conv.useBias, zeroInit: conv.zeroInit ?? false,
      }),
    }, [input], { ...scope, role: unitRole('conv', scope.index) }, pointer);
  }
}
