/**
 * The grouped 2-D convolution op (`NetspecGroupedConv2D`, ResNeXt's cardinality) with its gradient, as one kernel
 * per direction. tfjs has no grouped convolution: GroupedConv2D otherwise splits its input and filter into
 * `groups` slices, runs one convolution each and concatenates (32 convolutions, 64 slices and a concat per ResNeXt
 * layer, and as many again backwards). oneDNN runs the whole thing as one grouped primitive. Backend-neutral like
 * ./batch-norm-training.ts: the names, the gradient and the op live here; a runtime registers the kernels (the
 * oneDNN ones: ../onednn/conv.ts).
 *
 * Layout: x NHWC with C channels; filter [kh, kw, C / groups, O], its O axis holding group after group (Keras 3's
 * Conv2D(groups=…) layout). Padding 'same' | 'valid' with TensorFlow's rules.
 */
import type { GradConfig, NamedAttrMap, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { tf } from '../tf';

export const GROUPED_CONV2D = 'NetspecGroupedConv2D';
export const GROUPED_CONV2D_BACKPROP_INPUT = 'NetspecGroupedConv2DBackpropInput';
export const GROUPED_CONV2D_BACKPROP_FILTER = 'NetspecGroupedConv2DBackpropFilter';

export interface GroupedConv2DAttrs {
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
  groups: number;
}

const gradient: GradConfig = {
  kernelName: GROUPED_CONV2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, filter] = saved;
    const g = dy as Tensor;
    return {
      x: () => tf.engine().runKernel(GROUPED_CONV2D_BACKPROP_INPUT, { dy: g, filter },
        { ...attrs, inputShape: x.shape } as unknown as NamedAttrMap) as Tensor,
      filter: () => tf.engine().runKernel(GROUPED_CONV2D_BACKPROP_FILTER, { x, dy: g },
        { ...attrs, filterShape: filter.shape } as unknown as NamedAttrMap) as Tensor,
    };
  },
};

let gradientRegistered = false;

/** Registers the gradient once (tfjs' gradient registry is global and has no unregister). */
export function registerGroupedConvGradient(): void {
  if (gradientRegistered) return;
  tf.registerGradient(gradient);
  gradientRegistered = true;
}

/** True when the active backend has the grouped kernels (float32 data only). */
export function groupedConv2dAvailable(): boolean {
  return tf.getKernel(GROUPED_CONV2D, tf.getBackend()) !== undefined;
}

/** The grouped convolution of x with filter; only while `groupedConv2dAvailable()`. */
export function groupedConv2dOp(x: Tensor4D, filter: Tensor4D, attrs: GroupedConv2DAttrs): Tensor4D {
  return tf.engine().runKernel(GROUPED_CONV2D, { x, filter }, attrs as unknown as NamedAttrMap) as Tensor4D;
}
