/**
 * `MaxPool` and `MaxPoolGrad` of the `onednn` backend on oneDNN's pooling primitives (NHWC). tfjs' cpu
 * MaxPoolGrad recomputes every window's argmax with index arithmetic per element: the ResNet stem's one pooling
 * gradient took 10.5 s of a 15.8 s ResNet-50 training step (224², batch 8). Small tensors, NCHW, dilated or
 * non-float32 cases stay on the cpu kernels.
 */
import type { backend_util, KernelConfig, MaxPoolAttrs, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { NativeAddon } from './addon';
import { delegate, PreviousKernel } from './conv';
import { MIN_NATIVE_SIZE } from './eltwise';
import type { TensorStore } from './store';

/** The 12 integers the addon takes: N, H, W, C, KH, KW, OH, OW, strides, pad top, pad left. */
function poolGeometry(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  ]);
}

function poolInfo(xShape: number[], attrs: MaxPoolAttrs): backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], attrs.filterSize,
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

function usable(store: TensorStore, backend: unknown, tensors: TensorInfo[], info: backend_util.Conv2DInfo): boolean {
  return tensors.every((t) => store.readable(backend, t)) && tensors[0].shape.length === 4 &&
    tf.util.sizeFromShape(tensors[0].shape) >= MIN_NATIVE_SIZE && info.outHeight > 0 && info.outWidth > 0 &&
    // Windows that lie wholly in the padding have no maximum; tfjs and oneDNN may disagree there.
    info.padInfo.top < info.filterHeight && info.padInfo.left < info.filterWidth;
}

export function nativePoolKernels(addon: NativeAddon, store: TensorStore, previous: PreviousKernel): KernelConfig[] {
  return [
    {
      kernelName: tf.MaxPool,
      backendName: store.backendName,
      kernelFunc: (args) => {
        const x = args.inputs.x!;
        const info = poolInfo(x.shape, args.attrs as unknown as MaxPoolAttrs);
        if (!usable(store, args.backend, [x], info)) return delegate(previous, tf.MaxPool, 'a small or odd pooling', args);
        return store.run(args.backend, [x], [info.outShape], ([xv], [y]) => addon.maxPoolForward(poolGeometry(info), xv, y))[0];
      },
    },
    {
      kernelName: tf.MaxPoolGrad,
      backendName: store.backendName,
      kernelFunc: (args) => {
        const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
        const info = poolInfo(input.shape, args.attrs as unknown as MaxPoolGradAttrs);
        if (!usable(store, args.backend, [input, dy], info)) {
          return delegate(previous, tf.MaxPoolGrad, 'a small or odd pooling', args);
        }
        return store.run(args.backend, [input, dy], [input.shape], ([xv, dyv], [dx]) =>
          addon.maxPoolBackward(poolGeometry(info), xv, dyv, dx))[0];
      },
    },
  ];
}
