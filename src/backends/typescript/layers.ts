/**
 * The stem and the head are short fixed sequences: each IR node becomes one line of layer code. The classifier's
 * width is the builder's `classes` option.
 */
import { invariant } from '../../diagnostics/diagnostic';
import { IRNode } from '../../ir/types';
import { literal, objectLiteral, stringLiteral, templateLiteral } from './code';
import { Uses } from './helpers';
import { initializerSource } from './initializers';

export interface LayerContext {
  uses: Uses;
  convBias: boolean;
  /** The net's BN settings, which a BN of its own (a `head.layers` item) departs from. */
  bn?: { epsilon: number; momentum: number };
  /** The classifier (the last dense layer) and its width as specified; the `classes` option replaces it. */
  classifier?: string;
  classes?: number;
}

/** The expression that applies `node` to `input`. */
export function layerExpression(node: IRNode, input: string, ctx: LayerContext): string {
  const name = ['name', stringLiteral(node.name)] as const;
  switch (node.op) {
    case 'zero_pad': {
      const [[top, bottom], [left, right]] = node.attrs.padding;
      const symmetric = top === bottom && bottom === left && left === right;
      ctx.uses.add('zeroPad', ...(symmetric ? [] : ['zeroPad.asymmetric']));
      return `zeroPad(${input}, ${symmetric ? top : literal(node.attrs.padding)}, ${name[1]})`;
    }
    case 'conv2d': {
      const a = node.attrs;
      ctx.uses.add('conv2d');
      if (a.dilation !== 1) ctx.uses.add('conv.dilation');
      if (a.groups !== 1) ctx.uses.add('conv.groups');
      if (a.useBias !== ctx.convBias) ctx.uses.add('conv.useBias');
      if (a.zeroInit) ctx.uses.add('conv.zeroInit');
      const options = objectLiteral([
        ['strides', a.strides === 1 ? undefined : String(a.strides)],
        ['padding', a.padding === 'valid' ? undefined : stringLiteral(a.padding)],
        ['dilation', a.dilation === 1 ? undefined : String(a.dilation)],
        ['groups', a.groups === 1 ? undefined : String(a.groups)],
        ['useBias', a.useBias === ctx.convBias ? undefined : String(a.useBias)],
        ['zeroInit', a.zeroInit ? 'true' : undefined],
        name,
      ]);
      return `conv2d(${input}, ${a.filters}, ${a.kernel}, ${options})`;
    }
    case 'batch_norm': {
      const { epsilon, momentum } = node.attrs;
      const own = ctx.bn !== undefined && (epsilon !== ctx.bn.epsilon || momentum !== ctx.bn.momentum);
      ctx.uses.add('batchNorm', ...(node.attrs.gammaZero ? ['batchNorm.gammaZero'] : []), ...(node.trainable ? [] : ['batchNorm.frozen']), ...(own ? ['batchNorm.own'] : []));
      const options = objectLiteral([
        ['gammaZero', node.attrs.gammaZero ? 'true' : undefined], ['frozen', node.trainable ? undefined : 'true'],
        ['epsilon', own ? literal(epsilon) : undefined], ['momentum', own ? literal(momentum) : undefined],
      ]);
      return `batchNorm(${input}, ${name[1]}${options === '{}' ? '' : `, ${options}`})`;
    }
    case 'relu':
      ctx.uses.add('relu');
      return `relu(${input}, ${name[1]})`;
    case 'max_pool':
    case 'avg_pool': {
      const a = node.attrs;
      const layer = node.op === 'max_pool' ? 'maxPooling2d' : 'averagePooling2d';
      const options = objectLiteral([
        ['poolSize', String(a.size)],
        ['strides', String(a.strides)],
        ['padding', a.padding === 'valid' ? undefined : stringLiteral(a.padding)],
        name,
      ]);
      return `apply(tf.layers.${layer}(${options}), ${input})`;
    }
    case 'global_pool':
      return `apply(tf.layers.${node.attrs.mode === 'avg' ? 'globalAveragePooling2d' : 'globalMaxPooling2d'}(${objectLiteral([name])}), ${input})`;
    case 'flatten':
      return `apply(tf.layers.flatten(${objectLiteral([name])}), ${input})`;
    case 'dropout':
      return `apply(tf.layers.dropout(${objectLiteral([['rate', literal(node.attrs.rate)], name])}), ${input})`;
    case 'resize': {
      const { factor, interpolation } = node.attrs;
      return `apply(tf.layers.upSampling2d(${objectLiteral([['size', literal(factor)], ['interpolation', stringLiteral(interpolation)], name])}), ${input})`;
    }
    case 'dense': {
      const a = node.attrs;
      const classifier = node.name === ctx.classifier;
      const units = classifier ? 'classes' : String(a.units);
      const options = objectLiteral([
        ['units', units],
        ['activation', stringLiteral(a.activation)],
        ['useBias', a.useBias ? undefined : 'false'],
        ['kernelInitializer', initializerSource(a.kernelInitializer, { fanIn: () => `${input}.shape[1] as number`, fanOut: () => units })],
        ['name', classifier ? classifierName(node.name, ctx.classes) : stringLiteral(node.name)],
      ]);
      return `apply(tf.layers.dense(${options}), ${input})`;
    }
    default:
      invariant(false, `no stem or head layer for op ${node.op}`);
  }
}

/** Caffe names the classifier after its width (`fc1000`), so the name follows the `classes` option. */
function classifierName(layerName: string, classes: number | undefined): string {
  const width = classes === undefined ? '' : String(classes);
  const at = width ? layerName.indexOf(width) : -1;
  if (at < 0) return stringLiteral(layerName);
  return templateLiteral([{ text: layerName.slice(0, at) }, { expr: 'classes' }, { text: layerName.slice(at + width.length) }]);
}

/** "7×7/2 conv, BN, ReLU, 3×3/2 max-pool": what the stem comment says. */
export function describeLayers(nodes: readonly IRNode[]): string {
  return nodes.flatMap((n): string[] => {
    switch (n.op) {
      case 'conv2d': return [`${n.attrs.kernel}×${n.attrs.kernel}${n.attrs.strides > 1 ? `/${n.attrs.strides}` : ''} conv (${n.attrs.filters})`];
      case 'batch_norm': return ['BN'];
      case 'relu': return ['ReLU'];
      case 'max_pool':
      case 'avg_pool': return [`${n.attrs.size}×${n.attrs.size}/${n.attrs.strides} ${n.op === 'max_pool' ? 'max' : 'average'}-pool`];
      case 'global_pool': return [`global ${n.attrs.mode === 'avg' ? 'average' : 'max'} pooling`];
      case 'flatten': return ['flatten'];
      case 'dropout': return [`dropout ${n.attrs.rate}`];
      case 'dense': return [n === nodes[nodes.length - 1] ? `${n.attrs.activation} classifier` : `dense ${n.attrs.units}${n.attrs.activation === 'linear' ? '' : ` ${n.attrs.activation}`}`];
      case 'resize': return [`${n.attrs.factor.join('×')} ${n.attrs.interpolation} upsampling`];
      default: return [];
    }
  }).join(', ');
}
