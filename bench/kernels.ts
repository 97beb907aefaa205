/**
 * Micro-benchmark of the three convolution kernels a training step runs — forward, input gradient, filter
 * gradient — on the wasm backend (its built-in kernels and our forward-convolution fallbacks) and on the cpu
 * backend, in GFLOP/s. Run after a build: `node dist/bench/kernels.js [--json] [--cpu]`.
 */
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../src/runtime/tf';
import { builtinWasmKernel, registerWasmFallbackKernels, wasmFallbackKernels } from '../src/runtime/wasm/wasm-fallback';

import { bestSeconds } from './timing';
import { BenchRow } from './types';

export { BenchRow };

export interface ConvShape {
  batch: number;
  size: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
}

/** The shape REFERENCE.md measures: a ResNet-20 first-stage convolution at batch 64. */
export const RESNET20_STAGE1: ConvShape = { batch: 64, size: 32, inChannels: 16, outChannels: 16, kernel: 3, stride: 1 };

type Op = 'forward' | 'input-grad' | 'filter-grad';

const KERNEL_OF: Record<Op, string> = {
  'forward': 'Conv2D',
  'input-grad': 'Conv2DBackpropInput',
  'filter-grad': 'Conv2DBackpropFilter',
};


function describeShape(s: ConvShape): string {
  return `${s.batch}×${s.size}×${s.size}×${s.inChannels} → ${s.outChannels}, ${s.kernel}×${s.kernel}` +
    (s.stride > 1 ? ` stride ${s.stride}` : '');
}

/** Multiply-adds × 2 of one convolution (the same count for each of its gradients). */
function flops(s: ConvShape): number {
  const out = Math.ceil(s.size / s.stride);
  return 2 * s.batch * out * out * s.kernel * s.kernel * s.inChannels * s.outChannels;
}

async function measure(backendName: string, config: KernelConfig, op: Op, s: ConvShape,
  minSeconds: number): Promise<number> {
  await tf.setBackend(backendName);
  const backend = tf.backend();
  // A kernel that was unregistered before the backend started never had its setup run (the wasm built-ins we
  // replace bind their C functions there).
  config.setupFunc?.(backend);
  const out = Math.ceil(s.size / s.stride);
  const x = tf.randomNormal([s.batch, s.size, s.size, s.inChannels]);
  const w = tf.randomNormal([s.kernel, s.kernel, s.inChannels, s.outChannels]);
  const dy = tf.randomNormal([s.batch, out, out, s.outChannels]);
  const common = { strides: s.stride, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  const args: Record<Op, [NamedTensorInfoMap, NamedAttrMap]> = {
    'forward': [{ x, filter: w }, common],
    'input-grad': [{ dy, filter: w }, { ...common, inputShape: x.shape }],
    'filter-grad': [{ x, dy }, { ...common, filterShape: w.shape }],
  };
  const [inputs, attrs] = args[op];
  const seconds = bestSeconds(() => {
    const result = config.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
    backend.disposeData(result.dataId);
  }, minSeconds);
  tf.dispose([x, w, dy]);
  return flops(s) / seconds / 1e9;
}

export interface KernelBenchOptions {
  shape?: ConvShape;
  /** The cpu backend is ~1000× slower: off by default, and run at batch 4. */
  cpu?: boolean;
  minSeconds?: number;
}

export async function benchConvKernels(opts: KernelBenchOptions = {}): Promise<BenchRow[]> {
  const shape = opts.shape ?? RESNET20_STAGE1;
  const minSeconds = opts.minSeconds ?? 1;
  registerWasmFallbackKernels();
  const fallback = new Map(wasmFallbackKernels.map((k) => [k.kernelName, k]));
  const rows: BenchRow[] = [];
  const add = (op: Op, s: ConvShape, backend: string, value: number) =>
    rows.push({ case: `${op} ${describeShape(s)}`, backend, threads: 1, unit: 'GFLOP/s', value });

  for (const op of ['forward', 'input-grad', 'filter-grad'] as Op[]) {
    const builtin = builtinWasmKernel(KERNEL_OF[op]);
    if (builtin) add(op, shape, 'wasm built-in', await measure('wasm', builtin, op, shape, minSeconds));
    const ours = fallback.get(KERNEL_OF[op]);
    if (ours) add(op, shape, 'wasm fallback', await measure('wasm', ours, op, shape, minSeconds));
    if (opts.cpu) {
      const small = { ...shape, batch: 4 };
      add(op, small, 'cpu', await measure('cpu', tf.getKernel(KERNEL_OF[op], 'cpu'), op, small, minSeconds));
    }
  }
  return rows;
}

async function main(argv: string[]): Promise<void> {
  const shapes: ConvShape[] = [
    RESNET20_STAGE1,
    { batch: 64, size: 32, inChannels: 16, outChannels: 32, kernel: 3, stride: 2 },
    { batch: 64, size: 32, inChannels: 16, outChannels: 32, kernel: 1, stride: 2 },
    { batch: 64, size: 8, inChannels: 64, outChannels: 64, kernel: 3, stride: 1 },
  ];
  const rows: BenchRow[] = [];
  for (const [i, shape] of shapes.entries()) {
    rows.push(...await benchConvKernels({ shape, cpu: argv.includes('--cpu') && i === 0 }));
  }
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  for (const r of rows) {
    process.stdout.write(`${r.case.padEnd(52)} ${r.backend.padEnd(14)} ${r.value.toFixed(2).padStart(7)} ${r.unit}\n`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  });
}
