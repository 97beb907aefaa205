/**
 * Where a backend keeps its float32 tensors, as the oneDNN kernels see it. The same kernel bodies serve two
 * backends:
 *
 * - `wasm`: tensors live in the 32-bit wasm heap (≤ 4 GiB in all, ~2 GiB in practice: ResNet-50 at 224² fails at
 *   batch 16 with "memory access out of bounds"). Outputs are allocated first, views taken after, because an
 *   allocation can grow the heap and detach views taken before it.
 * - `onednn`: tfjs' cpu backend storage — one ordinary Float32Array per tensor, anywhere in the process' memory.
 *   The addon reads and writes those arrays in place.
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs';
import type { WasmHeap } from './addon';

export interface TensorStore {
  /** The tfjs backend name the kernels register under. */
  readonly backendName: string;
  /** False when a tensor's data is not a Float32Array of its size (then the replaced kernel runs instead). */
  readable(backend: unknown, t: TensorInfo): boolean;
  /**
   * Allocates float32 outputs of `outShapes`, hands `body` the inputs' and outputs' data, returns the outputs.
   * `body` must write every element of every output.
   */
  run(backend: unknown, inputs: readonly TensorInfo[], outShapes: readonly number[][],
    body: (inputs: Float32Array[], outputs: Float32Array[]) => void): TensorInfo[];
}

export const wasmStore: TensorStore = {
  backendName: 'wasm',
  readable: (_backend, t) => t.dtype === 'float32',
  run(backend, inputs, outShapes, body) {
    const heap = backend as unknown as WasmHeap;
    const outputs = outShapes.map((shape) => heap.makeOutput(shape, 'float32'));
    body(inputs.map((t) => heap.typedArrayFromHeap(t)), outputs.map((t) => heap.typedArrayFromHeap(t)));
    return outputs;
  },
};

/** tfjs-backend-cpu's MathBackendCPU, as far as the kernels use it. */
interface CpuStorage {
  data: { get(dataId: DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function valuesOf(backend: unknown, t: TensorInfo): unknown {
  return (backend as unknown as CpuStorage).data.get(t.dataId).values;
}

export const ONEDNN = 'onednn';

export const cpuStore: TensorStore = {
  backendName: ONEDNN,
  readable(backend, t) {
    const v = valuesOf(backend, t);
    return t.dtype === 'float32' && v instanceof Float32Array && v.length === size(t.shape);
  },
  run(backend, inputs, outShapes, body) {
    const outputs = outShapes.map((shape) => new Float32Array(size(shape)));
    body(inputs.map((t) => valuesOf(backend, t) as Float32Array), outputs);
    const cpu = backend as unknown as CpuStorage;
    return outputs.map((values, i) => cpu.makeTensorInfo([...outShapes[i]], 'float32', values));
  },
};
