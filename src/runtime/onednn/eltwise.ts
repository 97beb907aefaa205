/**
 * Elementwise kernels of the `onednn` backend on oneDNN's eltwise and binary primitives: ReLU and its gradient,
 * the residual add and the gradient accumulation (`Add`), and the optimizer's arithmetic (`Multiply`, `Sub`,
 * `RealDiv`, `Square`, `Sqrt`, …) with broadcasting. tfjs' cpu kernels are one-threaded JavaScript loops: these
 * were 15 % of a ResNet-20 step at 2 threads on wasm's single thread. Tensors under `MIN_NATIVE_SIZE` elements stay
 * on the cpu kernels: below that, crossing into C and finding the cached primitive costs more than the loop.
 *
 * ReLU's gradient is re-registered to read the ReLU's output instead of its input (dx = dy · [y > 0], the same
 * values: y > 0 exactly where x > 0). On the `onednn` backend it is one oneDNN call; elsewhere it is tfjs' own
 * formula on y. Keeping y rather than x lets the batch norm's output be freed after the forward pass.
 */
import type { DataId, GradConfig, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { NativeAddon } from './addon';
import { delegate, PreviousKernel } from './conv';
import {
  ADD_RELU, isReluApplied, markReluApplied, registerAddReluGradient, RELU_GRAD, reluGradFromOutput,
} from '../ops/relu-fusion';
import type { TensorStore } from './store';

type KernelArgs = Parameters<KernelFunc>[0];

/**
 * Below this many elements the cpu backend's loop is faster than a call into oneDNN. Measured in the ResNet-20
 * step (L2's gradients, the optimizer's updates on 3×3×32×32 kernels): tfjs' cpu Add/Multiply take ~30 ns per
 * element there, broadcasting ones ~130, against a few microseconds per oneDNN call; 16 k left 11 % of the step
 * (328 → 360 img/s at 1 thread when lowered to 2 k). The strided copies, matmuls and reductions of this backend
 * (copy.ts, matmul.ts, reduce.ts) go native from the same size.
 */
export const MIN_NATIVE_SIZE = 2048;

/** oneDNN algorithms as the addon numbers them (native/src/eltwise.cc, kUnary and kBinary). */
const UNARY = { Relu: 0, Square: 1, Sqrt: 2, Abs: 3 } as const;
const BINARY = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5 } as const;
const COMMUTATIVE = new Set<string>(['Add', 'Multiply', 'Maximum', 'Minimum']);
/** oneDNN's limit on dimensions. */
export const MAX_RANK = 12;

const size = (shape: readonly number[]): number => tf.util.sizeFromShape(shape as number[]);
const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** The tensor's data as a new tensor, counted once more (as tfjs' Identity kernel does it): no copy. */
function share(backend: unknown, t: TensorInfo): TensorInfo {
  (backend as { incRef(dataId: DataId): void }).incRef(t.dataId);
  return { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
}

function readable(store: TensorStore, args: KernelArgs, tensors: TensorInfo[]): boolean {
  return tensors.every((t) => store.readable(args.backend, t));
}

function unaryKernel(addon: NativeAddon, store: TensorStore, previous: PreviousKernel,
  kernelName: keyof typeof UNARY): KernelConfig {
  return {
    kernelName,
    backendName: store.backendName,
    kernelFunc: (args) => {
      const x = args.inputs.x!;
      if (kernelName === 'Relu' && isReluApplied(x.dataId)) return share(args.backend, x);
      if (!readable(store, args, [x]) || size(x.shape) < MIN_NATIVE_SIZE) return delegate(previous, kernelName, 'a small or non-float32 tensor', args);
      return store.run(args.backend, [x], [x.shape], ([xv], [y]) => addon.eltwiseForward(UNARY[kernelName], 0, 0, xv, y))[0];
    },
  };
}

/**
 * The operands as oneDNN 2.6 takes them: the first of the output's shape, the second broadcasting, both of the
 * same rank; collapsed to one axis where the second is a scalar or of the full shape (fewer cached primitives).
 * Null when the first operand would have to broadcast (allowed only by swapping a commutative op) or the rank
 * is beyond oneDNN's.
 */
function binaryOperands(kernelName: string, a: TensorInfo, b: TensorInfo):
  { first: TensorInfo; second: TensorInfo; firstDims: number[]; secondDims: number[] } | null {
  const out = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  let [first, second] = [a, b];
  if (!sameShape(a.shape, out)) {
    if (!COMMUTATIVE.has(kernelName) || !sameShape(b.shape, out)) return null;
    [first, second] = [b, a];
  }
  const n = size(out);
  const m = size(second.shape);
  if (m === n) return { first, second, firstDims: [n], secondDims: [n] };
  if (m === 1) return { first, second, firstDims: [n], secondDims: [1] };
  if (out.length > MAX_RANK) return null;
  const secondDims = [...Array<number>(out.length - second.shape.length).fill(1), ...second.shape];
  return { first, second, firstDims: out, secondDims };
}

function binaryKernel(addon: NativeAddon, store: TensorStore, previous: PreviousKernel,
  kernelName: keyof typeof BINARY): KernelConfig {
  return {
    kernelName,
    backendName: store.backendName,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const plan = readable(store, args, [a, b]) ? binaryOperands(kernelName, a, b) : null;
      if (plan === null || size(plan.firstDims) < MIN_NATIVE_SIZE) {
        return delegate(previous, kernelName, 'a small, non-float32 or leading-broadcast operand', args);
      }
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      return store.run(args.backend, [plan.first, plan.second], [outShape], ([fv, sv], [y]) =>
        addon.binary(BINARY[kernelName], Int32Array.from(plan.firstDims), fv, Int32Array.from(plan.secondDims), sv, y))[0];
    },
  };
}

/**
 * relu(a + b) for a and b of one shape (the end of a residual block), one pass; its output is marked so that the
 * model's ReLU after it shares it (../ops/relu-fusion.ts).
 */
function addReluKernel(addon: NativeAddon, store: TensorStore): KernelConfig {
  return {
    kernelName: ADD_RELU,
    backendName: store.backendName,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const [y] = store.run(args.backend, [a, b], [a.shape], ([av, bv], [yv]) => {
        if (av.length >= MIN_NATIVE_SIZE) {
          addon.binary(BINARY.Add, Int32Array.of(av.length), av, Int32Array.of(av.length), bv, yv, true);
        } else {
          for (let i = 0; i < av.length; i++) yv[i] = Math.max(av[i] + bv[i], 0);
        }
      });
      markReluApplied(y.dataId);
      return y;
    },
  };
}

/** dx = dy · [y > 0], from the ReLU's output y. */
function reluGradKernel(addon: NativeAddon, store: TensorStore): KernelConfig {
  return {
    kernelName: RELU_GRAD,
    backendName: store.backendName,
    kernelFunc: (args) => {
      const { dy, y } = args.inputs as { dy: TensorInfo; y: TensorInfo };
      return store.run(args.backend, [y, dy], [y.shape], ([yv, dyv], [dx]) => {
        if (yv.length >= MIN_NATIVE_SIZE) {
          addon.reluBackward(yv, dyv, dx);
        } else {
          for (let i = 0; i < yv.length; i++) dx[i] = yv[i] > 0 ? dyv[i] : 0;
        }
      })[0];
    },
  };
}

/**
 * The wasm backend's own ReLU, except on the output of a fused batch norm + ReLU, which it shares (wasm + oneDNN
 * registers this over wasm's `Relu`).
 */
export function reluSharingFusedOutputs(backendName: string, previous: PreviousKernel): KernelConfig {
  return {
    kernelName: tf.Relu,
    backendName,
    kernelFunc: (args) => {
      const x = args.inputs.x!;
      return isReluApplied(x.dataId) ? share(args.backend, x) : delegate(previous, tf.Relu, 'a ReLU', args);
    },
  };
}

export function nativeEltwiseKernels(addon: NativeAddon, store: TensorStore, previous: PreviousKernel): KernelConfig[] {
  return [
    ...(Object.keys(UNARY) as (keyof typeof UNARY)[]).map((k) => unaryKernel(addon, store, previous, k)),
    ...(Object.keys(BINARY) as (keyof typeof BINARY)[]).map((k) => binaryKernel(addon, store, previous, k)),
    ...reluFusionKernels(addon, store),
  ];
}

/** The fused residual add + ReLU and the ReLU gradient from the output, for either store. */
export function reluFusionKernels(addon: NativeAddon, store: TensorStore): KernelConfig[] {
  return [addReluKernel(addon, store), reluGradKernel(addon, store)];
}

const reluGradient: GradConfig = {
  kernelName: tf.Relu,
  outputsToSave: [true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [y] = saved;
    const g = dy as Tensor;
    // After a fused batch norm + ReLU the mask is applied in the batch norm's gradient (a reshape shares the data).
    if (isReluApplied(y.dataId)) return { x: () => tf.reshape(g, g.shape) };
    return { x: () => reluGradFromOutput(g, y) };
  },
};

let gradientsRegistered = false;

/** Registers ReLU's gradient from its output and the fused add's, once (tfjs' gradient registry is global). */
export function registerEltwiseGradients(): void {
  if (gradientsRegistered) return;
  tf.registerGradient(reluGradient);
  registerAddReluGradient();
  gradientsRegistered = true;
}
