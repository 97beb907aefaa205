/**
 * `Sum` and `Mean` of the `onednn` backend over a contiguous range of axes (global average pooling over H and W,
 * bias and batch-norm gradients over N, H and W), as one oneDNN average pooling over an [outer, reduced, inner]
 * view. tfjs' cpu kernels transpose the reduced axes to the end first (index arithmetic per element), then loop:
 * a global average pool of 64×32×32×16 took ~200 ms that way. oneDNN's own reduction primitive is no better for
 * middle axes (~30 ns an element, its scalar reference loop); its pooling has JIT kernels. Other axis sets, small
 * and non-float32 inputs stay on the cpu kernels.
 */
import type { KernelConfig, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { NativeAddon } from './addon';
import { delegate, PreviousKernel } from './conv';
import { MIN_NATIVE_SIZE } from './eltwise';
import type { TensorStore } from './store';

const product = (dims: readonly number[]): number => tf.util.sizeFromShape(dims as number[]);

function reduceKernel(addon: NativeAddon, store: TensorStore, previous: PreviousKernel, kernelName: 'Sum' | 'Mean'): KernelConfig {
  return {
    kernelName,
    backendName: store.backendName,
    kernelFunc: (args) => {
      const x = args.inputs.x as TensorInfo;
      const { axis, keepDims } = args.attrs as unknown as SumAttrs;
      const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
      const contiguous = axes.length > 0 && axes[axes.length - 1] - axes[0] === axes.length - 1;
      if (!store.readable(args.backend, x) || product(x.shape) < MIN_NATIVE_SIZE || !contiguous) {
        return delegate(previous, kernelName, 'a small, non-float32 or non-contiguous reduction', args);
      }
      const [first, last] = [axes[0], axes[axes.length - 1]];
      const outer = product(x.shape.slice(0, first));
      const reduced = product(x.shape.slice(first, last + 1));
      const inner = product(x.shape.slice(last + 1));
      const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d))
        : x.shape.filter((_, i) => i < first || i > last);
      return store.run(args.backend, [x], [outShape], ([xv], [y]) => {
        addon.meanOverAxis(outer, reduced, inner, xv, y);
        if (kernelName === 'Sum') for (let i = 0; i < y.length; i++) y[i] *= reduced;
      })[0];
    },
  };
}

export function nativeReduceKernels(addon: NativeAddon, store: TensorStore, previous: PreviousKernel): KernelConfig[] {
  return [reduceKernel(addon, store, previous, 'Sum'), reduceKernel(addon, store, previous, 'Mean')];
}
