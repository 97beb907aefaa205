/** The wasm backend's direct memory access, as tfjs-backend-wasm's BackendWasm provides it. */
import type { DataType, TensorInfo } from '@tensorflow/tfjs';

export interface HeapBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  /**
   * A view of the tensor's bytes in the wasm heap. Take views only after the last allocation of a kernel:
   * growing the heap detaches the views taken before it.
   */
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}
