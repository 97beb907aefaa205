/**
 * The optional oneDNN kernels for tfjs' wasm backend (package `netspec-native`, built from native/ at install time
 * when libdnnl-dev is present). They run ResNet convolutions at PyTorch's speed, which uses the same library:
 * 140–205 GFLOP/s per core on this project's AVX-512 machine, against XNNPACK's ~40 forward and 3–5 for wasm's own
 * input gradient (bench/native.ts measures them).
 *
 * `tryRegisterNativeKernels` replaces the wasm backend's `Conv2D`, `FusedConv2D`, `Conv2DBackpropInput` and
 * `Conv2DBackpropFilter` and adds a training batch norm (`nativeBatchNormTraining`). Call it after
 * `await tf.setBackend('wasm')` and after the portable fallback kernels are registered: the kernels it replaces
 * stay callable for the cases oneDNN is not given, and `unregisterNativeKernels` puts them back.
 * NETSPEC_NATIVE=0 turns the native path off.
 */
import * as os from 'os';
import type { KernelConfig, Tensor } from '@tensorflow/tfjs';
import { tf } from '../tf';
import { loadNativeAddon, NativeAddon } from './addon';
import { batchNormTrainingOp, BatchNormTrainingResult, registerBatchNormGradient } from '../ops/batch-norm-training';
import { registerGroupedConvGradient } from '../ops/grouped-conv2d';
import { nativeBatchNormKernels } from './batch-norm';
import { registerEltwiseGradients, reluFusionKernels, reluSharingFusedOutputs } from './eltwise';
import { nativeConvKernels } from './conv';
import { nativeOptimizerKernels } from './optimizer';
import { wasmStore } from './store';

export type { BatchNormTrainingResult } from '../ops/batch-norm-training';

const WASM = 'wasm';

export interface NativeRegistration {
  ok: boolean;
  /** Why the native kernels are not used, when `ok` is false. */
  reason?: string;
}

interface Active {
  addon: NativeAddon;
  /** What was registered under each replaced name before (undefined: nothing). */
  replaced: Map<string, KernelConfig | undefined>;
}

let active: Active | null = null;

/** A 2×2 input of ones through a 1×1 filter of 2: proves the library loads, runs and writes where we ask. */
export function selfCheck(addon: NativeAddon): string | null {
  const y = new Float32Array(4);
  addon.conv2dForward(Int32Array.from([1, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 0, 0]), new Float32Array(4).fill(1),
    Float32Array.of(2), null, y, false);
  return y.every((v) => v === 2) ? null : `self-check convolution returned [${Array.from(y)}] instead of 2s`;
}

function register(addon: NativeAddon): Active {
  const replaced = new Map<string, KernelConfig | undefined>();
  const previous = (name: string): KernelConfig | undefined => replaced.get(name);
  for (const config of [...nativeConvKernels(addon, wasmStore, previous), ...nativeBatchNormKernels(addon, wasmStore),
    reluSharingFusedOutputs(WASM, previous), ...reluFusionKernels(addon, wasmStore),
    ...nativeOptimizerKernels(addon, wasmStore)]) {
    const existing = tf.getKernel(config.kernelName, WASM);
    replaced.set(config.kernelName, existing);
    // Unregister first: registering over an existing kernel works but logs a warning.
    if (existing !== undefined) tf.unregisterKernel(config.kernelName, WASM);
    tf.registerKernel(config);
  }
  registerBatchNormGradient();
  registerGroupedConvGradient();
  // The ReLU gradient that passes dy through after a fused batch norm + ReLU (and reads the ReLU's output).
  registerEltwiseGradients();
  return { addon, replaced };
}

/**
 * Loads the addon and registers its kernels for the wasm backend, using `threads` oneDNN threads (default: all
 * cores). Never throws: `{ ok: false, reason }` says why the native path is off. Calling it again only changes
 * the thread count.
 */
export function tryRegisterNativeKernels({ threads }: { threads?: number } = {}): NativeRegistration {
  if (process.env.NETSPEC_NATIVE === '0') return { ok: false, reason: 'disabled by NETSPEC_NATIVE=0' };
  const count = threads ?? os.availableParallelism();
  if (!Number.isInteger(count) || count < 1) return { ok: false, reason: `threads must be a positive integer, got ${count}` };
  const loaded = loadNativeAddon();
  if ('reason' in loaded) return { ok: false, reason: loaded.reason };
  // The wasm backend runs its kernels' setup when it initialises: the kernels replaced here must have had theirs.
  if (!tf.findBackend(WASM)) return { ok: false, reason: "the wasm backend is not initialised (await tf.setBackend('wasm') first)" };
  try {
    loaded.addon.setThreads(count);
    const failed = active === null ? selfCheck(loaded.addon) : null;
    if (failed !== null) return { ok: false, reason: failed };
  } catch (err) {
    return { ok: false, reason: `oneDNN does not run: ${(err as Error).message}` };
  }
  active ??= register(loaded.addon);
  return { ok: true };
}

/** Puts back the kernels the native ones replaced (e.g. to compare against, or to force the portable path). */
export function unregisterNativeKernels(): void {
  if (active === null) return;
  for (const [name, config] of active.replaced) {
    tf.unregisterKernel(name, WASM);
    if (config !== undefined) tf.registerKernel(config);
  }
  active = null;
}

/** What runs: oneDNN's version and thread count, or null when the native kernels are not registered. */
export function nativeKernelInfo(): { version: string; threads: number } | null {
  if (active === null) return null;
  const { version, threads } = active.addon.info();
  return { version, threads };
}

/** True when `nativeBatchNormTraining` can run: native kernels registered and the wasm backend active. */
export function nativeBatchNormAvailable(): boolean {
  return active !== null && tf.getBackend() === WASM;
}

/**
 * Training batch norm over every axis but the last, in one oneDNN pass (gradient: one more). Returns the output
 * and the batch statistics (biased variance, as tf.moments) for the moving averages. gamma and beta are [C].
 */
export function nativeBatchNormTraining(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): BatchNormTrainingResult {
  if (!nativeBatchNormAvailable()) {
    throw new Error('nativeBatchNormTraining needs the native kernels registered and the wasm backend active');
  }
  return batchNormTrainingOp(x, gamma, beta, epsilon);
}
