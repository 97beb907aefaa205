/**
 * Speed of the oneDNN kernels as training calls them: through the wasm backend's registered kernels, on the wasm
 * heap, at 1 and 2 threads. Convolutions in GFLOP/s on the shapes REFERENCE.md measures; training batch norm
 * (forward + gradients) in ms against tfjs' own composition on the same backend.
 * Run after a build: `node dist/bench/native.js [--json]`.
 */
import type { NamedAttrMap, NamedTensorInfoMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../src/runtime/tf';
import { nativeBatchNormTraining, nativeKernelInfo, tryRegisterNativeKernels } from '../src/runtime/onednn/kernels';
import { registerWasmFallbackKernels } from '../src/runtime/wasm/wasm-fallback';
import type { BenchRow, ConvShape } from './kernels';
import { bestSeconds as bestOf } from './timing';

const bestSeconds = (run: () => void, minSeconds: number) => bestOf(run, minSeconds, 5);

/** REFERENCE.md's oneDNN table: ResNet-20 CIFAR convolutions at batch 64, 3×3, 'same'. */
export const REFERENCE_CONV_SHAPES: readonly ConvShape[] = [
  { batch: 64, size: 32, inChannels: 16, outChannels: 16, kernel: 3, stride: 1 },
  { batch: 64, size: 16, inChannels: 32, outChannels: 32, kernel: 3, stride: 1 },
  { batch: 64, size: 8, inChannels: 64, outChannels: 64, kernel: 3, stride: 1 },
  { batch: 64, size: 32, inChannels: 16, outChannels: 32, kernel: 3, stride: 2 },
];

const OPS = [
  { op: 'forward', kernel: 'Conv2D' },
  { op: 'input-grad', kernel: 'Conv2DBackpropInput' },
  { op: 'filter-grad', kernel: 'Conv2DBackpropFilter' },
] as const;


function convCase(op: string, s: ConvShape): string {
  return `${op} ${s.batch}×${s.size}×${s.size}×${s.inChannels} → ${s.outChannels}, ${s.kernel}×${s.kernel}` +
    (s.stride > 1 ? ` stride ${s.stride}` : '');
}

function convRows(s: ConvShape, threads: number, minSeconds: number): BenchRow[] {
  const backend = tf.backend();
  const attrs = { strides: s.stride, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  const info = tf.backend_util.computeConv2DInfo([s.batch, s.size, s.size, s.inChannels],
    [s.kernel, s.kernel, s.inChannels, s.outChannels], s.stride, 1, 'same');
  const flops = 2 * s.batch * info.outHeight * info.outWidth * s.kernel * s.kernel * s.inChannels * s.outChannels;
  const x = tf.randomNormal([s.batch, s.size, s.size, s.inChannels]);
  const w = tf.randomNormal([s.kernel, s.kernel, s.inChannels, s.outChannels]);
  const dy = tf.randomNormal(info.outShape);
  const args: Record<(typeof OPS)[number]['op'], [NamedTensorInfoMap, NamedAttrMap]> = {
    'forward': [{ x, filter: w }, attrs],
    'input-grad': [{ dy, filter: w }, { ...attrs, inputShape: x.shape }],
    'filter-grad': [{ x, dy }, { ...attrs, filterShape: w.shape }],
  };
  const rows = OPS.map(({ op, kernel }) => {
    const { kernelFunc } = tf.getKernel(kernel, 'wasm');
    const [inputs, kernelAttrs] = args[op];
    const seconds = bestSeconds(() => {
      const out = kernelFunc({ inputs, backend, attrs: kernelAttrs }) as TensorInfo;
      backend.disposeData(out.dataId);
    }, minSeconds);
    return { case: convCase(op, s), backend: 'wasm+onednn', threads, unit: 'GFLOP/s', value: flops / seconds / 1e9 };
  });
  tf.dispose([x, w, dy]);
  return rows;
}

/**
 * One training batch norm, forward and the three gradients, through tf.grads with an upstream gradient as a
 * training step runs it (so no loss reduction is timed).
 */
function batchNormStep(shape: number[], native: boolean): () => void {
  const c = shape[shape.length - 1];
  const x = tf.randomNormal(shape);
  const dy = tf.randomNormal(shape);
  const gamma = tf.ones([c]);
  const beta = tf.zeros([c]);
  const axes = shape.slice(0, -1).map((_, i) => i);
  const forward = (xx: Tensor, g: Tensor, b: Tensor): Tensor => {
    if (native) return nativeBatchNormTraining(xx, g, b, 1e-3).y;
    const { mean, variance } = tf.moments(xx, axes);
    return tf.batchNorm(xx, mean, variance, b, g, 1e-3);
  };
  return () => tf.dispose(tf.grads(forward)([x, gamma, beta], dy));
}

export interface NativeBenchOptions {
  shapes?: readonly ConvShape[];
  threads?: readonly number[];
  /** Least total time per measurement, in seconds. */
  minSeconds?: number;
}

/**
 * Rows for each thread count: the three convolution kernels per shape, then batch norm (oneDNN, and tfjs'
 * composition on plain wasm once). Throws with the reason when the native kernels are unavailable.
 */
export async function benchNativeKernels(opts: NativeBenchOptions = {}): Promise<BenchRow[]> {
  const minSeconds = opts.minSeconds ?? 0.5;
  registerWasmFallbackKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to start');
  const restoreThreads = nativeKernelInfo()?.threads;
  const rows: BenchRow[] = [];
  const bnShape = [64, 32, 32, 16];
  const bnCase = `batch-norm training fwd+bwd ${bnShape.join('×')}`;
  try {
    for (const threads of opts.threads ?? [1, 2]) {
      const registered = tryRegisterNativeKernels({ threads });
      if (!registered.ok) throw new Error(`native kernels unavailable: ${registered.reason}`);
      for (const shape of opts.shapes ?? REFERENCE_CONV_SHAPES) rows.push(...convRows(shape, threads, minSeconds));
      const ms = 1e3 * tf.tidy(() => bestSeconds(batchNormStep(bnShape, true), minSeconds));
      rows.push({ case: bnCase, backend: 'wasm+onednn', threads, unit: 'ms', value: ms });
    }
    const ms = 1e3 * tf.tidy(() => bestSeconds(batchNormStep(bnShape, false), minSeconds));
    rows.push({ case: bnCase, backend: 'wasm', threads: 1, unit: 'ms', value: ms });
  } finally {
    if (restoreThreads !== undefined) tryRegisterNativeKernels({ threads: restoreThreads });
  }
  return rows;
}

async function main(argv: string[]): Promise<void> {
  const rows = await benchNativeKernels();
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  for (const r of rows) {
    process.stdout.write(`${r.case.padEnd(48)} ${r.backend.padEnd(12)} ${String(r.threads).padStart(2)} thr` +
      ` ${r.value.toFixed(2).padStart(8)} ${r.unit}\n`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  });
}
