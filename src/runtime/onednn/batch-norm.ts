/**
 * Training-mode batch normalisation on oneDNN, as one op with its own gradient.
 *
 * tfjs composes a training batch norm from `moments` and `batchNorm` and differentiates the composition in
 * tfjs-core: five or six passes over memory forward and more backward (3.7 + 3.8 ms on 64×32×32×16 where
 * PyTorch's whole training batch norm takes 0.62 ms). oneDNN does the forward in one kernel (statistics and
 * output) and all three gradients in another. They are custom kernels of the wasm backend with a registered
 * gradient: the op, its names and the gradient are backend-neutral (../ops/batch-norm-training.ts).
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { NativeAddon, WasmHeap } from './addon';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../ops/batch-norm-training';


interface BatchNormAttrs {
  varianceEpsilon: number;
}

/** Channels-last data as the addon sees it: N×H×W×C, or rows×1×1×C for any other rank. */
function normShape(shape: number[]): Int32Array {
  const c = shape[shape.length - 1];
  if (shape.length === 4) return Int32Array.from(shape);
  return Int32Array.from([tf.util.sizeFromShape(shape) / c, 1, 1, c]);
}

export function nativeBatchNormKernels(addon: NativeAddon): KernelConfig[] {
  const heapOf = (backend: unknown): WasmHeap => backend as WasmHeap;
  return [
    {
      kernelName: BATCH_NORM_TRAINING,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, scale, offset } = inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
        const heap = heapOf(backend);
        const channels = [x.shape[x.shape.length - 1]];
        const y = heap.makeOutput(x.shape, 'float32');
        const mean = heap.makeOutput(channels, 'float32');
        const variance = heap.makeOutput(channels, 'float32');
        const view = (t: TensorInfo): Float32Array => heap.typedArrayFromHeap(t);
        addon.batchNormForward(normShape(x.shape), (attrs as unknown as BatchNormAttrs).varianceEpsilon, view(x),
          view(scale), view(offset), view(y), view(mean), view(variance));
        return [y, mean, variance];
      },
    },
    {
      kernelName: BATCH_NORM_TRAINING_GRAD,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, dy, scale, offset, mean, variance } = inputs as Record<string, TensorInfo>;
        const heap = heapOf(backend);
        const dx = heap.makeOutput(x.shape, 'float32');
        const dscale = heap.makeOutput(scale.shape, 'float32');
        const doffset = heap.makeOutput(scale.shape, 'float32');
        const view = (t: TensorInfo): Float32Array => heap.typedArrayFromHeap(t);
        addon.batchNormBackward(normShape(x.shape), (attrs as unknown as BatchNormAttrs).varianceEpsilon, view(x),
          view(dy), view(scale), view(offset), view(mean), view(variance), view(dx), view(dscale), view(doffset));
        return [dx, dscale, doffset];
      },
    },
  ];
}
