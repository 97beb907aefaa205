/**
 * Picks the fastest TensorFlow.js backend this machine can run, in this order:
 *
 *   tfjs-node-gpu → tfjs-node → onednn → wasm (portable training kernels) → cpu
 *
 * tfjs-node needs libtensorflow, downloaded at install time, so it is often absent. `onednn` is tfjs' cpu storage
 * with the optional, compiled oneDNN kernels (./onednn/backend.ts): no wasm-heap ceiling, multi-threaded. The wasm
 * backend always loads (its binaries ship in the npm package) but cannot train without the kernels registered
 * here; `--backend wasm` also takes the oneDNN kernels when they load, within the wasm heap's 2–4 GiB. The cpu
 * backend is plain JavaScript: a last resort.
 */
import * as os from 'os';
import * as path from 'path';
import { DiagnosticError, error } from '../diagnostics/diagnostic';
import { registerWasmCopyKernels } from './wasm/wasm-copies';
import { registerPortableBatchNormTraining, registerWasmFallbackKernels, WASM } from './wasm/wasm-fallback';
import { tf, tfjsNode, tfjsNodeErrors } from './tf';

import { BACKEND_CHOICES, BackendChoice } from './choices';

export { BACKEND_CHOICES, BackendChoice };

export interface BackendOptions {
  /** 'auto' (default) takes the first that works of the order above; the others force one backend. */
  backend?: BackendChoice;
  /** Threads for native kernels; default: all cores. The plain wasm and cpu backends use one. */
  threads?: number;
}

export interface BackendInfo {
  /** 'tfjs-node-gpu', 'tfjs-node', 'onednn', 'wasm+onednn', 'wasm' or 'cpu'. */
  name: string;
  /** The name tfjs knows the backend by ('tensorflow', 'onednn', 'wasm', 'cpu'). */
  tfBackend: string;
  /** One line for the user: what runs, how many threads, and why a faster choice was not taken. */
  description: string;
  threads: number;
}

function unavailable(message: string, hint?: string): DiagnosticError {
  return new DiagnosticError([error('backend/unavailable', message, '', hint === undefined ? {} : { hint })]);
}

function checkThreads(threads: number | undefined): number {
  const cores = os.availableParallelism();
  if (threads === undefined) return cores;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new DiagnosticError([
      error('backend/threads', `threads must be a positive integer, got ${threads}`, '', { hint: `e.g. --threads ${cores}` }),
    ]);
  }
  return threads;
}

async function useTensorflow(threads: number): Promise<BackendInfo> {
  if (tfjsNode === null) {
    const reasons = Object.entries(tfjsNodeErrors).map(([pkg, why]) => `${pkg}: ${why}`).join('; ');
    throw unavailable(
      `backend 'tensorflow' needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu, and neither loads (${reasons})`,
      "use --backend auto (onednn, else wasm with training kernels) or install @tensorflow/tfjs-node where libtensorflow is available",
    );
  }
  if (!(await tf.setBackend('tensorflow'))) throw unavailable(`${tfjsNode} is installed but its backend failed to start`);
  const name = tfjsNode.replace('@tensorflow/', '');
  // libtensorflow sizes its own thread pools (all cores) when it loads; we cannot change them afterwards.
  return { name, tfBackend: 'tensorflow', threads, description: `TensorFlow C library via ${tfjsNode}` };
}

/** Points the wasm backend at the binaries inside its npm package, wherever bundling or cwd put us. */
function locateWasmBinaries(): void {
  if (tf.findBackend(WASM) != null) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wasmModule = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  try {
    wasmModule.setWasmPaths(`${dir}${path.sep}`);
  } catch {
    // Initialisation already started elsewhere with its own paths; nothing to redirect.
  }
}

async function startWasm(): Promise<{ ok: true; simd: boolean } | { ok: false; reason: string }> {
  try {
    registerWasmFallbackKernels();
    registerPortableBatchNormTraining();
    registerWasmCopyKernels();
    locateWasmBinaries();
    if (!(await tf.setBackend(WASM))) return { ok: false, reason: 'the wasm backend failed to initialise' };
    return { ok: true, simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

async function tryNativeKernels(threads: number): Promise<{ ok: boolean; reason?: string }> {
  if (process.env.NETSPEC_NATIVE === '0') return { ok: false, reason: 'disabled by NETSPEC_NATIVE=0' };
  try {
    const native = await import('./onednn/kernels');
    return native.tryRegisterNativeKernels({ threads });
  } catch (err) {
    return { ok: false, reason: (err as Error).message.split('\n')[0] };
  }
}

async function useOnednn(threads: number): Promise<BackendInfo> {
  const native = await import('./onednn/backend');
  const registered = native.tryRegisterOnednnBackend({ threads });
  if (!registered.ok) {
    throw unavailable(`backend 'onednn' needs the native oneDNN addon: ${registered.reason}`,
      'use --backend wasm (portable kernels), or apt-get install libdnnl-dev and run npm ci again');
  }
  if (!(await tf.setBackend(native.ONEDNN))) throw unavailable("the 'onednn' backend failed to start");
  return {
    name: 'onednn', tfBackend: native.ONEDNN, threads,
    description: `oneDNN convolution, batch-norm and elementwise kernels on tfjs cpu tensors (no wasm heap), ${threads} thread(s)`,
  };
}

async function useWasm(threads: number): Promise<BackendInfo> {
  const started = await startWasm();
  if (!started.ok) throw unavailable(`the wasm backend is unavailable: ${started.reason}`, 'use --backend cpu');
  const simd = started.simd ? 'SIMD' : 'no SIMD';
  const native = await tryNativeKernels(threads);
  if (native.ok) {
    return {
      name: 'wasm+onednn', tfBackend: WASM, threads,
      description: `tfjs wasm backend (XNNPACK, ${simd}) with oneDNN convolution and batch-norm kernels, ${threads} thread(s)`,
    };
  }
  return {
    name: 'wasm', tfBackend: WASM, threads: 1,
    description: `tfjs wasm backend (XNNPACK, ${simd}, 1 thread) with portable training kernels; ` +
      `oneDNN kernels not used: ${native.reason ?? 'unavailable'}`,
  };
}

async function useCpu(why?: string): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw unavailable('the cpu backend failed to start');
  // tfjs' cpu backend prints an advert for tfjs-node on first use; the description below already says it is slow.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  const description = 'tfjs cpu backend (plain JavaScript, 1 thread; slow for training)' + (why ? `: ${why}` : '');
  return { name: 'cpu', tfBackend: 'cpu', threads: 1, description };
}

/** Selects and initialises the backend; the result says what was chosen, for printing at start. */
export async function selectBackend(opts: BackendOptions = {}): Promise<BackendInfo> {
  const choice = opts.backend ?? 'auto';
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new DiagnosticError([
      error('backend/unknown', `unknown backend '${choice}'`, '', { hint: `one of: ${BACKEND_CHOICES.join(', ')}` }),
    ]);
  }
  const threads = checkThreads(opts.threads);
  switch (choice) {
    case 'tensorflow':
      return useTensorflow(threads);
    case 'onednn':
      return useOnednn(threads);
    case 'wasm':
      return useWasm(threads);
    case 'cpu':
      return useCpu();
    case 'auto': {
      // Each step down says why the faster choice was not taken.
      const skipped: string[] = [];
      if (tfjsNode !== null) {
        try {
          return await useTensorflow(threads);
        } catch (err) {
          skipped.push((err as Error).message);
        }
      }
      const noted = (info: BackendInfo): BackendInfo =>
        skipped.length === 0 ? info : { ...info, description: `${info.description} (${skipped.join('; ')})` };
      // onednn where the addon loads: no heap ceiling, and at least as fast as wasm + oneDNN everywhere it was
      // measured (docs/speed.md). `--backend wasm` still takes the oneDNN kernels on the wasm heap.
      try {
        return noted(await useOnednn(threads));
      } catch {
        // The wasm description below says why the oneDNN kernels are not used.
      }
      try {
        return noted(await useWasm(threads));
      } catch (err) {
        return useCpu([...skipped, (err as Error).message].join('; '));
      }
    }
  }
}
