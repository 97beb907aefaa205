/**
 * Composing a kernel out of other kernels of the same backend, with exact reference counts.
 *
 * Each call of a kernel function returns a TensorInfo that holds one reference on the backend's data (a reshape
 * holds an extra reference on its input's data). A composed kernel must return exactly one reference to the engine
 * and drop every other one it made, or memory leaks (or, dropping too many, tensors vanish). Calling the kernel
 * functions directly, rather than tfjs ops on tensors wrapped around TensorInfos, keeps the intermediates off the
 * engine (no tape, no tensor tracking) and makes that bookkeeping local: `KernelScope` owns every intermediate and
 * releases all but the result.
 */
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { invariant } from '../../diagnostics/diagnostic';

/** The part of a tfjs backend a composed kernel touches besides calling kernels. */
export interface RefCountedBackend {
  disposeData(dataId: TensorInfo['dataId'], force?: boolean): boolean;
}

export type KernelTable = ReadonlyMap<string, KernelConfig>;

export class KernelScope {
  private readonly owned = new Set<TensorInfo>();

  constructor(
    private readonly backend: RefCountedBackend,
    private readonly kernels: KernelTable,
  ) {}

  /** Runs another kernel; its output is owned by this scope until `release`d. */
  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const config = this.kernels.get(kernelName);
    invariant(config !== undefined, `kernel ${kernelName} is missing from the backend`);
    const out = config.kernelFunc({ inputs, backend: this.backend, attrs });
    invariant(!Array.isArray(out), `kernel ${kernelName} returned several outputs`);
    this.owned.add(out);
    return out;
  }

  /**
   * Hands `t` to the caller with one reference of its own. A TensorInfo the scope did not create (a kernel input
   * passed through unchanged) gets its reference from a same-shape reshape, which only bumps the count.
   */
  release(t: TensorInfo): TensorInfo {
    if (!this.owned.has(t)) t = this.run('Reshape', { x: t }, { shape: t.shape });
    this.owned.delete(t);
    return t;
  }

  dispose(): void {
    for (const t of this.owned) this.backend.disposeData(t.dataId);
    this.owned.clear();
  }
}

/** Runs `body` in a fresh scope and returns its result(s) with one reference each; all else is freed. */
export function composeKernel<T extends TensorInfo | TensorInfo[]>(
  backend: RefCountedBackend,
  kernels: KernelTable,
  body: (scope: KernelScope) => T,
): T {
  const scope = new KernelScope(backend, kernels);
  try {
    const out = body(scope);
    return (Array.isArray(out) ? out.map((t) => scope.release(t)) : scope.release(out)) as T;
  } finally {
    scope.dispose();
  }
}

export type Paddings = Array<[number, number]>;

/**
 * Pads with zeros where an amount is positive and crops where it is negative. Crops first when that leaves
 * something to pad (the cheaper order); when a crop would eat the whole axis, pads first.
 */
export function padOrCrop(scope: KernelScope, x: TensorInfo, paddings: Paddings): TensorInfo {
  const needsCrop = paddings.some(([b, a]) => b < 0 || a < 0);
  const needsPad = paddings.some(([b, a]) => b > 0 || a > 0);
  const crop = (t: TensorInfo): TensorInfo =>
    scope.run('Slice', { x: t }, {
      begin: paddings.map(([b]) => Math.max(0, -b)),
      size: paddings.map(([b, a], i) => t.shape[i] - Math.max(0, -b) - Math.max(0, -a)),
    });
  const pad = (t: TensorInfo): TensorInfo =>
    scope.run('PadV2', { x: t }, {
      paddings: paddings.map(([b, a]) => [Math.max(0, b), Math.max(0, a)]),
      constantValue: 0,
    });
  if (!needsCrop) return needsPad ? pad(x) : x;
  if (!needsPad) return crop(x);
  const cropFirstLeavesData = paddings.every(([b, a], i) => x.shape[i] - Math.max(0, -b) - Math.max(0, -a) > 0);
  return cropFirstLeavesData ? pad(crop(x)) : crop(pad(x));
}
