/**
 * Training-mode batch normalisation on oneDNN, as one op with its own gradient.
 *
 * tfjs composes a training batch norm from `moments` and `batchNorm` and differentiates the composition in
 * tfjs-core: five or six passes over memory forward and more backward (3.7 + 3.8 ms on 64×32×32×16 where
 * PyTorch's whole training batch norm takes 0.62 ms). oneDNN does the forward in one kernel (statistics and
 * output) and all three gradients in another. They are custom kernels, for the wasm heap or the `onednn` backend
 * as `store` says; the op, its names and its gradient are backend-neutral (../ops/batch-norm-training.ts).
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { NativeAddon } from './addon';
import type { TensorStore } from './store';
import {
  BATCH_NORM_RELU_TRAINING, BATCH_NORM_RELU_TRAINING_GRAD, BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD,
} from '../ops/batch-norm-training';
import { markReluApplied } from '../ops/relu-fusion';


interface BatchNormAttrs {
  varianceEpsilon: number;
}

/** Channels-last data as the addon sees it: N×H×W×C, or rows×1×1×C for any other rank. */
function normShape(shape: number[]): Int32Array {
  const c = shape[shape.length - 1];
  if (shape.length === 4) return Int32Array.from(shape);
  return Int32Array.from([tf.util.sizeFromShape(shape) / c, 1, 1, c]);
}

/**
 * The training batch norm's two kernels, and the same with the following ReLU fused (oneDNN's fuse_norm_relu):
 * relu(bn(x)) and a bit mask of where it is positive (a fourth output, the workspace) in one forward call; the
 * backward call masks dy with it. The fused output is marked so that the model's own ReLU after it costs nothing
 * (see eltwise.ts: both backends' Relu kernels and the ReLU gradient read that mark).
 */
export function nativeBatchNormKernels(addon: NativeAddon, store: TensorStore): KernelConfig[] {
  return [false, true].flatMap((fuseRelu) => batchNormKernels(addon, store, fuseRelu));
}

function batchNormKernels(addon: NativeAddon, store: TensorStore, fuseRelu: boolean): KernelConfig[] {
  const epsilonOf = (attrs: unknown): number => (attrs as BatchNormAttrs).varianceEpsilon;
  return [
    {
      kernelName: fuseRelu ? BATCH_NORM_RELU_TRAINING : BATCH_NORM_TRAINING,
      backendName: store.backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, scale, offset } = inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
        const channels = [x.shape[x.shape.length - 1]];
        const shape = normShape(x.shape);
        const workspace = fuseRelu ? [[addon.batchNormReluWorkspaceLength(shape, epsilonOf(attrs))]] : [];
        const outputs = store.run(backend, [x, scale, offset], [x.shape, channels, channels, ...workspace],
          ([xv, sv, ov], [y, mean, variance, ws]) =>
            addon.batchNormForward(shape, epsilonOf(attrs), xv, sv, ov, y, mean, variance, ws));
        if (fuseRelu) markReluApplied(outputs[0].dataId);
        return outputs;
      },
    },
    {
      kernelName: fuseRelu ? BATCH_NORM_RELU_TRAINING_GRAD : BATCH_NORM_TRAINING_GRAD,
      backendName: store.backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, dy, scale, offset, mean, variance, workspace } = inputs as Record<string, TensorInfo>;
        const saved = [x, dy, scale, offset, mean, variance, ...(fuseRelu ? [workspace] : [])];
        return store.run(backend, saved, [x.shape, scale.shape, scale.shape],
          ([xv, dyv, sv, ov, mv, vv, ws], [dx, dscale, doffset]) =>
            addon.batchNormBackward(normShape(x.shape), epsilonOf(attrs), xv, dyv, sv, ov, mv, vv, dx, dscale, doffset, ws));
      },
    },
  ];
}
