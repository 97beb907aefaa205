/**
 * oneDNN kernels working in place on Float32Array memory (views of the tfjs wasm heap included).
 * Every call is synchronous; wrong lengths throw a RangeError before any memory is touched.
 */

/**
 * Convolution geometry, 15 integers: N, H, W, C, KH, KW, O, OH, OW, strideH, strideW, dilationH,
 * dilationW, padTop, padLeft. Activations are NHWC, filters HWIO. Bottom/right padding follow from the
 * output size (OH, OW).
 */
export type ConvGeometry = Int32Array;

/** y = relu?(conv(x, filter) + bias); `bias` may be null. */
export function conv2dForward(
  geometry: ConvGeometry,
  x: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  y: Float32Array,
  relu: boolean,
): void;
/** dx = gradient of the input given dy. */
export function conv2dBackwardData(geometry: ConvGeometry, dy: Float32Array, filter: Float32Array, dx: Float32Array): void;
/** dfilter = gradient of the HWIO filter given the input x and dy. */
export function conv2dBackwardWeights(geometry: ConvGeometry, x: Float32Array, dy: Float32Array, dfilter: Float32Array): void;

/** Shape N, H, W, C of channels-last data (a [rows, C] input is rows, 1, 1, C). */
export type NormShape = Int32Array;

/** Training batch norm: writes y, the batch mean and the biased batch variance. */
export function batchNormForward(
  shape: NormShape,
  epsilon: number,
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  y: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
): void;
/** Gradients of training batch norm, given the statistics its forward pass returned. */
export function batchNormBackward(
  shape: NormShape,
  epsilon: number,
  x: Float32Array,
  dy: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
): void;

/**
 * y = f(x) elementwise; `code` indexes ReLU, square, square root, abs, exp, log, linear (alpha·x + beta),
 * logistic, tanh (native/src/eltwise.cc, kUnary).
 */
export function eltwiseForward(code: number, alpha: number, beta: number, x: Float32Array, y: Float32Array): void;
/** dx = dy where the ReLU output y > 0, else 0. */
export function reluBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
/**
 * y = a ∘ b with `code` indexing add, sub, mul, div, max, min, then max(·, 0) with `relu` (same pass). shapeA and
 * shapeB have the same rank (≤ 12); y has shapeA, and b broadcasts along its axes of size 1.
 */
export function binary(code: number, shapeA: Int32Array, a: Float32Array, shapeB: Int32Array, b: Float32Array,
  y: Float32Array, relu?: boolean): void;

/**
 * Copies the block of `dims` elements from src to dst, each addressed by element strides and an offset (a slice
 * reads a strided block; a pad writes into one). Throws a RangeError when a block reaches outside its array.
 */
export function stridedCopy(dims: Int32Array, src: Float32Array, srcStrides: Int32Array, srcOffset: number,
  dst: Float32Array, dstStrides: Int32Array, dstOffset: number): void;

/** x is dense [outer, reduced, inner]; y = its mean over the middle axis, [outer, inner]. */
export function meanOverAxis(outer: number, reduced: number, inner: number, x: Float32Array, y: Float32Array): void;

/** Pooling geometry, 12 integers: N, H, W, C, KH, KW, OH, OW, strideH, strideW, padTop, padLeft (NHWC). */
export type PoolGeometry = Int32Array;
/** y = the maximum of each window of x. */
export function maxPoolForward(geometry: PoolGeometry, x: Float32Array, y: Float32Array): void;
/** dx = dy routed to each window's maximum of x, 0 elsewhere. */
export function maxPoolBackward(geometry: PoolGeometry, x: Float32Array, dy: Float32Array, dx: Float32Array): void;

/** Matrix-product geometry, 8 integers: B, M, N, K, transposeA, transposeB, hasBias, relu (0 or 1). */
export type MatmulGeometry = Int32Array;
/** c[b] = act(op(a[b]) · op(b[b]) + bias), row-major [B, M, K] (or [B, K, M] transposed) times [B, K, N] (or [B, N, K]). */
export function matmul(geometry: MatmulGeometry, a: Float32Array, b: Float32Array, bias: Float32Array | null, c: Float32Array): void;

/** y = x padded with `value`: paddings holds before and after for each axis (row-major, ≤ 12 axes). */
export function padConstant(xShape: Int32Array, x: Float32Array, paddings: Int32Array, value: number, y: Float32Array): void;

/**
 * One Adam step of one variable, as tfjs' AdamOptimizer composes it: constants = [β1, 1 − β1, β2, 1 − β2,
 * 1 − β1^t, 1 − β2^t, ε, −lr]; writes the new value and moments.
 */
export function adamStep(constants: Float32Array, value: Float32Array, gradient: Float32Array, m: Float32Array,
  v: Float32Array, newValue: Float32Array, newM: Float32Array, newV: Float32Array): void;
/** One momentum-SGD step of one variable, as tfjs' MomentumOptimizer: constants = [μ, −lr, nesterov ? 1 : 0]. */
export function momentumStep(constants: Float32Array, value: Float32Array, gradient: Float32Array,
  accumulation: Float32Array, newValue: Float32Array, newAccumulation: Float32Array): void;

/** Sets the oneDNN (OpenMP) thread count; cached primitives are rebuilt for the new count. */
export function setThreads(threads: number): void;
export function info(): { version: string; threads: number; cachedPrimitives: number };
