/**
 * The wasm backend's copying kernels, made cheap for training:
 *
 * - `Identity` copies the whole buffer on wasm (the cpu backend only adds a reference). tfjs-core clones every
 *   tensor a gradient saves through `Identity`, so a ResNet-20 step made ~670 full copies of its activations
 *   (137 ms of a 1.5 s step). Here it adds a reference to the same data, as the cpu backend does; a clone and its
 *   source share memory, which is safe because no kernel writes into its inputs.
 * - `Cast` to the same dtype (tfjs-layers and tf.moments cast float32 to float32) likewise.
 * - `Slice` of rank > 4 goes through a per-element index computation in plain JavaScript on wasm: the option-A
 *   shortcut's subsampling (a rank-6 slice) took 115 ms per call, 45 % of a step. Here any rank becomes copies of
 *   contiguous runs after merging the axes the slice covers whole.
 *
 * Composed kernels (wasm-fallback.ts) keep calling the built-in `Identity` through their own table: some of them
 * rely on it to get a buffer of a new shape. Register these after `registerWasmFallbackKernels`.
 */
import type { CastAttrs, KernelConfig, SliceAttrs, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { HeapBackend } from './heap-backend';
import { builtinWasmKernel, WASM } from './wasm-fallback';

interface RefBackend extends HeapBackend {
  incRef(dataId: TensorInfo['dataId']): void;
}

/** Another reference to x's data: what the cpu backend's Identity returns. */
function shareData(backend: RefBackend, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * A slice as runs of `run` contiguous elements: axes the slice takes whole are merged into the axis before them,
 * so `shape`/`begin`/`size` describe at most as many axes as the slice really cuts.
 */
export function mergeSliceAxes(shape: readonly number[], begin: readonly number[], size: readonly number[]):
  { shape: number[]; begin: number[]; size: number[] } {
  const out = { shape: [] as number[], begin: [] as number[], size: [] as number[] };
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = out.shape.length - 1;
    const whole = begin[i] === 0 && size[i] === shape[i];
    if (last >= 0 && whole) {
      out.shape[last] *= shape[i];
      out.begin[last] *= shape[i];
      out.size[last] *= shape[i];
    } else {
      out.shape.push(shape[i]);
      out.begin.push(begin[i]);
      out.size.push(size[i]);
    }
  }
  return out;
}

/** Runs shorter than this are copied element by element: a subarray + set per run costs more. */
const SHORT_RUN = 64;

export function sliceOnHeap(backend: HeapBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (size.some((d) => d === 0)) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const m = mergeSliceAxes(x.shape, begin, size);
  const rank = m.shape.length;
  if (rank === 0) {
    dst.set(src.subarray(0, dst.length));
    return out;
  }
  const run = m.size[rank - 1];
  // Element strides of the merged input axes, and the offset of the first run.
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * m.shape[i + 1];
  let at = m.begin.reduce((sum, b, i) => sum + b * strides[i], 0);
  const index = new Array<number>(rank - 1).fill(0);
  for (let written = 0; written < dst.length; written += run) {
    if (run < SHORT_RUN) {
      for (let k = 0; k < run; k++) dst[written + k] = src[at + k];
    } else {
      dst.set(src.subarray(at, at + run), written);
    }
    // Odometer over the outer merged axes.
    for (let axis = rank - 2; axis >= 0; axis--) {
      at += strides[axis];
      if (++index[axis] < m.size[axis]) break;
      index[axis] = 0;
      at -= m.size[axis] * strides[axis];
    }
  }
  return out;
}

function wasmCopyKernels(): KernelConfig[] {
  const builtinCast = builtinWasmKernel(tf.Cast);
  const builtinSlice = builtinWasmKernel(tf.Slice);
  return [
    {
      kernelName: tf.Identity,
      backendName: WASM,
      kernelFunc: ({ inputs, backend }) => shareData(backend as unknown as RefBackend, inputs.x!),
    },
    {
      kernelName: tf.Cast,
      backendName: WASM,
      kernelFunc: (args) => {
        const x = args.inputs.x!;
        if (x.dtype === (args.attrs as unknown as CastAttrs).dtype) return shareData(args.backend as unknown as RefBackend, x);
        return builtinCast!.kernelFunc(args);
      },
    },
    {
      kernelName: tf.Slice,
      backendName: WASM,
      kernelFunc: (args) => {
        const x = args.inputs.x!;
        if (x.dtype === 'string') return builtinSlice!.kernelFunc(args);
        const { begin, size } = args.attrs as unknown as SliceAttrs;
        const [b, s] = tf.slice_util.parseSliceParams(x as never, begin, size);
        return sliceOnHeap(args.backend as unknown as HeapBackend, x, b, s);
      },
    },
  ];
}

let registered = false;

/** Registers the three kernels for the wasm backend (after the portable fallback kernels). Idempotent. */
export function registerWasmCopyKernels(): void {
  if (registered) return;
  for (const config of wasmCopyKernels()) {
    const replaced = builtinWasmKernel(config.kernelName);
    if (tf.getKernel(config.kernelName, WASM) !== undefined) tf.unregisterKernel(config.kernelName, WASM);
    tf.registerKernel({ ...config, setupFunc: replaced?.setupFunc, disposeFunc: replaced?.disposeFunc });
  }
  registered = true;
}
