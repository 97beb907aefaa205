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
import * as os from 'os';
import type { DataId, TensorInfo } from '@tensorflow/tfjs';
import { memoryExhausted } from '../memory-need';
import { tf } from '../tf';
import type { WasmHeap } from './addon';

export interface TensorStore {
  /** The tfjs backend name the kernels register under. */
  readonly backendName: string;
  /** False when a tensor's data is not a Float32Array of its size (then the replaced kernel runs instead). */
  readable(backend: unknown, t: TensorInfo): boolean;
  /** The tensor's data may be seen after the tensor is disposed (a view of it was made): never reuse it. */
  escape(backend: unknown, t: TensorInfo): void;
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
  // The wasm backend manages its own heap.
  escape: () => undefined,
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

const size = (shape: readonly number[]): number => tf.util.sizeFromShape(shape as number[]);

function valuesOf(backend: unknown, t: TensorInfo): unknown {
  return (backend as unknown as CpuStorage).data.get(t.dataId).values;
}

export const ONEDNN = 'onednn';

/**
 * Output arrays, reused across steps. A freed ArrayBuffer goes back to the allocator only when V8's garbage
 * collector gets to its wrapper, so without reuse every step's activations are new, cache-cold memory and the
 * collector sweeps thousands of buffers: a ResNet-20 step took twice the CPU time of the same kernels on the wasm
 * heap. Arrays the native kernels made return here when their tensor is disposed, unless their contents may be
 * seen after that: one read out by dataSync()/data() (tfjs hands the array itself to the caller) or sliced by the
 * cpu backend's contiguous Slice (a subarray view). They are not zeroed: every native kernel writes all of its
 * outputs (zeroing was a third pass over memory for a residual add). Pooled bytes are capped.
 */
export class ArrayPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly made = new WeakSet<Float32Array>();
  private readonly escaped = new WeakSet<ArrayBufferLike>();
  private pooledBytes = 0;

  constructor(private readonly capBytes: number) {}

  take(length: number): Float32Array {
    const reused = this.free.get(length)?.pop();
    if (reused !== undefined) {
      this.pooledBytes -= reused.byteLength;
      return reused;
    }
    const bytes = allocate(length * 4);
    const array = new Float32Array(bytes.buffer, bytes.byteOffset, length);
    this.made.add(array);
    return array;
  }

  /** The array's contents may be seen after its tensor is disposed: never reuse it. */
  escape(values: unknown): void {
    if (values instanceof Float32Array) this.escaped.add(values.buffer);
  }

  give(values: unknown): void {
    if (!(values instanceof Float32Array) || !this.made.has(values) || this.escaped.has(values.buffer)) return;
    if (this.pooledBytes + values.byteLength > this.capBytes) return;
    const list = this.free.get(values.length) ?? [];
    list.push(values);
    this.free.set(values.length, list);
    this.pooledBytes += values.byteLength;
  }
}

/** An ArrayBuffer of `bytes`, or a clear error naming what was asked and what is held when memory runs out. */
function allocate(bytes: number): Buffer {
  try {
    return Buffer.allocUnsafeSlow(bytes);
  } catch (err) {
    // By name: Buffer's RangeError can come from another realm than this module's (jest, vm contexts).
    if ((err as Error)?.name !== 'RangeError') throw err;
    throw memoryExhausted(bytes, tf.memory().numBytes);
  }
}

/** Room for a few steps' worth of activations, never more than a quarter of the machine's memory. */
export const arrayPool = new ArrayPool(Math.floor(os.totalmem() / 4));

/** tfjs-backend-cpu's MathBackendCPU, as far as the pool hooks into it. */
interface PooledBackend {
  data: { get(dataId: DataId): { values?: unknown; refCount: number } | undefined; has(dataId: DataId): boolean };
  disposeData(dataId: DataId, force?: boolean): boolean;
  readSync(dataId: DataId): unknown;
  read(dataId: DataId): Promise<unknown>;
}

/** Returns disposed tensors' arrays to the pool and marks the arrays handed to callers as escaped. */
export function poolArrays(backend: object): void {
  const b = backend as PooledBackend;
  const { disposeData, readSync, read } = { disposeData: b.disposeData.bind(b), readSync: b.readSync.bind(b), read: b.read.bind(b) };
  // DataStorage.get of an unknown id moves data in from another backend: look only where the id is known.
  const entryOf = (dataId: DataId) => (b.data.has(dataId) ? b.data.get(dataId) : undefined);
  b.disposeData = (dataId, force = false) => {
    const entry = entryOf(dataId);
    const values = entry?.values;
    const freed = disposeData(dataId, force);
    if (freed && entry !== undefined && !b.data.has(dataId)) arrayPool.give(values);
    return freed;
  };
  b.readSync = (dataId) => {
    const values = readSync(dataId);
    arrayPool.escape(entryOf(dataId)?.values);
    return values;
  };
  b.read = (dataId) => {
    arrayPool.escape(entryOf(dataId)?.values);
    return read(dataId);
  };
}

export const cpuStore: TensorStore = {
  backendName: ONEDNN,
  readable(backend, t) {
    const v = valuesOf(backend, t);
    return t.dtype === 'float32' && v instanceof Float32Array && v.length === size(t.shape);
  },
  escape: (backend, t) => arrayPool.escape(valuesOf(backend, t)),
  run(backend, inputs, outShapes, body) {
    const outputs = outShapes.map((shape) => arrayPool.take(size(shape)));
    body(inputs.map((t) => valuesOf(backend, t) as Float32Array), outputs);
    const cpu = backend as unknown as CpuStorage;
    return outputs.map((values, i) => cpu.makeTensorInfo([...outShapes[i]], 'float32', values));
  },
};
