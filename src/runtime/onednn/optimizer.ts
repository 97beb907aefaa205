/**
 * The optimizer-step kernels (../ops/optimizer-steps.ts) in the addon: one multi-threaded pass per variable
 * instead of tfjs' ten (Adam) or three (momentum) elementwise kernels. For either store: the `onednn` backend's
 * arrays or the wasm heap. An input the store cannot hand over as float32 memory is read out first, and the
 * same arithmetic runs in JavaScript with float32 rounding after each operation.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from './addon';
import type { TensorStore } from './store';
import { ADAM_STEP, adamConstants, AdamStepAttrs, MOMENTUM_STEP, momentumConstants, MomentumStepAttrs } from '../ops/optimizer-steps';

interface Readable {
  readSync(dataId: object): ArrayLike<number>;
}

const f = Math.fround;

/** Runs `native` on the inputs' memory, or `portable` on copies when the store cannot lend one of them. */
function step(store: TensorStore, backend: unknown, inputs: TensorInfo[], outShapes: number[][],
  native: (inputs: Float32Array[], outputs: Float32Array[]) => void,
  portable: (inputs: ArrayLike<number>[], outputs: Float32Array[]) => void): TensorInfo[] {
  if (inputs.every((t) => store.readable(backend, t))) return store.run(backend, inputs, outShapes, native);
  const copies = inputs.map((t) => (backend as Readable).readSync(t.dataId));
  return store.run(backend, [], outShapes, (_, outputs) => portable(copies, outputs));
}

function adamKernel(addon: NativeAddon, store: TensorStore): KernelConfig {
  return {
    kernelName: ADAM_STEP,
    backendName: store.backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { value, gradient, m, v, correction1, correction2 } = inputs as Record<string, TensorInfo>;
      const a = attrs as unknown as AdamStepAttrs;
      const shapes = [value.shape, value.shape, value.shape];
      return step(store, backend, [value, gradient, m, v, correction1, correction2], shapes,
        ([w, g, mv, vv, c1, c2], [w2, m2, v2]) => addon.adamStep(adamConstants(a, c1[0], c2[0]), w, g, mv, vv, w2, m2, v2),
        ([w, g, mv, vv, c1, c2], [w2, m2, v2]) => {
          const [beta1, oneMinusBeta1, beta2, oneMinusBeta2, k1, k2, epsilon, minusRate] = adamConstants(a, c1[0], c2[0]);
          for (let i = 0; i < w2.length; i++) {
            const mi = f(f(mv[i] * beta1) + f(g[i] * oneMinusBeta1));
            const vi = f(f(vv[i] * beta2) + f(f(g[i] * g[i]) * oneMinusBeta2));
            m2[i] = mi;
            v2[i] = vi;
            w2[i] = f(f(f(mi / k1) / f(f(Math.sqrt(f(vi / k2))) + epsilon)) * minusRate) + w[i];
          }
        });
    },
  };
}

function momentumKernel(addon: NativeAddon, store: TensorStore): KernelConfig {
  return {
    kernelName: MOMENTUM_STEP,
    backendName: store.backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { value, gradient, accumulation } = inputs as Record<string, TensorInfo>;
      const constants = momentumConstants(attrs as unknown as MomentumStepAttrs);
      return step(store, backend, [value, gradient, accumulation], [value.shape, value.shape],
        ([w, g, acc], [w2, a2]) => addon.momentumStep(constants, w, g, acc, w2, a2),
        ([w, g, acc], [w2, a2]) => {
          const [mu, minusRate, nesterov] = constants;
          for (let i = 0; i < w2.length; i++) {
            const ai = f(f(mu * acc[i]) + g[i]);
            a2[i] = ai;
            w2[i] = f(f(minusRate * (nesterov ? f(g[i] + f(ai * mu)) : ai)) + w[i]);
          }
        });
    },
  };
}

export function nativeOptimizerKernels(addon: NativeAddon, store: TensorStore): KernelConfig[] {
  return [adamKernel(addon, store), momentumKernel(addon, store)];
}
