/**
 * Portable training kernels for tfjs' wasm backend: no compiler, no system library, just XNNPACK.
 *
 * Stock tfjs-backend-wasm 4.22 cannot train a convnet: `Conv2DBackpropFilter` is not registered at all, and its
 * `Conv2DBackpropInput` is a scalar loop ~10× slower than its forward convolution. Both are replaced here by
 * forward convolutions (see conv-grads-as-conv.ts). Every other kernel a ResNet's training step needs (pooling
 * gradients, batch-norm's composed gradient, softmax cross-entropy, pad/slice/concat) is registered by the wasm
 * backend already; test/backends/tfjs/kernels.test.ts trains a small residual net on wasm to keep that true.
 */
import '@tensorflow/tfjs-backend-wasm';
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import { tf } from '../tf';
import { conv2dBackpropFilterAsConv, conv2dBackpropInputAsConv } from './conv-grads-as-conv';
import { composeKernel, KernelScope, KernelTable, RefCountedBackend } from './kernel-scope';

export const WASM = 'wasm';

/** The wasm kernels as tfjs-backend-wasm registered them, before anything here replaced one. */
let builtins: KernelTable | null = null;

function builtinKernels(): KernelTable {
  builtins ??= new Map(tf.getKernelsForBackend(WASM).map((k) => [k.kernelName, k]));
  return builtins;
}

/** The wasm backend's own kernel of that name (undefined where it has none), e.g. to benchmark against. */
export function builtinWasmKernel(kernelName: string): KernelConfig | undefined {
  return builtinKernels().get(kernelName);
}

function composed<A>(
  body: (scope: KernelScope, inputs: Record<string, TensorInfo>, attrs: A) => TensorInfo,
): KernelFunc {
  return ({ inputs, backend, attrs }) =>
    composeKernel(backend as RefCountedBackend, builtinKernels(), (scope) =>
      body(scope, inputs as Record<string, TensorInfo>, attrs as unknown as A));
}

/** The fallback kernels, exported so benchmarks and tests can call them next to the built-in ones. */
export const wasmFallbackKernels: readonly KernelConfig[] = [
  {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: WASM,
    kernelFunc: composed<Conv2DBackpropFilterAttrs>((scope, { x, dy }, attrs) =>
      conv2dBackpropFilterAsConv(scope, x, dy, attrs)),
  },
  {
    kernelName: tf.Conv2DBackpropInput,
    backendName: WASM,
    kernelFunc: composed<Conv2DBackpropInputAttrs>((scope, { dy, filter }, attrs) =>
      conv2dBackpropInputAsConv(scope, dy, filter, attrs)),
  },
];

let registered = false;

/**
 * Registers the fallback kernels for the wasm backend. Idempotent. Call it before any native kernels are
 * registered: those replace these, and a second call here never puts these back.
 */
export function registerWasmFallbackKernels(): void {
  if (registered) return;
  builtinKernels();
  for (const config of wasmFallbackKernels) {
    // Unregister first: registering over an existing kernel works but logs a warning.
    if (tf.getKernel(config.kernelName, WASM) !== undefined) tf.unregisterKernel(config.kernelName, WASM);
    tf.registerKernel(config);
  }
  registered = true;
}
