/**
 * ReLUs fused into the op before them, and the residual add + ReLU as one op (`NetspecAddRelu`).
 *
 * A ResNet block ends in relu(residual + shortcut): two passes over memory forward, on the wasm backend's single
 * thread or tfjs' JavaScript. Where a runtime registers the fused kernel (the native backends, one oneDNN binary
 * primitive with a ReLU post-op), the model's add layer returns relu(a + b) and the ReLU layer after it passes
 * that through: its output is marked, and a ReLU of marked data is the data itself. The gradient masks dy once,
 * from the output, for both inputs. Backend-neutral: the names, the mark, the gradient and the op live here; the
 * kernels in ../onednn/eltwise.ts and ../onednn/batch-norm.ts (batch norm + ReLU).
 */
import type { DataId, GradConfig, Tensor } from '@tensorflow/tfjs';
import { tf } from '../tf';

export const ADD_RELU = 'NetspecAddRelu';
/** dx = dy · [y > 0] from the ReLU's output y (the same values as from its input: y > 0 exactly where x > 0). */
export const RELU_GRAD = 'NetspecReluGrad';

/**
 * The data of outputs of a fused op. A ReLU of such data is the data itself, and the ReLU's gradient is dy
 * unchanged: the fused op's gradient applies the ReLU's mask. A runtime's Relu kernels read this.
 */
const reluApplied = new WeakSet<DataId>();

export function markReluApplied(dataId: DataId): void {
  reluApplied.add(dataId);
}

export function isReluApplied(dataId: DataId): boolean {
  return reluApplied.has(dataId);
}

/** dy masked where the ReLU output y is not positive: one native call where the backend has it. */
export function reluGradFromOutput(dy: Tensor, y: Tensor): Tensor {
  return y.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined
    ? tf.engine().runKernel(RELU_GRAD, { dy, y }) as Tensor
    : tf.mul(dy, tf.cast(tf.step(y), 'float32'));
}

const addReluGradient: GradConfig = {
  kernelName: ADD_RELU,
  outputsToSave: [true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const masked = reluGradFromOutput(dy as Tensor, saved[0]);
    // Two tensors (a reshape shares the data): tfjs' backprop disposes each input's gradient on its own.
    return { a: () => masked, b: () => tf.reshape(masked, masked.shape) };
  },
};

let gradientRegistered = false;

/** Registers the fused add's gradient once (tfjs' gradient registry is global and has no unregister). */
export function registerAddReluGradient(): void {
  if (gradientRegistered) return;
  tf.registerGradient(addReluGradient);
  gradientRegistered = true;
}

/** Whether relu(a + b) runs as one op here: the backend has the kernel, and a and b are float32 of one shape. */
export function addReluRuns(a: Tensor, b: Tensor): boolean {
  return a.dtype === 'float32' && b.dtype === 'float32' && tf.util.arraysEqual(a.shape, b.shape) &&
    tf.getKernel(ADD_RELU, tf.getBackend()) !== undefined;
}

/** relu(a + b) in one pass, its output marked (see `addReluRuns` for when it may be called). */
export function addReluOp(a: Tensor, b: Tensor): Tensor {
  return tf.engine().runKernel(ADD_RELU, { a, b }) as Tensor;
}
