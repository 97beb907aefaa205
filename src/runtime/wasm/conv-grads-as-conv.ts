/**
 * Both gradients of a 2-D convolution written as forward convolutions, so that a backend with a fast forward
 * convolution (XNNPACK in tfjs' wasm backend) computes them at forward speed.
 *
 * Forward (NHWC, filter HWIO, padded input xp):
 *   y[n, oh, ow, co] = Σ_{kh, kw, ci} xp[n, oh·s + kh·d, ow·s + kw·d, ci] · w[kh, kw, ci, co]
 *
 * Filter gradient: dw[kh, kw, ci, co] = Σ_{n, oh, ow} xp[n, kh·d + oh·s, kw·d + ow·s, ci] · dy[n, oh, ow, co].
 *   Read ci as the batch, (kh, kw) as the output pixel, (oh, ow) as the filter tap and n as the input channel:
 *   a forward convolution of xp transposed to [Ci, H, W, N] with dy transposed to [OH, OW, N, Co] as the filter,
 *   stride d and dilation s. Its output [Ci, KH, KW, Co] transposes to HWIO. Exact up to summation order.
 *
 * Input gradient: dx[n, i, j, ci] = Σ dy[n, oh, ow, co] · w[kh, kw, ci, co] over oh·s + kh·d − top = i (same for j).
 *   With dy zero-stuffed (s − 1 zeros between rows and columns) this is a stride-1 convolution with the filter
 *   rotated by 180° and its in/out channels swapped, dilation d. Exact. For equal strides > 1 without dilation,
 *   conv-input-grad-phases.ts does the same without the s² wasted products.
 *
 * Only channels-last (NHWC) data is supported: the wasm backend has no NCHW convolution, and tfjs-layers
 * transposes channels-first inputs before it convolves.
 */
import type { Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';
import { invariant } from '../../diagnostics/diagnostic';
import { inputGradByPhases } from './conv-input-grad-phases';
import { KernelScope, Paddings, padOrCrop } from './kernel-scope';

type Shape4 = [number, number, number, number];

/** tfjs' backprop kernels have no dilation attribute; we accept one so dilated convolutions can be trained. */
interface DilationAttr {
  dilations?: number | [number, number];
}

function checkChannelsLast(dataFormat: string | undefined, kernelName: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernelName}: only NHWC data is supported on this backend, got dataFormat '${dataFormat}'`);
  }
}

/** Splits signed paddings into what the convolution pads itself (≥ 0) and what must be cropped first (< 0). */
function splitPaddings(paddings: Paddings): { crop: Paddings; convPad: Paddings } {
  return {
    crop: paddings.map(([b, a]) => [Math.min(0, b), Math.min(0, a)]),
    convPad: paddings.map(([b, a]) => [Math.max(0, b), Math.max(0, a)]),
  };
}

function convAttrs(convPad: Paddings, strides: [number, number], dilations: [number, number]) {
  return { strides, dilations, pad: convPad, dataFormat: 'NHWC' };
}

export function conv2dBackpropFilterAsConv(
  scope: KernelScope,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs & DilationAttr,
): TensorInfo {
  checkChannelsLast(attrs.dataFormat, 'Conv2DBackpropFilter');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, attrs.filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad,
    attrs.dimRoundingMode, false, 'channelsLast');
  const { outHeight, outWidth, filterHeight, filterWidth } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  invariant(
    dy.shape.every((v, i) => v === info.outShape[i]),
    `Conv2DBackpropFilter: dy shape ${dy.shape} differs from the convolution output ${info.outShape}`);
  let { inHeight, inWidth, strideHeight: sh, strideWidth: sw, padInfo } = info;

  // A strided 1×1 convolution (projection shortcut) reads only every s-th pixel: take those first, so that the
  // convolution below neither wastes work on the others nor needs a crop of x (a slow copy on wasm).
  const oneByOne = filterHeight === 1 && filterWidth === 1;
  if (oneByOne && (sh > 1 || sw > 1) && padInfo.top === 0 && padInfo.left === 0 &&
    (outHeight - 1) * sh < inHeight && (outWidth - 1) * sw < inWidth) {
    // A 1×1 average pool with the stride subsamples exactly (x·1), 100× faster than StridedSlice on wasm.
    x = scope.run('AvgPool', { x }, { filterSize: 1, strides: [sh, sw], pad: 'valid' });
    [inHeight, inWidth, sh, sw] = [outHeight, outWidth, 1, 1];
    padInfo = { ...padInfo, bottom: 0, right: 0 };
  }

  // The padded input rows the forward pass actually read: top padding, then up to the last tap of the last row.
  const neededH = (filterHeight - 1) * dh + (outHeight - 1) * sh + 1;
  const neededW = (filterWidth - 1) * dw + (outWidth - 1) * sw + 1;
  const { crop, convPad } = splitPaddings([
    [0, 0],
    [padInfo.top, neededH - padInfo.top - inHeight],
    [padInfo.left, neededW - padInfo.left - inWidth],
    [0, 0],
  ]);
  const xCropped = padOrCrop(scope, x, crop);
  const xT = scope.run('Transpose', { x: xCropped }, { perm: [3, 1, 2, 0] });
  const dyT = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const perCin = scope.run(
    'Conv2D',
    { x: xT, filter: dyT },
    convAttrs([[0, 0], convPad[1], convPad[2], [0, 0]], [dh, dw], [sh, sw]),
  );
  return scope.run('Transpose', { x: perCin }, { perm: [1, 2, 0, 3] });
}

export function conv2dBackpropInputAsConv(
  scope: KernelScope,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DBackpropInputAttrs & DilationAttr,
): TensorInfo {
  checkChannelsLast(attrs.dataFormat, 'Conv2DBackpropInput');
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as Shape4, attrs.strides, attrs.dilations ?? 1, attrs.pad,
    attrs.dimRoundingMode, false, 'channelsLast');
  const { batchSize, inHeight, inWidth, outHeight, outWidth, outChannels, padInfo } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: effH, effectiveFilterWidth: effW } = info;
  invariant(
    dy.shape.every((v, i) => v === info.outShape[i]),
    `Conv2DBackpropInput: dy shape ${dy.shape} differs from the convolution output ${info.outShape}`);

  const rotated = scope.run('Reverse', { x: filter }, { dims: [0, 1] });
  const swapped = scope.run('Transpose', { x: rotated }, { perm: [0, 1, 3, 2] });
  if (sh === sw && sh > 1 && dh === 1 && dw === 1) {
    return inputGradByPhases(scope, dy, swapped, {
      batch: batchSize, inHeight, inWidth, inChannels: info.inChannels, outHeight, outWidth, outChannels,
      filterHeight: info.filterHeight, filterWidth: info.filterWidth, stride: sh,
      padTop: padInfo.top, padLeft: padInfo.left,
    });
  }
  let stuffed = dy;
  if (sh > 1 || sw > 1) {
    // Unequal strides or a dilated strided convolution (rare): zero-stuff dy. [N, OH, 1, OW, 1, C] padded after
    // the unit axes, then flattened back to [N, OH·s, OW·s, C].
    const split = scope.run('Reshape', { x: dy }, { shape: [batchSize, outHeight, 1, outWidth, 1, outChannels] });
    const padded = scope.run('PadV2', { x: split }, {
      paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
      constantValue: 0,
    });
    stuffed = scope.run('Reshape', { x: padded }, { shape: [batchSize, outHeight * sh, outWidth * sw, outChannels] });
  }
  // Each dx row i reads stuffed rows i + top − (effH − 1) … i + top: pad effH − 1 − top above, and below as much as
  // makes the padded height inHeight + effH − 1 (negative amounts crop).
  const top = effH - 1 - padInfo.top;
  const left = effW - 1 - padInfo.left;
  const { crop, convPad } = splitPaddings([
    [0, 0],
    [top, inHeight + effH - 1 - top - stuffed.shape[1]],
    [left, inWidth + effW - 1 - left - stuffed.shape[2]],
    [0, 0],
  ]);
  return scope.run('Conv2D', { x: padOrCrop(scope, stuffed, crop), filter: swapped }, convAttrs(convPad, [1, 1], [dh, dw]));
}
