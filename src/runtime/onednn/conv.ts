/**
 * Convolution kernels on oneDNN: `Conv2D`, `FusedConv2D` (bias and ReLU fused, for inference with batch-norm
 * folded into the weights), `Conv2DBackpropInput` and `Conv2DBackpropFilter`, and the grouped convolution op's
 * three kernels (../ops/grouped-conv2d.ts) on oneDNN's grouped primitives, for whichever backend `store`
 * describes (the wasm heap, or the `onednn` backend's plain arrays). A case oneDNN is not given here (NCHW, int
 * tensors, empty tensors, activations other than ReLU) goes to the kernel this one replaced.
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
import type { NativeAddon } from './addon';
import type { TensorStore } from './store';
import {
  GROUPED_CONV2D,
  GROUPED_CONV2D_BACKPROP_FILTER,
  GROUPED_CONV2D_BACKPROP_INPUT,
  GroupedConv2DAttrs,
} from '../ops/grouped-conv2d';

type Conv2DInfo = backend_util.Conv2DInfo;
type KernelArgs = Parameters<KernelFunc>[0];

/**
 * The integers the addon takes: N, H, W, C, KH, KW, O, OH, OW, strides, dilations, pad top, pad left, and the
 * number of groups when there are several.
 */
export function convGeometry(info: Conv2DInfo, groups = 1): Int32Array {
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.filterHeight, info.filterWidth, info.outChannels, info.outHeight, info.outWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
    ...(groups > 1 ? [groups] : []),
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

/** The grouped op is channels-last only. */
const nhwc = (attrs: GroupedConv2DAttrs): ConvAttrs => ({ ...attrs, dataFormat: 'NHWC' });

/** Why oneDNN is not used for this call, or null when it is. */
function unsupported(info: Conv2DInfo, tensors: TensorInfo[]): string | null {
  if (info.dataFormat !== 'channelsLast') return 'NCHW data';
  if (tensors.some((t) => t.dtype !== 'float32')) return 'a non-float32 tensor';
  if (tensors.some((t) => t.shape.includes(0)) || info.outHeight < 1 || info.outWidth < 1) return 'an empty tensor';
  return null;
}

/** The kernel a native one replaced, for the cases above. */
export type PreviousKernel = (kernelName: string) => KernelConfig | undefined;

export function delegate(previous: PreviousKernel, kernelName: string, why: string, args: KernelArgs): TensorInfo {
  const config = previous(kernelName);
  if (config === undefined) {
    throw new Error(`${kernelName}: ${why} is not supported by the oneDNN kernels and no other kernel is registered`);
  }
  return config.kernelFunc(args) as TensorInfo;
}

function fusedUnsupported(attrs: FusedConv2DAttrs, info: Conv2DInfo, args: KernelArgs): string | null {
  if (attrs.activation !== 'linear' && attrs.activation !== 'relu') return `activation '${attrs.activation}'`;
  if (args.inputs.preluActivationWeights !== undefined) return 'prelu weights';
  const bias = args.inputs.bias;
  if (bias !== undefined && tf.util.sizeFromShape(bias.shape) !== info.outChannels) return 'a broadcast bias';
  return null;
}

/** What one call needs: its geometry, the inputs oneDNN reads, the output shape and the addon call. */
interface Plan {
  info: Conv2DInfo;
  inputs: TensorInfo[];
  outShape: number[];
  /** A reason beyond the common ones to leave this call to the replaced kernel. */
  unsupported?: string | null;
  groups?: number;
  run(geometry: Int32Array, inputs: Float32Array[], out: Float32Array): void;
}

function nativeKernel(store: TensorStore, kernelName: string, previous: PreviousKernel,
  plan: (args: KernelArgs) => Plan): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const p = plan(args);
    const why = unsupported(p.info, p.inputs) ?? p.unsupported ??
      (p.inputs.every((t) => store.readable(args.backend, t)) ? null : 'data not in a Float32Array');
    if (why !== null) return delegate(previous, kernelName, why, args);
    return store.run(args.backend, p.inputs, [p.outShape], (ins, [out]) => p.run(convGeometry(p.info, p.groups), ins, out))[0];
  };
  return { kernelName, backendName: store.backendName, kernelFunc };
}

export function nativeConvKernels(addon: NativeAddon, store: TensorStore, previous: PreviousKernel): KernelConfig[] {
  return [
    nativeKernel(store, tf.Conv2D, previous, (args) => {
      const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
      const info = convInfo(x.shape, filter.shape, args.attrs as unknown as Conv2DAttrs);
      return {
        info, inputs: [x, filter], outShape: info.outShape,
        run: (g, [xv, fv], out) => addon.conv2dForward(g, xv, fv, null, out, false),
      };
    }),
    nativeKernel(store, tf.FusedConv2D, previous, (args) => {
      const { x, filter, bias } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
      const attrs = args.attrs as unknown as FusedConv2DAttrs;
      const info = convInfo(x.shape, filter.shape, attrs);
      return {
        info, inputs: bias === undefined ? [x, filter] : [x, filter, bias], outShape: info.outShape,
        unsupported: fusedUnsupported(attrs, info, args),
        run: (g, [xv, fv, bv], out) => addon.conv2dForward(g, xv, fv, bv ?? null, out, attrs.activation === 'relu'),
      };
    }),
    nativeKernel(store, tf.Conv2DBackpropInput, previous, (args) => {
      const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
      const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
      return {
        info: convInfo(attrs.inputShape, filter.shape, attrs), inputs: [dy, filter], outShape: attrs.inputShape,
        run: (g, [dyv, fv], out) => addon.conv2dBackwardData(g, dyv, fv, out),
      };
    }),
    nativeKernel(store, GROUPED_CONV2D, previous, (args) => {
      const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
      const attrs = args.attrs as unknown as GroupedConv2DAttrs;
      const info = convInfo(x.shape, filter.shape, nhwc(attrs));
      return {
        info, inputs: [x, filter], outShape: info.outShape, groups: attrs.groups,
        run: (g, [xv, fv], out) => addon.conv2dForward(g, xv, fv, null, out, false),
      };
    }),
    nativeKernel(store, GROUPED_CONV2D_BACKPROP_INPUT, previous, (args) => {
      const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
      const attrs = args.attrs as unknown as GroupedConv2DAttrs & { inputShape: number[] };
      return {
        info: convInfo(attrs.inputShape, filter.shape, nhwc(attrs)), inputs: [dy, filter], outShape: attrs.inputShape,
        groups: attrs.groups, run: (g, [dyv, fv], out) => addon.conv2dBackwardData(g, dyv, fv, out),
      };
    }),
    nativeKernel(store, GROUPED_CONV2D_BACKPROP_FILTER, previous, (args) => {
      const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
      const attrs = args.attrs as unknown as GroupedConv2DAttrs & { filterShape: number[] };
      return {
        info: convInfo(x.shape, attrs.filterShape, nhwc(attrs)), inputs: [x, dy], outShape: attrs.filterShape,
        groups: attrs.groups, run: (g, [xv, dyv], out) => addon.conv2dBackwardWeights(g, xv, dyv, out),
      };
    }),
    nativeKernel(store, tf.Conv2DBackpropFilter, previous, (args) => {
      const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
      const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
      return {
        info: convInfo(x.shape, attrs.filterShape, attrs), inputs: [x, dy], outShape: attrs.filterShape,
        run: (g, [xv, dyv], out) => addon.conv2dBackwardWeights(g, xv, dyv, out),
      };
    }),
  ];
}
