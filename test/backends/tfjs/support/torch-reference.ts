/**
 * PyTorch/torchvision semantics written directly against tfjs ops, independent of netspec's lowering: explicit
 * symmetric padding with tf.pad before every 'valid' conv, max-pool padding with -inf, inference-mode batch norm,
 * grouped convs as one dense conv with a block-diagonal kernel, and torchvision's `_make_layer` rule for where a
 * downsample goes. Weights are read by torchvision's module names (`layer2.0.downsample.0/kernel`).
 */
import type { Tensor, Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { tf } from '../../../../src/runtime/tf';

export type Weights = (name: string) => Tensor;

const EPS = 1e-5;

function padHW(x: Tensor4D, before: number, after = before, value = 0): Tensor4D {
  return before === 0 && after === 0 ? x : tf.pad(x, [[0, 0], [before, after], [before, after], [0, 0]], value);
}

/** [k, k, cin/groups, F] → [k, k, cin, F], zero outside each group's block: a grouped conv as a dense one. */
export function blockDiagonal(kernel: Tensor4D, groups: number): Tensor4D {
  if (groups === 1) return kernel;
  const [kh, kw, cinG, filters] = kernel.shape;
  const outG = filters / groups;
  const src = kernel.arraySync();
  const dense = tf.buffer([kh, kw, cinG * groups, filters]);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < cinG; c++) for (let f = 0; f < filters; f++) {
    const g = Math.floor(f / outG);
    dense.set(src[i][j][c][f], i, j, g * cinG + c, f);
  }
  return dense.toTensor() as Tensor4D;
}

/** nn.Conv2d(bias=False, padding=pad, stride, groups, dilation). */
export function conv(x: Tensor4D, W: Weights, name: string, stride: number, pad: number, groups = 1, dilation = 1): Tensor4D {
  return tf.conv2d(padHW(x, pad), blockDiagonal(W(`${name}/kernel`) as Tensor4D, groups), stride, 'valid', 'NHWC', dilation);
}

/** nn.BatchNorm2d in eval mode. */
export function bn(x: Tensor4D, W: Weights, name: string): Tensor4D {
  const p = (leaf: string) => W(`${name}/${leaf}`) as Tensor1D;
  return tf.batchNorm(x, p('moving_mean'), p('moving_variance'), p('beta'), p('gamma'), EPS);
}

/** nn.MaxPool2d(k, stride, padding): padding is -inf, so it never wins the max. */
export function maxPool(x: Tensor4D, k: number, stride: number, pad: number): Tensor4D {
  return tf.maxPool(padHW(x, pad, pad, -Infinity), k, stride, 'valid');
}

/** nn.AvgPool2d(k, stride, ceil_mode=True, count_include_pad=False): partial windows average their real pixels. */
export function avgPoolCeil(x: Tensor4D, k: number, stride: number): Tensor4D {
  const extra = (size: number) => (Math.ceil((size - k) / stride) * stride + k) - size;
  const [, h, w] = x.shape;
  const padded = tf.pad(x, [[0, 0], [0, extra(h)], [0, extra(w)], [0, 0]]);
  const ones = tf.pad(tf.onesLike(x), [[0, 0], [0, extra(h)], [0, extra(w)], [0, 0]]);
  // Sums over each window divided by how many real pixels it holds.
  return tf.div(tf.avgPool(padded, k, stride, 'valid'), tf.avgPool(ones, k, stride, 'valid'));
}

/** nn.Linear on the global average pool. */
export function head(x: Tensor4D, W: Weights, name = 'fc'): Tensor2D {
  return tf.add(tf.matMul(tf.mean(x, [1, 2]) as Tensor2D, W(`${name}/kernel`) as Tensor2D), W(`${name}/bias`)) as Tensor2D;
}

export interface TorchResNetConfig {
  stem: { kernel: number; stride: number; pool: boolean };
  /** `dilate`: replace_stride_with_dilation for this layer (bottlenecks only, as in torchvision). */
  layers: { block: 'basic' | 'bottleneck'; blocks: number; planes: number; stride: number; dilate?: boolean }[];
  /** ResNeXt's cardinality; the widths come from the kernels themselves. */
  groups?: number;
}

/** A block's shortcut branch, given the block input. */
export type Shortcut = (x: Tensor4D) => Tensor4D;

export const identity: Shortcut = (x) => x;

/** torchvision's `downsample`: 1×1 conv with the block's stride, then BN. */
export const projection = (W: Weights, p: string, stride: number): Shortcut => (x) =>
  bn(conv(x, W, `${p}.downsample.0`, stride, 0), W, `${p}.downsample.1`);

export function basicBlock(x: Tensor4D, W: Weights, p: string, stride: number, shortcut: Shortcut): Tensor4D {
  let out = tf.relu(bn(conv(x, W, `${p}.conv1`, stride, 1), W, `${p}.bn1`));
  out = bn(conv(out, W, `${p}.conv2`, 1, 1), W, `${p}.bn2`);
  return tf.relu(tf.add(out, shortcut(x)) as Tensor4D);
}

/** torchvision's Bottleneck ("v1.5": the stride on the 3×3 conv, which is grouped for ResNeXt and may dilate). */
export function bottleneck(x: Tensor4D, W: Weights, p: string, stride: number, shortcut: Shortcut, groups = 1, dilation = 1): Tensor4D {
  let out = tf.relu(bn(conv(x, W, `${p}.conv1`, 1, 0), W, `${p}.bn1`));
  out = tf.relu(bn(conv(out, W, `${p}.conv2`, stride, dilation, groups, dilation), W, `${p}.bn2`));
  out = bn(conv(out, W, `${p}.conv3`, 1, 0), W, `${p}.bn3`);
  return tf.relu(tf.add(out, shortcut(x)) as Tensor4D);
}

/**
 * torchvision's ResNet.forward with `_make_layer`'s rules: a downsample where stride ≠ 1 or inplanes ≠
 * planes·expansion; a dilated layer trades its stride for dilation, its first block keeping the previous dilation.
 */
export function torchResNet(x: Tensor4D, W: Weights, cfg: TorchResNetConfig): Tensor2D {
  return tf.tidy(() => {
    const { kernel, stride } = cfg.stem;
    let y = tf.relu(bn(conv(x, W, 'conv1', stride, Math.floor(kernel / 2)), W, 'bn1'));
    if (cfg.stem.pool) y = maxPool(y, 3, 2, 1);
    let inplanes = y.shape[3];
    let dilation = 1;
    cfg.layers.forEach((layer, li) => {
      const expansion = layer.block === 'basic' ? 1 : 4;
      const previousDilation = dilation;
      let layerStride = layer.stride;
      if (layer.dilate) {
        dilation *= layerStride;
        layerStride = 1;
      }
      for (let b = 0; b < layer.blocks; b++) {
        const stride = b === 0 ? layerStride : 1;
        const p = `layer${li + 1}.${b}`;
        const shortcut = stride !== 1 || inplanes !== layer.planes * expansion ? projection(W, p, stride) : identity;
        y = layer.block === 'basic'
          ? basicBlock(y, W, p, stride, shortcut)
          : bottleneck(y, W, p, stride, shortcut, cfg.groups, b === 0 ? previousDilation : dilation);
        inplanes = layer.planes * expansion;
      }
    });
    return head(y, W);
  });
}
