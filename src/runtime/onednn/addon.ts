/**
 * Loading the optional `netspec-native` package (native/ in this repository): oneDNN convolution, batch-norm and
 * elementwise kernels compiled at install time when libdnnl-dev and a C++ compiler are present. Its types are
 * restated here because the package may be absent, and TypeScript must not need it.
 */
import type { TensorInfo } from '@tensorflow/tfjs';

/** The addon's functions; see native/index.d.ts for the argument layouts. */
export interface NativeAddon {
  conv2dForward(geometry: Int32Array, x: Float32Array, filter: Float32Array, bias: Float32Array | null,
    y: Float32Array, relu: boolean): void;
  conv2dBackwardData(geometry: Int32Array, dy: Float32Array, filter: Float32Array, dx: Float32Array): void;
  conv2dBackwardWeights(geometry: Int32Array, x: Float32Array, dy: Float32Array, dfilter: Float32Array): void;
  batchNormForward(shape: Int32Array, epsilon: number, x: Float32Array, gamma: Float32Array, beta: Float32Array,
    y: Float32Array, mean: Float32Array, variance: Float32Array, reluWorkspace?: Float32Array): void;
  batchNormBackward(shape: Int32Array, epsilon: number, x: Float32Array, dy: Float32Array, gamma: Float32Array,
    beta: Float32Array, mean: Float32Array, variance: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
    reluWorkspace?: Float32Array): void;
  batchNormReluWorkspaceLength(shape: Int32Array, epsilon: number): number;
  eltwiseForward(code: number, alpha: number, beta: number, x: Float32Array, y: Float32Array): void;
  reluBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  binary(code: number, shapeA: Int32Array, a: Float32Array, shapeB: Int32Array, b: Float32Array, y: Float32Array,
    relu?: boolean): void;
  stridedCopy(dims: Int32Array, src: Float32Array, srcStrides: Int32Array, srcOffset: number, dst: Float32Array,
    dstStrides: Int32Array, dstOffset: number): void;
  meanOverAxis(outer: number, reduced: number, inner: number, x: Float32Array, y: Float32Array): void;
  maxPoolForward(geometry: Int32Array, x: Float32Array, y: Float32Array): void;
  maxPoolBackward(geometry: Int32Array, x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  matmul(geometry: Int32Array, a: Float32Array, b: Float32Array, bias: Float32Array | null, c: Float32Array): void;
  padConstant(xShape: Int32Array, x: Float32Array, paddings: Int32Array, value: number, y: Float32Array): void;
  adamStep(constants: Float32Array, value: Float32Array, gradient: Float32Array, m: Float32Array, v: Float32Array,
    newValue: Float32Array, newM: Float32Array, newV: Float32Array): void;
  momentumStep(constants: Float32Array, value: Float32Array, gradient: Float32Array, accumulation: Float32Array,
    newValue: Float32Array, newAccumulation: Float32Array): void;
  setThreads(threads: number): void;
  info(): { version: string; threads: number; cachedPrimitives: number };
}

/** The wasm backend's heap access (tfjs-backend-wasm's BackendWasm). */
export interface WasmHeap {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

export const NATIVE_PACKAGE = 'netspec-native';

let loaded: { addon: NativeAddon } | { reason: string } | undefined;

/** The environment variables netspec itself set for its OpenMP (not the user's own settings). */
const ourSettings = new Set<string>();

/**
 * process.env without the variables netspec set for its own threads: what another program started from here (a
 * benchmark peer) should inherit, so that our tuning does not change its speed.
 */
export function environmentWithoutOurSettings(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !ourSettings.has(name)));
}

/** The addon, or why it is unavailable (not installed, not built, or a broken oneDNN). Loaded once. */
export function loadNativeAddon(): { addon: NativeAddon } | { reason: string } {
  if (loaded === undefined) {
    // Debian's oneDNN runs on GNU OpenMP, whose idle threads spin 300,000 rounds before sleeping. When another
    // process wants the core, that spinning collapses a 2-thread convolution from ~310 to ~15 GFLOP/s (median,
    // measured here); 10,000 rounds keep ~300 on an idle machine and ~65 on a busy one. libgomp reads this once,
    // when it loads with the addon, so it must be set before the require. A user's own setting wins.
    if (process.env.GOMP_SPINCOUNT === undefined && process.env.OMP_WAIT_POLICY === undefined) {
      process.env.GOMP_SPINCOUNT = '10000';
      ourSettings.add('GOMP_SPINCOUNT');
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = { addon: require(NATIVE_PACKAGE) as NativeAddon };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      loaded = {
        reason: e.code === 'MODULE_NOT_FOUND' && e.message.includes(`'${NATIVE_PACKAGE}'`)
          ? `${NATIVE_PACKAGE} is not installed (it builds at install time when libdnnl-dev is present: ` +
            'apt-get install libdnnl-dev, then npm ci)'
          : e.message.split('\n')[0],
      };
    }
  }
  return loaded;
}
