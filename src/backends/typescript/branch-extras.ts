/**
 * What a block may add between its residual branch and the sum: timm's squeeze-and-excitation, ECA and stochastic depth,
 * written from the roles the IR gave their layers.
 */
import { objectLiteral } from './code';
import { arg, name, Writer } from './writer';

/** timm's SEModule on `y`: mean over the map, 1×1 conv down (ReLU), 1×1 conv up (sigmoid), product. */
export function squeezeExcite(w: Writer, outChannels: string): void {
  w.uses.add('conv2d', 'relu', 'GlobalPoolKeepDims');
  const bias = constBias(w);
  const conv = (input: string, filters: string, role: string) =>
    `conv2d(${input}, ${filters}, 1, ${objectLiteral([['useBias', bias], ['name', name(w, role)]])})`;
  w.lines.push(
    '',
    `let se = apply(new GlobalPoolKeepDims({ mode: 'avg', name: ${name(w, 'attn_pool')} }), y);`,
    `se = relu(${conv('se', arg(w, 'seChannels'), 'attn_fc1')}, ${name(w, 'attn_relu')});`,
    `se = apply(tf.layers.activation({ activation: 'sigmoid', name: ${name(w, 'attn_gate')} }), ${conv('se', outChannels, 'attn_fc2')});`,
    `y = apply(tf.layers.multiply({ name: ${name(w, 'attn_scale')} }), [y, se]);`,
  );
}

/** timm's EcaModule on `y`: mean over the map, a k-tap conv across channels, sigmoid, product. */
export function efficientChannelAttention(w: Writer): void {
  w.uses.add('GlobalPoolKeepDims', 'ChannelConv1D');
  w.lines.push(
    '',
    `let eca = apply(new GlobalPoolKeepDims({ mode: 'avg', name: ${name(w, 'attn_pool')} }), y);`,
    `eca = apply(new ChannelConv1D({ kernelSize: ${arg(w, 'ecaKernel')}, name: ${name(w, 'attn_conv')} }), eca);`,
    `eca = apply(tf.layers.activation({ activation: 'sigmoid', name: ${name(w, 'attn_gate')} }), eca);`,
    `y = apply(tf.layers.multiply({ name: ${name(w, 'attn_scale')} }), [y, eca]);`,
  );
}

/** The SE convs always have a bias; say so where the network's default is without. */
function constBias(w: Writer): string | undefined {
  const bias = w.kind.bias.get('attn_fc1');
  if (bias !== undefined) w.uses.add('conv.useBias');
  return bias;
}

/** Stochastic depth on `y`, where the block's rate is above 0 (timm's rule gives the net's first block 0). */
export function dropPath(w: Writer): void {
  w.uses.add('DropPath');
  const rate = arg(w, 'dropPath');
  const layer = `y = apply(new DropPath({ rate: ${rate}, name: ${name(w, 'drop_path')} }), y);`;
  w.lines.push(/^[\d.]+$/.test(rate) ? layer : `if (${rate} > 0) ${layer}`);
}
