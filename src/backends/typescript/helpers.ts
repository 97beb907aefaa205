/**
 * The small layer helpers an emitted module defines (only those its code calls), in the spirit of the Keras
 * CIFAR-10 example's `resnet_layer`: they keep each block to one line per layer while saying once how convs are
 * initialised and how batch norm is configured. Initial weights are the tfjs backend's (src/backends/tfjs/init.ts).
 */
import { InitializerName } from '../../ir/initializers';
import { literal } from './code';
import { initializerSource, initializerSummary } from './initializers';
import { channelConvClass, dropPathClass, frozenBatchNormClass, globalPoolKeepDimsClass, groupedConvClass, layerArgsType, subsamplePadClass } from './custom-layers';

/** Which helpers and helper options the emitted code uses; generators record as they write. */
export class Uses {
  private readonly used = new Set<string>();

  add(...what: string[]): void {
    for (const w of what) this.used.add(w);
  }

  has(what: string): boolean {
    return this.used.has(what);
  }
}

export interface HelperSettings {
  bn?: { epsilon: number; momentum: number };
  convBias: boolean;
  padName: 'append' | 'replace';
  /** The spec's conv kernel initializer (every conv of the net has it). */
  convInitializer: InitializerName;
}

/** Source text of every helper in `uses`, in a fixed order (so output is stable). */
export function helperSources(uses: Uses, settings: HelperSettings): string[] {
  // Helpers that call other helpers.
  if (uses.has('paddedConv')) uses.add('conv2d', 'zeroPad');
  if (uses.has('subsamplePad')) uses.add('SubsamplePad');
  if (uses.has('conv.groups')) uses.add('GroupedConv2D');
  const out: string[] = [];
  const push = (name: string, text: string) => uses.has(name) && out.push(text);

  out.push([
    '/** Applies a layer to a symbolic tensor (tfjs types `apply` loosely). */',
    'function apply(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {',
    '  return layer.apply(x) as tf.SymbolicTensor;',
    '}',
  ].join('\n'));
  push('conv2d', convHelper(uses, settings.convBias, settings.convInitializer));
  push('paddedConv', paddedConvHelper(uses, settings.padName));
  push('zeroPad', [
    uses.has('zeroPad.asymmetric') ? '/** Zero padding on every side of the feature map, or [[top, bottom], [left, right]]. */' : '/** Zero padding on every side of the feature map. */',
    `function zeroPad(x: tf.SymbolicTensor, padding: ${uses.has('zeroPad.asymmetric') ? 'number | [[number, number], [number, number]]' : 'number'}, name: string): tf.SymbolicTensor {`,
    '  return apply(tf.layers.zeroPadding2d({ padding, name }), x);',
    '}',
  ].join('\n'));
  if (settings.bn) push('batchNorm', batchNormHelper(uses));
  push('relu', [
    'function relu(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {',
    "  return apply(tf.layers.activation({ activation: 'relu', name }), x);",
    '}',
  ].join('\n'));
  push('add', [
    'function add(shortcut: tf.SymbolicTensor, residual: tf.SymbolicTensor, name: string): tf.SymbolicTensor {',
    '  return apply(tf.layers.add({ name }), [shortcut, residual]);',
    '}',
  ].join('\n'));
  push('subsamplePad', [
    '/** Option A shortcut: subsample by the stride, zero-pad the new channels, half in front and half behind. */',
    'function subsamplePad(x: tf.SymbolicTensor, outChannels: number, stride: number, name: string): tf.SymbolicTensor {',
    '  const extra = outChannels - (x.shape[3] as number);',
    '  const channelsBefore = Math.floor(extra / 2);',
    '  return apply(new SubsamplePad({ stride, channelsBefore, channelsAfter: extra - channelsBefore, name }), x);',
    '}',
  ].join('\n'));
  push('freeze', [
    '/** frozen_stages: makes every layer between `input` and `x` non-trainable. */',
    'function freeze(input: tf.SymbolicTensor, x: tf.SymbolicTensor): void {',
    '  for (const layer of tf.model({ inputs: input, outputs: x }).layers) layer.trainable = false;',
    '}',
  ].join('\n'));
  if (['SubsamplePad', 'GroupedConv2D', 'GlobalPoolKeepDims', 'ChannelConv1D', 'DropPath'].some((c) => uses.has(c))) out.push(layerArgsType);
  push('SubsamplePad', subsamplePadClass);
  push('GroupedConv2D', groupedConvClass);
  push('GlobalPoolKeepDims', globalPoolKeepDimsClass);
  push('ChannelConv1D', channelConvClass);
  push('DropPath', dropPathClass);
  push('batchNorm.frozen', frozenBatchNormClass);
  return out;
}

function convHelper(uses: Uses, convBias: boolean, initializer: InitializerName): string {
  const options = [
    ['strides', 'strides?: number;', 'strides = 1'],
    ['padding', "padding?: 'same' | 'valid';", "padding = 'valid'"],
    ['dilation', 'dilation?: number;', 'dilation = 1'],
    ['groups', 'groups?: number;', 'groups = 1'],
    ['useBias', 'useBias?: boolean;', `useBias = ${convBias}`],
    ['zeroInit', '/** Start from zero weights (zero_init_residual). */\n  zeroInit?: boolean;', 'zeroInit = false'],
  ].filter(([key]) => key === 'strides' || key === 'padding' || uses.has(`conv.${key}`));
  const he = initializerSource(initializer, {
    fanIn: () => `kernelSize * kernelSize * (x.shape[3] as number)${uses.has('conv.groups') ? ' / groups' : ''}`,
    fanOut: () => 'kernelSize * kernelSize * filters',
  });
  const layerArgs = [
    'filters', 'kernelSize', 'strides', 'padding',
    ...(uses.has('conv.dilation') ? ['dilationRate: dilation'] : []),
    uses.has('conv.useBias') ? 'useBias' : `useBias: ${convBias}`,
    `kernelInitializer: ${uses.has('conv.zeroInit') ? `zeroInit ? tf.initializers.zeros() : ${he}` : he}`,
    'name',
  ];
  return [
    'interface ConvArgs {',
    '  name: string;',
    ...options.map(([, decl]) => `  ${decl}`),
    '}',
    '',
    '/**',
    ` * Conv2D, ${convBias ? 'with' : 'without'} bias unless told otherwise; biases start at zero. Kernels start as`,
    ` * ${initializerSummary(initializer)}.`,
    ' */',
    'function conv2d(x: tf.SymbolicTensor, filters: number, kernelSize: number, options: ConvArgs): tf.SymbolicTensor {',
    `  const { name, ${options.map(([, , d]) => d).join(', ')} } = options;`,
    `  const args = { ${layerArgs.join(', ')} };`,
    uses.has('conv.groups')
      ? '  return apply(groups > 1 ? new GroupedConv2D({ ...args, groups }) : tf.layers.conv2d(args), x);'
      : '  return apply(tf.layers.conv2d(args), x);',
    '}',
  ].join('\n');
}

function paddedConvHelper(uses: Uses, padName: HelperSettings['padName']): string {
  const dilated = uses.has('conv.dilation');
  const name = padName === 'append' ? '`${args.name}_pad`' : "args.name.replace(/_conv$/, '_pad')";
  return [
    '/**',
    " * A conv padded as PyTorch pads, by (k - 1) / 2 on every side. tfjs' 'same' does exactly that at stride 1; a",
    ' * strided conv gets an explicit ZeroPadding2D instead, since \'same\' would pad only the bottom and right.',
    ' */',
    'function paddedConv(x: tf.SymbolicTensor, filters: number, kernelSize: number, args: ConvArgs): tf.SymbolicTensor {',
    `  const pad = (${dilated ? '(args.dilation ?? 1) * (kernelSize - 1)' : 'kernelSize - 1'}) / 2;`,
    "  if (pad === 0) return conv2d(x, filters, kernelSize, { ...args, padding: 'valid' });",
    "  if ((args.strides ?? 1) === 1) return conv2d(x, filters, kernelSize, { ...args, padding: 'same' });",
    `  return conv2d(zeroPad(x, pad, ${name}), filters, kernelSize, { ...args, padding: 'valid' });`,
    '}',
  ].join('\n');
}

function batchNormHelper(uses: Uses): string {
  const gamma = uses.has('batchNorm.gammaZero');
  const frozen = uses.has('batchNorm.frozen');
  const own = uses.has('batchNorm.own');
  const options = [gamma ? 'gammaZero?: boolean' : '', frozen ? 'frozen?: boolean' : '', own ? 'epsilon?: number; momentum?: number' : ''].filter(Boolean);
  const settings = own ? 'epsilon: options.epsilon ?? BN_EPSILON, momentum: options.momentum ?? BN_MOMENTUM' : 'epsilon: BN_EPSILON, momentum: BN_MOMENTUM';
  const args = `{ ${settings}, ${gamma ? "gammaInitializer: options.gammaZero ? 'zeros' : 'ones', " : ''}name }`;
  const doc = [
    'BatchNormalization with the net\'s epsilon and momentum (tfjs\' default epsilon, 1e-3, is not theirs).',
    ...(gamma ? ['`gammaZero` starts gamma at 0 (zero_init_residual).'] : []),
    ...(frozen ? ['`frozen` makes it a FrozenBatchNormalization, for frozen stages.'] : []),
    ...(own ? ['`epsilon` and `momentum` replace the net\'s for a head layer that has its own.'] : []),
  ];
  return [
    ...(doc.length === 1 ? [`/** ${doc[0]} */`] : ['/**', ...doc.map((l) => ` * ${l}`), ' */']),
    `function batchNorm(x: tf.SymbolicTensor, name: string${options.length > 0 ? `, options: { ${options.join('; ')} } = {}` : ''}): tf.SymbolicTensor {`,
    ...(frozen
      ? [`  const args = ${args};`, '  return apply(options.frozen ? new FrozenBatchNormalization({ ...args, trainable: false }) : tf.layers.batchNormalization(args), x);']
      : [`  return apply(tf.layers.batchNormalization(${args}), x);`]),
    '}',
  ].join('\n');
}

/** `const BN_EPSILON = …` and friends, when the net has batch norms. */
export function constantSources(settings: HelperSettings): string[] {
  if (!settings.bn) return [];
  return [
    `const BN_EPSILON = ${literal(settings.bn.epsilon)};`,
    `const BN_MOMENTUM = ${literal(settings.bn.momentum)};`,
  ];
}
