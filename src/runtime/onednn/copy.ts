/**
 * `Slice` of the `onednn` backend as a oneDNN reorder between strided views, `PadV2` as the addon's one-pass
 * pad (native/src/pad.cc). tfjs' cpu kernels walk a non-contiguous slice or a pad element by element through index
 * arithmetic: the option-A shortcut of a CIFAR ResNet (every other pixel, zero channels added) cost 5.8 s of a
 * 7.8 s ResNet-20 training step that way; these run at memory speed on every thread. A contiguous slice stays on
 * the cpu kernel (a subarray copy), as do small tensors.
 */
import type { KernelConfig, PadV2Attrs, SliceAttrs, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { NativeAddon } from './addon';
import { delegate, PreviousKernel } from './conv';
import { MAX_RANK, MIN_NATIVE_SIZE } from './eltwise';
import type { TensorStore } from './store';

function rowMajorStrides(shape: readonly number[]): Int32Array {
  const strides = new Int32Array(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

const dot = (a: readonly number[], b: Int32Array): number => a.reduce((sum, v, i) => sum + v * b[i], 0);
const size = (shape: readonly number[]): number => tf.util.sizeFromShape(shape as number[]);

function usable(store: TensorStore, backend: unknown, x: TensorInfo, outShape: readonly number[]): boolean {
  return store.readable(backend, x) && x.shape.length >= 1 && x.shape.length <= MAX_RANK &&
    size(outShape) >= MIN_NATIVE_SIZE && !outShape.includes(0);
}

export function nativeCopyKernels(addon: NativeAddon, store: TensorStore, previous: PreviousKernel): KernelConfig[] {
  return [
    {
      kernelName: tf.Slice,
      backendName: store.backendName,
      kernelFunc: (args) => {
        const x = args.inputs.x!;
        const attrs = args.attrs as unknown as SliceAttrs;
        const [begin, sizes] = tf.slice_util.parseSliceParams(x as never, attrs.begin, attrs.size);
        if (tf.slice_util.isSliceContinous(x.shape, begin, sizes)) {
          // The cpu kernel returns a view of x's array: that array must outlive x.
          store.escape(args.backend, x);
          return delegate(previous, tf.Slice, 'a contiguous slice', args);
        }
        if (!usable(store, args.backend, x, sizes)) return delegate(previous, tf.Slice, 'a small slice', args);
        const strides = rowMajorStrides(x.shape);
        return store.run(args.backend, [x], [sizes], ([xv], [y]) =>
          addon.stridedCopy(Int32Array.from(sizes), xv, strides, dot(begin, strides), y, rowMajorStrides(sizes), 0))[0];
      },
    },
    {
      kernelName: tf.PadV2,
      backendName: store.backendName,
      kernelFunc: (args) => {
        const x = args.inputs.x!;
        const { paddings, constantValue } = args.attrs as unknown as PadV2Attrs;
        const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
        if (!usable(store, args.backend, x, outShape) || size(x.shape) === 0) {
          return delegate(previous, tf.PadV2, 'a small pad', args);
        }
        return store.run(args.backend, [x], [outShape], ([xv], [y]) =>
          addon.padConstant(Int32Array.from(x.shape), xv, Int32Array.from(paddings.flat()), constantValue, y))[0];
      },
    },
  ];
}
