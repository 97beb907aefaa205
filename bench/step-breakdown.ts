/**
 * Where a training step's time goes: every kernel of the active backend is wrapped with a wall-clock timer for the
 * duration of the measurement and its time charged to a category — conv, batch-norm, elementwise, optimizer or
 * other. Kernels that run after the gradients are computed (inside `applyGradients`) are the optimizer's,
 * whatever their name. Kernels that composed kernels call internally are timed as part of their caller, so
 * nothing is counted twice. Time outside kernels (tfjs bookkeeping, JavaScript) is `framework`.
 */
import type { KernelConfig } from '@tensorflow/tfjs';
import { tf } from '../src/runtime/tf';

export const CATEGORIES = ['conv', 'batch-norm', 'elementwise', 'optimizer', 'other', 'framework'] as const;
export type Category = (typeof CATEGORIES)[number];

const CONV = new Set(['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter',
  'DepthwiseConv2dNative', 'FusedDepthwiseConv2D', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']);
const BATCH_NORM = new Set(['NetspecBatchNormTraining', 'NetspecBatchNormTrainingGrad', 'NetspecBatchNormReluTraining',
  'NetspecBatchNormReluTrainingGrad', 'NetspecMovingAverage', 'FusedBatchNorm']);
const ELEMENTWISE = new Set(['Relu', 'Relu6', 'Step', 'Add', 'NetspecAddRelu', 'NetspecReluGrad', 'AddN', 'Sub', 'Multiply', 'RealDiv', 'Neg', 'Square',
  'SquaredDifference', 'Sqrt', 'Rsqrt', 'Exp', 'Log', 'Maximum', 'Minimum', 'Greater', 'GreaterEqual', 'Less',
  'LessEqual', 'Equal', 'Select', 'ClipByValue', 'Abs', 'Sign', 'Reciprocal', 'Sigmoid', 'Tanh', 'Elu', 'EluGrad',
  'Prelu', 'LeakyRelu', 'Pow', 'FloorDiv', 'Cast', 'ZerosLike', 'OnesLike', 'Fill']);

function categoryOf(kernelName: string): Exclude<Category, 'optimizer' | 'framework'> {
  if (CONV.has(kernelName)) return 'conv';
  if (BATCH_NORM.has(kernelName)) return 'batch-norm';
  if (ELEMENTWISE.has(kernelName)) return 'elementwise';
  return 'other';
}

export type Breakdown = Record<Category, number> & { total: number };

/**
 * Runs `step` `repeats` times with every kernel of the active backend timed; returns the mean milliseconds per
 * category and in total. The kernels are put back afterwards, also when `step` throws.
 */
export function profileSteps(step: () => void, repeats = 3): Breakdown {
  const backendName = tf.getBackend();
  const originals = tf.getKernelsForBackend(backendName);
  const sums = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  let inOptimizer = false;
  let depth = 0;
  const timed = (config: KernelConfig): KernelConfig => ({
    ...config,
    kernelFunc: (args) => {
      // A kernel that dispatches through the registry (a delegate) is timed once, at the outside.
      if (depth > 0) return config.kernelFunc(args);
      depth++;
      const start = process.hrtime.bigint();
      try {
        return config.kernelFunc(args);
      } finally {
        sums[inOptimizer ? 'optimizer' : categoryOf(config.kernelName)] += Number(process.hrtime.bigint() - start) / 1e6;
        depth--;
      }
    },
  });
  const optimizerProto = tf.Optimizer.prototype as unknown as { computeGradients: (...a: unknown[]) => unknown };
  const computeGradients = optimizerProto.computeGradients;
  const swap = (configs: readonly KernelConfig[]) => {
    for (const c of configs) {
      tf.unregisterKernel(c.kernelName, backendName);
      tf.registerKernel(c);
    }
  };
  swap(originals.map(timed));
  // minimize = computeGradients, then applyGradients: what runs after the first is the optimizer's update.
  optimizerProto.computeGradients = function (this: unknown, ...a: unknown[]) {
    const out = computeGradients.apply(this, a);
    inOptimizer = true;
    return out;
  };
  let wall = 0;
  try {
    for (let i = 0; i < repeats; i++) {
      inOptimizer = false;
      const start = process.hrtime.bigint();
      step();
      wall += Number(process.hrtime.bigint() - start) / 1e6;
    }
  } finally {
    optimizerProto.computeGradients = computeGradients;
    swap(originals);
  }
  const inKernels = CATEGORIES.reduce((s, c) => s + sums[c], 0);
  sums.framework = Math.max(0, wall - inKernels);
  const mean = Object.fromEntries(CATEGORIES.map((c) => [c, sums[c] / repeats])) as Record<Category, number>;
  return { ...mean, total: wall / repeats };
}
