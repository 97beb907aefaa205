/**
 * `BatchMatMul` and `_FusedMatMul` of the `onednn` backend on oneDNN's matmul primitive: a dense layer's forward
 * pass (fused with its bias and a ReLU where it has one) and both of its gradients (products with one operand
 * transposed, which oneDNN reads through strides: no transposed copy). tfjs' cpu kernels are one-threaded loops,
 * and its fused kernel calls the cpu product directly, so both are replaced. Broadcast batch axes, other
 * activations, PReLU and products under `MIN_NATIVE_SIZE` multiply-adds stay on the cpu kernels.
 */
import type { BatchMatMulAttrs, KernelConfig, TensorInfo, _FusedMatMulAttrs } from '@tensorflow/tfjs';
import { tf } from '../tf';
import type { NativeAddon } from './addon';
import { delegate, PreviousKernel } from './conv';
import { MIN_NATIVE_SIZE } from './eltwise';
import type { TensorStore } from './store';

interface Plan {
  geometry: Int32Array;
  outShape: number[];
}

/** The product's geometry, or null where the batch axes differ (tfjs would broadcast them) or it is small. */
function plan(a: TensorInfo, b: TensorInfo, attrs: BatchMatMulAttrs, bias: boolean, relu: boolean): Plan | null {
  if (a.shape.length < 2 || a.shape.length !== b.shape.length) return null;
  const batchDims = a.shape.slice(0, -2);
  if (batchDims.some((d, i) => d !== b.shape[i])) return null;
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = attrs.transposeA ? [ac, ar] : [ar, ac];
  const [k2, n] = attrs.transposeB ? [bc, br] : [br, bc];
  if (k !== k2) return null;
  const batch = tf.util.sizeFromShape(batchDims);
  if (batch * m * n * k < MIN_NATIVE_SIZE || m * n * k === 0) return null;
  const flags = [attrs.transposeA, attrs.transposeB, bias, relu].map((f) => (f ? 1 : 0));
  return { geometry: Int32Array.from([batch, m, n, k, ...flags]), outShape: [...batchDims, m, n] };
}

export function nativeMatmulKernels(addon: NativeAddon, store: TensorStore, previous: PreviousKernel): KernelConfig[] {
  const readable = (backend: unknown, ts: TensorInfo[]) => ts.every((t) => store.readable(backend, t));
  return [
    {
      kernelName: tf.BatchMatMul,
      backendName: store.backendName,
      kernelFunc: (args) => {
        const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
        const p = readable(args.backend, [a, b]) ? plan(a, b, args.attrs as unknown as BatchMatMulAttrs, false, false) : null;
        if (p === null) return delegate(previous, tf.BatchMatMul, 'a small, broadcast or non-float32 product', args);
        return store.run(args.backend, [a, b], [p.outShape], ([av, bv], [c]) => addon.matmul(p.geometry, av, bv, null, c))[0];
      },
    },
    {
      kernelName: tf._FusedMatMul,
      backendName: store.backendName,
      kernelFunc: (args) => {
        const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
        const attrs = args.attrs as unknown as _FusedMatMulAttrs;
        const activation = attrs.activation ?? 'linear';
        const fusable = (activation === 'linear' || activation === 'relu') && preluActivationWeights === undefined;
        const n = b!.shape[attrs.transposeB ? b!.shape.length - 2 : b!.shape.length - 1];
        const biasFits = bias === undefined || tf.util.sizeFromShape(bias.shape) === n;
        const inputs = bias === undefined ? [a!, b!] : [a!, b!, bias];
        const p = fusable && biasFits && readable(args.backend, inputs)
          ? plan(a!, b!, attrs, bias !== undefined, activation === 'relu') : null;
        if (p === null) return delegate(previous, tf._FusedMatMul, 'a small, broadcast or non-linear fused product', args);
        return store.run(args.backend, inputs, [p.outShape], ([av, bv, biasv], [c]) =>
          addon.matmul(p.geometry, av, bv, biasv ?? null, c))[0];
      },
    },
  ];
}
