/**
 * Convolution kernels for the wasm backend on oneDNN: `Conv2D`, `FusedConv2D` (bias and ReLU fused, for inference
 * with batch-norm folded into the weights), `Conv2DBackpropInput` and `Conv2DBackpropFilter`.
 *
 * They work in place on the wasm heap: allocate the output first, then take the views (an allocation can grow the
 * heap and detach views taken before it). A case oneDNN is not given here (NCHW, int tensors, empty tensors,
 * activations other than ReLU) goes to the kernel this one replaced.
 */
import type {
  backend_util,
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  FusedConv2DAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { NativeAddon, WasmHeap } from './native-addon';

type Conv2DInfo = backend_util.Conv2DInfo;
type KernelArgs = Parameters<KernelFunc>[0];

/** The 15 integers the addon takes: N, H, W, C, KH, KW, O, OH, OW, strides, dilations, pad top, pad left. */
export function convGeometry(info: Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.filterHeight, info.filterWidth, info.outChannels, info.outHeight, info.outWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
  ]);
}

/** What the four kernels' attributes share (the gradients have no dilations: tfjs differentiates dense kernels only). */
type ConvAttrs = Pick<Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'> & Partial<Pick<Conv2DAttrs, 'dilations'>>;

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat));
}

/** Why oneDNN is not used for this call, or null when it is. */
function unsupported(info: Conv2DInfo, tensors: TensorInfo[]): string | null {
  if (info.dataFormat !== 'channelsLast') return 'NCHW data';
  if (tensors.some((t) => t.dtype !== 'float32')) return 'a non-float32 tensor';
  if (tensors.some((t) => t.shape.includes(0)) || info.outHeight < 1 || info.outWidth < 1) return 'an empty tensor';
  return null;
}

/** The kernel a native one replaced, for the cases above. */
export type PreviousKernel = (kernelName: string) => KernelConfig | undefined;

function delegate(previous: PreviousKernel, kernelName: string, why: string, args: KernelArgs): TensorInfo {
  const config = previous(kernelName);
  if (config === undefined) {
    throw new Error(`${kernelName} on wasm: ${why} is not supported by the oneDNN kernels and no other kernel is registered`);
  }
  return config.kernelFunc(args) as TensorInfo;
}

function forward(addon: NativeAddon, heap: WasmHeap, info: Conv2DInfo, x: TensorInfo, filter: TensorInfo,
  bias: TensorInfo | null, relu: boolean): TensorInfo {
  const out = heap.makeOutput(info.outShape, 'float32');
  addon.conv2dForward(convGeometry(info), heap.typedArrayFromHeap(x), heap.typedArrayFromHeap(filter),
    bias === null ? null : heap.typedArrayFromHeap(bias), heap.typedArrayFromHeap(out), relu);
  return out;
}

function fusedUnsupported(attrs: FusedConv2DAttrs, info: Conv2DInfo, args: KernelArgs): string | null {
  if (attrs.activation !== 'linear' && attrs.activation !== 'relu') return `activation '${attrs.activation}'`;
  if (args.inputs.preluActivationWeights !== undefined) return 'prelu weights';
  const bias = args.inputs.bias;
  if (bias !== undefined && tf.util.sizeFromShape(bias.shape) !== info.outChannels) return 'a broadcast bias';
  return null;
}

export function nativeConvKernels(addon: NativeAddon, previous: PreviousKernel): KernelConfig[] {
  const kernel = (kernelName: string, body: (args: KernelArgs, heap: WasmHeap) => TensorInfo): KernelConfig =>
    ({ kernelName, backendName: 'wasm', kernelFunc: (args) => body(args, args.backend as unknown as WasmHeap) });
  return [
    kernel(tf.Conv2D, (args, heap) => {
      const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
      const info = convInfo(x.shape, filter.shape, args.attrs as unknown as Conv2DAttrs);
      const why = unsupported(info, [x, filter]);
      return why !== null ? delegate(previous, tf.Conv2D, why, args) : forward(addon, heap, info, x, filter, null, false);
    }),
    kernel(tf.FusedConv2D, (args, heap) => {
      const { x, filter, bias } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
      const attrs = args.attrs as unknown as FusedConv2DAttrs;
      const info = convInfo(x.shape, filter.shape, attrs);
      const why = unsupported(info, bias === undefined ? [x, filter] : [x, filter, bias]) ?? fusedUnsupported(attrs, info, args);
      if (why !== null) return delegate(previous, tf.FusedConv2D, why, args);
      return forward(addon, heap, info, x, filter, bias ?? null, attrs.activation === 'relu');
    }),
    kernel(tf.Conv2DBackpropInput, (args, heap) => {
      const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
      const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
      const info = convInfo(attrs.inputShape, filter.shape, attrs);
      const why = unsupported(info, [dy, filter]);
      if (why !== null) return delegate(previous, tf.Conv2DBackpropInput, why, args);
      const dx = heap.makeOutput(attrs.inputShape, 'float32');
      addon.conv2dBackwardData(convGeometry(info), heap.typedArrayFromHeap(dy), heap.typedArrayFromHeap(filter),
        heap.typedArrayFromHeap(dx));
      return dx;
    }),
    kernel(tf.Conv2DBackpropFilter, (args, heap) => {
      const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
      const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
      const info = convInfo(x.shape, attrs.filterShape, attrs);
      const why = unsupported(info, [x, dy]);
      if (why !== null) return delegate(previous, tf.Conv2DBackpropFilter, why, args);
      const dfilter = heap.makeOutput(attrs.filterShape, 'float32');
      addon.conv2dBackwardWeights(convGeometry(info), heap.typedArrayFromHeap(x), heap.typedArrayFromHeap(dy),
        heap.typedArrayFromHeap(dfilter));
      return dfilter;
    }),
  ];
}
