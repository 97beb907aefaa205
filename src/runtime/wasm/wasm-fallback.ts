/**
 * Portable training kernels for tfjs' wasm backend: no compiler, no system library, just XNNPACK.
 *
 * Stock tfjs-backend-wasm 4.22 cannot train a convnet, and trains a slow one:
 * - `Conv2DBackpropFilter` is not registered at all, and `Conv2DBackpropInput` is a scalar loop ~10× slower than
 *   the forward convolution: both become forward convolutions (conv-grads-as-conv.ts, conv-input-grad-phases.ts).
 * - `MaxPoolGrad` is wrong for windows without a positive value (max-pool-grad.ts).
 * - tfjs-core's batch-norm gradient leans on `Tile`, leading-axes `Sum`/`Mean` and per-channel `Multiply`/`Add`/
 *   `Sub`, which the wasm backend runs as per-element loops or transposes first: replaced by block copies
 *   (tile.ts), average pooling (reduce-as-pool.ts) and 1×1 depthwise convolutions (channel-broadcast.ts);
 *   `FusedBatchNorm` likewise (batch-norm.ts). Cases outside the fast paths go to the built-in kernels.
 * - Separately, a training batch-norm op in three passes forward and seven backward (batch-norm-training.ts).
 * Every other kernel a ResNet's training step needs is registered and correct on wasm;
 * test/backends/tfjs/kernels-training.test.ts trains a small residual net on wasm against cpu to keep that true.
 */
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  FusedBatchNormAttrs,
  KernelConfig,
  KernelFunc,
  MaxPoolGradAttrs,
  SumAttrs,
  TensorInfo,
  TileAttrs,
} from '@tensorflow/tfjs';
import { tf } from '../tf';
import { batchNormAsAffine } from './batch-norm';
import { portableBatchNormTrainingKernels } from './portable-batch-norm-training';
import { channelBroadcast } from './channel-broadcast';
import { conv2dBackpropFilterAsConv, conv2dBackpropInputAsConv } from './conv-grads-as-conv';
import { composeKernel, KernelScope, KernelTable, RefCountedBackend } from './kernel-scope';
import type { HeapBackend } from './heap-backend';
import { maxPoolGradOnHeap } from './max-pool-grad';
import { BATCH_NORM_TRAINING, registerBatchNormGradient } from '../ops/batch-norm-training';
import { reduceAsAvgPool } from './reduce-as-pool';
import { tileOnHeap } from './tile';

export const WASM = 'wasm';

/** The wasm kernels as tfjs-backend-wasm registered them, before anything here replaced one. */
let builtins: KernelTable | null = null;

function builtinKernels(): KernelTable {
  if (builtins === null) {
    // Loaded here, not on import: the package registers the wasm backend above cpu, and code that merely imports
    // this module (to ask `batchNormTrainingAvailable`) must not change which backend tfjs starts by default.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-wasm');
    builtins = new Map(tf.getKernelsForBackend(WASM).map((k) => [k.kernelName, k]));
  }
  return builtins;
}

/** The wasm backend's own kernel of that name (undefined where it has none), e.g. to benchmark against. */
export function builtinWasmKernel(kernelName: string): KernelConfig | undefined {
  return builtinKernels().get(kernelName);
}

function composed<A, T extends TensorInfo | TensorInfo[] = TensorInfo>(
  body: (scope: KernelScope, inputs: Record<string, TensorInfo>, attrs: A) => T,
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
  {
    kernelName: tf.MaxPoolGrad,
    backendName: WASM,
    kernelFunc: ({ inputs, backend, attrs }) =>
      maxPoolGradOnHeap(backend as HeapBackend, inputs.dy!, inputs.input!, attrs as unknown as MaxPoolGradAttrs),
  },
  {
    kernelName: tf.Tile,
    backendName: WASM,
    kernelFunc: ({ inputs, backend, attrs }) =>
      tileOnHeap(backend as HeapBackend, inputs.x!, (attrs as unknown as TileAttrs).reps),
  },
  {
    kernelName: tf.FusedBatchNorm,
    backendName: WASM,
    kernelFunc: composed<FusedBatchNormAttrs>((scope, inputs, attrs) => batchNormAsAffine(scope, inputs, attrs)),
  },
  ...(['Multiply', 'Add', 'Sub'] as const).map((kernelName) => ({
    kernelName,
    backendName: WASM,
    kernelFunc: composed<unknown>((scope, { a, b }) => channelBroadcast(scope, kernelName, a, b)),
  })),
  ...(['Sum', 'Mean'] as const).map((kernelName) => ({
    kernelName,
    backendName: WASM,
    kernelFunc: composed<SumAttrs>((scope, { x }, attrs) => reduceAsAvgPool(scope, kernelName, x, attrs)),
  })),
];

const batchNormTrainingKernels: readonly KernelConfig[] = portableBatchNormTrainingKernels((body) => composed(body));

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
    // The backend runs the setup of registered kernels when it starts. A built-in we replace still runs inside
    // ours (for the cases we hand back to it), so its setup — binding its C function — must still happen.
    const replaced = builtinKernels().get(config.kernelName);
    tf.registerKernel({ ...config, setupFunc: replaced?.setupFunc, disposeFunc: replaced?.disposeFunc });
  }
  registered = true;
}

/**
 * Registers the portable kernels of the training batch-norm op (`batchNormTrainingOp` of native-batch-norm.ts)
 * and its gradient, unless kernels of that name exist already (the oneDNN ones). Idempotent. Kept apart from
 * `registerWasmFallbackKernels` so that code working with the native kernels alone sees only those.
 */
export function registerPortableBatchNormTraining(): void {
  for (const config of batchNormTrainingKernels) {
    if (tf.getKernel(config.kernelName, WASM) === undefined) tf.registerKernel(config);
  }
  registerBatchNormGradient();
}

/**
 * True when the training batch-norm op can run on the active backend: wasm (portable or oneDNN kernels) or
 * onednn.
 */
export function batchNormTrainingAvailable(): boolean {
  return tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined;
}
