/**
 * The `onednn` tfjs backend: tfjs-backend-cpu's storage and kernels, with oneDNN doing the heavy ops — in effect
 * tfjs-node without TensorFlow.
 *
 * Why not the wasm backend with oneDNN kernels: every tensor of that path lives in the 32-bit wasm heap, and
 * ResNet-50 at 224² stops at batch 8 ("memory access out of bounds" at 16). The cpu backend keeps each tensor in
 * its own Float32Array, which the addon reads and writes in place, so the only limit is the machine's memory. Its
 * own kernels are plain single-threaded JavaScript: fine for the small tensors of a step (shapes, labels,
 * scalars), replaced here by oneDNN for the big ones: convolutions and their gradients, training batch norm, and
 * (./eltwise.ts) activations, residual adds and the optimizer's elementwise arithmetic, (./copy.ts) strided
 * slices and pads, (./reduce.ts) reductions, (./pool.ts) max pooling and (./matmul.ts) the dense layer's
 * products, multi-threaded.
 *
 * Every cpu kernel is registered under `onednn`; the native ones replace theirs and hand the cases they do not
 * cover (NCHW, int tensors, small tensors where a call into C costs more than the loop) back to it.
 */
import * as os from 'os';
import type { KernelBackend, KernelConfig } from '@tensorflow/tfjs';
import { tf } from '../tf';
import { loadNativeAddon, NativeAddon } from './addon';
import { registerBatchNormGradient } from '../ops/batch-norm-training';
import { registerGroupedConvGradient } from '../ops/grouped-conv2d';
import { nativeBatchNormKernels } from './batch-norm';
import { nativeConvKernels } from './conv';
import { nativeCopyKernels } from './copy';
import { nativeMatmulKernels } from './matmul';
import { nativeOptimizerKernels } from './optimizer';
import { nativePoolKernels } from './pool';
import { nativeReduceKernels } from './reduce';
import { nativeEltwiseKernels, registerEltwiseGradients } from './eltwise';
import type { NativeRegistration } from './kernels';
import { selfCheck } from './kernels';
import { cpuStore, ONEDNN, poolArrays } from './store';

export { ONEDNN };

let registeredWith: NativeAddon | null = null;

function register(addon: NativeAddon): void {
  const cpu = tf.findBackend('cpu');
  if (cpu === null) throw new Error('the tfjs cpu backend is not registered');
  const CpuBackend = cpu.constructor as new () => KernelBackend;
  tf.registerBackend(ONEDNN, () => {
    const backend = new CpuBackend();
    // The cpu backend advertises tfjs-node on its first tensor; the heavy kernels here are native already.
    (backend as unknown as { firstUse: boolean }).firstUse = false;
    poolArrays(backend);
    return backend;
  }, 0);
  const cpuKernels = new Map(tf.getKernelsForBackend('cpu').map((k) => [k.kernelName, k]));
  const previous = (name: string): KernelConfig | undefined => cpuKernels.get(name);
  const native = [
    ...nativeConvKernels(addon, cpuStore, previous),
    ...nativeBatchNormKernels(addon, cpuStore),
    ...nativeEltwiseKernels(addon, cpuStore, previous),
    ...nativeCopyKernels(addon, cpuStore, previous),
    ...nativeReduceKernels(addon, cpuStore, previous),
    ...nativePoolKernels(addon, cpuStore, previous),
    ...nativeMatmulKernels(addon, cpuStore, previous),
    ...nativeOptimizerKernels(addon, cpuStore),
  ];
  const replaced = new Set(native.map((k) => k.kernelName));
  for (const k of cpuKernels.values()) {
    if (!replaced.has(k.kernelName)) tf.registerKernel({ ...k, backendName: ONEDNN });
  }
  for (const k of native) tf.registerKernel(k);
  registerBatchNormGradient();
  registerGroupedConvGradient();
  registerEltwiseGradients();
}

/**
 * Loads the addon and registers the `onednn` backend (once) with `threads` oneDNN threads (default: all cores).
 * Never throws: `{ ok: false, reason }` says why it is unavailable. Does not switch to it: `tf.setBackend(ONEDNN)`.
 */
export function tryRegisterOnednnBackend({ threads }: { threads?: number } = {}): NativeRegistration {
  if (process.env.NETSPEC_NATIVE === '0') return { ok: false, reason: 'disabled by NETSPEC_NATIVE=0' };
  const count = threads ?? os.availableParallelism();
  if (!Number.isInteger(count) || count < 1) return { ok: false, reason: `threads must be a positive integer, got ${count}` };
  const loaded = loadNativeAddon();
  if ('reason' in loaded) return { ok: false, reason: loaded.reason };
  try {
    loaded.addon.setThreads(count);
    const failed = registeredWith === null ? selfCheck(loaded.addon) : null;
    if (failed !== null) return { ok: false, reason: failed };
    if (registeredWith === null) register(loaded.addon);
  } catch (err) {
    return { ok: false, reason: `oneDNN does not run: ${(err as Error).message}` };
  }
  registeredWith = loaded.addon;
  return { ok: true };
}
