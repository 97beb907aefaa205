/**
 * The oneDNN kernels against tfjs' cpu backend (plain loops, written independently of oneDNN). Where the addon is
 * not built (no libdnnl-dev at install time) the registration must say so and every kernel stays the portable one.
 */
import type { Scalar, Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs';
import { tf } from '../../../src/runtime/tf';
import { registerWasmFallbackKernels } from '../../../src/runtime/wasm/wasm-fallback';
import { loadNativeAddon, NativeAddon } from '../../../src/runtime/onednn/addon';
import { relativeError, seeded } from './kernels-helpers';
import { addReluOp, addReluRuns } from '../../../src/runtime/ops/relu-fusion';
import {
  nativeBatchNormAvailable,
  nativeBatchNormTraining,
  nativeKernelInfo,
  tryRegisterNativeKernels,
  unregisterNativeKernels,
} from '../../../src/runtime/onednn/kernels';

const loaded = loadNativeAddon();
const addon: NativeAddon | null = 'addon' in loaded ? loaded.addon : null;

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
const explicit = (t: number, b: number, l: number, r: number): Pad => [[0, 0], [t, b], [l, r], [0, 0]];

interface ConvCase {
  shape: [number, number, number, number];
  out: number;
  kernel: number;
  stride: number;
  dilation: number;
  pad: Pad;
}

function convCases(): ConvCase[] {
  const pads: Pad[] = ['same', 'valid', explicit(2, 2, 1, 1), explicit(0, 3, 2, 1)];
  const cases: ConvCase[] = [];
  for (const stride of [1, 2]) {
    for (const kernel of [1, 3, 7]) {
      for (const pad of pads) {
        const odd = cases.length % 2 === 1;
        cases.push({ shape: odd ? [3, 11, 9, 5] : [1, 9, 10, 3], out: odd ? 3 : 5, kernel, stride, dilation: 1, pad });
      }
    }
  }
  for (const pad of pads) cases.push({ shape: [2, 13, 11, 3], out: 5, kernel: 3, stride: 1, dilation: 2, pad });
  cases.push({ shape: [2, 12, 12, 5], out: 3, kernel: 3, stride: 1, dilation: 3, pad: 'valid' });
  cases.push({ shape: [64, 7, 5, 3], out: 5, kernel: 3, stride: 1, dilation: 1, pad: 'same' });
  cases.push({ shape: [64, 8, 8, 5], out: 5, kernel: 3, stride: 2, dilation: 1, pad: 'same' });
  cases.push({ shape: [64, 9, 9, 5], out: 3, kernel: 1, stride: 2, dilation: 1, pad: 'valid' });
  return cases;
}

const name = (c: ConvCase): string => `${c.shape.join('×')} → ${c.out}, ${c.kernel}×${c.kernel} stride ${c.stride}` +
  ` dilation ${c.dilation} pad ${typeof c.pad === 'string' ? c.pad : JSON.stringify(c.pad.slice(1, 3))}`;

/** max |actual − expected| / max |expected|, after checking the lengths agree. */
function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  return relativeError(actual, expected);
}

/** A dilated filter as the dense filter with d − 1 zero rows/columns between taps (the definition of dilation). */
function dilateFilter(w: Tensor4D, d: number): Tensor4D {
  const [k, , i, o] = w.shape;
  const spaced = tf.pad(w.reshape([k, 1, k, 1, i, o]), [[0, 0], [0, d - 1], [0, 0], [0, d - 1], [0, 0], [0, 0]]);
  const eff = (k - 1) * d + 1;
  return spaced.reshape([k * d, k * d, i, o]).slice([0, 0, 0, 0], [eff, eff, i, o]) as Tensor4D;
}

interface ConvResults {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

/** Forward, input gradient and filter gradient of sum(conv(x, w) · r). */
function convResults(c: ConvCase, backend: 'cpu' | 'wasm'): ConvResults {
  return tf.tidy(() => {
    const x = tf.randomUniform(c.shape, -1, 1, 'float32', 1) as Tensor4D;
    const w = tf.randomUniform([c.kernel, c.kernel, c.shape[3], c.out], -1, 1, 'float32', 2) as Tensor4D;
    const dense = backend === 'cpu' && c.dilation > 1;
    const filter = dense ? dilateFilter(w, c.dilation) : w;
    const conv = (xx: Tensor4D, ww: Tensor4D) => tf.conv2d(xx, ww, c.stride, c.pad, 'NHWC', dense ? 1 : c.dilation);
    const y = conv(x, filter);
    const r = tf.randomUniform(y.shape, -1, 1, 'float32', 3);
    if (c.dilation === 1 || dense) {
      const [dx, dwFilter] = tf.grads((xx: Tensor, ww: Tensor) => tf.sum(tf.mul(conv(xx as Tensor4D, ww as Tensor4D), r)))([x, filter]);
      const dw = dense ? tf.stridedSlice(dwFilter, [0, 0, 0, 0], dwFilter.shape, [c.dilation, c.dilation, 1, 1]) : dwFilter;
      return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
    }
    // tfjs' conv2d gradient refuses dilation; the kernels take the attribute, so call them directly.
    const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilation };
    const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: r, filter: w }, { ...attrs, inputShape: c.shape }) as Tensor;
    const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: r }, { ...attrs, filterShape: w.shape }) as Tensor;
    return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

async function on<T>(backend: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await tf.setBackend(backend);
  return f();
}

let beforeWasm: ReturnType<typeof tryRegisterNativeKernels>;
let conv2dBefore: ReturnType<typeof tf.getKernel>;
let registration: ReturnType<typeof tryRegisterNativeKernels>;

beforeAll(async () => {
  registerWasmFallbackKernels();
  beforeWasm = tryRegisterNativeKernels({ threads: 1 });
  expect(await tf.setBackend('wasm')).toBe(true);
  conv2dBefore = tf.getKernel(tf.Conv2D, 'wasm');
  registration = tryRegisterNativeKernels({ threads: 2 });
});

describe('registration', () => {
  test('NETSPEC_NATIVE=0 turns the native kernels off', () => {
    process.env.NETSPEC_NATIVE = '0';
    try {
      expect(tryRegisterNativeKernels({ threads: 1 })).toEqual({ ok: false, reason: 'disabled by NETSPEC_NATIVE=0' });
    } finally {
      delete process.env.NETSPEC_NATIVE;
    }
  });

  test('before the wasm backend exists it refuses: the kernels it replaces have not been set up', () => {
    expect(beforeWasm.ok).toBe(false);
    expect(beforeWasm.reason).toMatch(addon === null ? /netspec-native/ : /wasm backend is not initialised/);
  });

  test(addon === null ? 'without the built addon it reports why and changes nothing'
    : 'with the built addon it registers on the wasm backend', () => {
    const result = registration;
    if (addon === null) {
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(/netspec-native/);
      expect(tf.getKernel(tf.Conv2D, 'wasm')).toBe(conv2dBefore);
      expect(nativeBatchNormAvailable()).toBe(false);
    } else {
      expect(result).toEqual({ ok: true });
      expect(tf.getKernel(tf.Conv2D, 'wasm')).not.toBe(conv2dBefore);
      expect(nativeKernelInfo()).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/), threads: 2 });
      expect(nativeBatchNormAvailable()).toBe(true);
    }
  });
});

// The comparisons below need the addon; without it the registration test above is the whole contract.
function native(title: string, body: (lib: NativeAddon) => void): void {
  if (addon !== null) describe(title, () => body(addon));
}

native('convolutions match the cpu backend', (lib: NativeAddon) => {
  test.each(convCases().map((c) => [name(c), c] as const))('%s', async (_name, c) => {
    const expected = await on('cpu', () => convResults(c, 'cpu'));
    const calls = [jest.spyOn(lib, 'conv2dForward'), jest.spyOn(lib, 'conv2dBackwardData'), jest.spyOn(lib, 'conv2dBackwardWeights')];
    const actual = await on('wasm', () => convResults(c, 'wasm'));
    for (const spy of calls) {
      expect(spy).toHaveBeenCalled();
      spy.mockRestore();
    }
    expect(relErr(actual.y, expected.y)).toBeLessThanOrEqual(1e-4);
    expect(relErr(actual.dx, expected.dx)).toBeLessThanOrEqual(1e-4);
    expect(relErr(actual.dw, expected.dw)).toBeLessThanOrEqual(1e-4);
  });
});

native('fused convolution (bias + activation), the inference path', (lib: NativeAddon) => {
  const run = (activation: 'linear' | 'relu' | 'elu') => () => tf.tidy(() => {
    const x = tf.randomUniform([2, 9, 7, 5], -1, 1, 'float32', 4) as Tensor4D;
    const w = tf.randomUniform([3, 3, 5, 3], -1, 1, 'float32', 5) as Tensor4D;
    const bias = tf.randomUniform([3], -1, 1, 'float32', 6) as Tensor1D;
    const fused = tf.fused.conv2d({ x, filter: w, bias, strides: 2, pad: explicit(1, 0, 2, 1), activation });
    return { y: fused.dataSync() as Float32Array, negatives: fused.less(0).sum().dataSync()[0] };
  });
  // The reference is unfused on cpu: conv2d, add, activation as three ops.
  const reference = (activation: 'linear' | 'relu' | 'elu') => () => tf.tidy(() => {
    const x = tf.randomUniform([2, 9, 7, 5], -1, 1, 'float32', 4) as Tensor4D;
    const w = tf.randomUniform([3, 3, 5, 3], -1, 1, 'float32', 5) as Tensor4D;
    const z = tf.add(tf.conv2d(x, w, 2, explicit(1, 0, 2, 1)), tf.randomUniform([3], -1, 1, 'float32', 6));
    const y = activation === 'relu' ? tf.relu(z) : activation === 'elu' ? tf.elu(z) : z;
    return y.dataSync() as Float32Array;
  });

  test.each(['linear', 'relu'] as const)('%s runs on oneDNN', async (activation) => {
    const spy = jest.spyOn(lib, 'conv2dForward');
    const actual = await on('wasm', run(activation));
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(relErr(actual.y, await on('cpu', reference(activation)))).toBeLessThanOrEqual(1e-4);
    if (activation === 'relu') expect(actual.negatives).toBe(0);
  });

  test('elu goes to the kernel it replaced, still correct', async () => {
    const spy = jest.spyOn(lib, 'conv2dForward');
    const actual = await on('wasm', run('elu'));
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    expect(relErr(actual.y, await on('cpu', reference('elu')))).toBeLessThanOrEqual(1e-4);
  });
});

interface NormResults {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
}

/** Training batch norm and the gradients of sum(y · r); the reference composes the textbook formula from tf ops. */
function normResults(shape: number[], epsilon: number, composed: boolean): NormResults {
  return tf.tidy(() => {
    const c = shape[shape.length - 1];
    const x = tf.randomUniform(shape, -2, 3, 'float32', 7);
    const gamma = tf.randomUniform([c], 0.5, 1.5, 'float32', 8);
    const beta = tf.randomUniform([c], -1, 1, 'float32', 9);
    const r = tf.randomUniform(shape, -1, 1, 'float32', 10);
    const axes = shape.slice(0, -1).map((_, i) => i);
    const forward = (xx: Tensor, g: Tensor, b: Tensor) => {
      if (!composed) return nativeBatchNormTraining(xx, g, b, epsilon);
      const mean = tf.mean(xx, axes);
      const variance = tf.mean(tf.square(tf.sub(xx, mean)), axes);
      return { y: tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, epsilon))), g), b), mean, variance };
    };
    const out = forward(x, gamma, beta);
    const [dx, dgamma, dbeta] = tf.grads((xx: Tensor, g: Tensor, b: Tensor) => tf.sum(tf.mul(forward(xx, g, b).y, r)))([x, gamma, beta]);
    const data = (t: Tensor) => t.dataSync() as Float32Array;
    return { y: data(out.y), mean: data(out.mean), variance: data(out.variance), dx: data(dx), dgamma: data(dgamma), dbeta: data(dbeta) };
  });
}

native('training batch norm matches the composed formula on cpu', (lib: NativeAddon) => {
  test.each([
    [[64, 8, 8, 5], 1e-3], [[1, 7, 5, 3], 1.001e-5], [[3, 9, 11, 16], 1e-5], [[10, 5], 1e-3], [[2, 3, 4, 6, 3], 1e-3],
  ] as const)('%j eps %f', async (shape, epsilon) => {
    const expected = await on('cpu', () => normResults([...shape], epsilon, true));
    const spies = [jest.spyOn(lib, 'batchNormForward'), jest.spyOn(lib, 'batchNormBackward')];
    const actual = await on('wasm', () => normResults([...shape], epsilon, false));
    for (const spy of spies) {
      expect(spy).toHaveBeenCalled();
      spy.mockRestore();
    }
    for (const key of Object.keys(expected) as (keyof NormResults)[]) {
      expect({ [key]: relErr(actual[key], expected[key]) <= 1e-4 }).toEqual({ [key]: true });
    }
  });

  test('bad arguments are reported, not passed to the library', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([2, 3, 3, 4]);
    expect(() => nativeBatchNormTraining(x, tf.ones([3]), tf.zeros([3]), 1e-3)).toThrow(/gamma must be float32 \[4\]/);
    expect(() => nativeBatchNormTraining(x, tf.ones([4]), tf.zeros([4]), 0)).toThrow(/epsilon must be > 0/);
    tf.dispose(x);
  });
});

native('residual add + ReLU as one call on the wasm heap', (lib: NativeAddon) => {
  // relu(a + b), the model's ReLU after it, and both gradients; sizes on both sides of the native threshold.
  const results = (shape: number[], fused: boolean) => tf.tidy(() => {
    const n = shape.reduce((p, q) => p * q, 1);
    const [a, b] = [tf.tensor(seeded(n, 41), shape), tf.tensor(seeded(n, 42), shape)];
    const r = tf.tensor(seeded(n, 43), shape);
    const f = (p: Tensor, q: Tensor) => tf.sum(tf.mul(tf.relu(fused ? addReluOp(p, q) : tf.relu(tf.add(p, q))), r)) as Scalar;
    const { value, grads } = tf.valueAndGrads(f)([a, b]);
    if (fused) expect(addReluRuns(a, b)).toBe(true);
    return [value, ...grads].map((t) => Array.from(t.dataSync()));
  });
  test.each([[[4, 16, 16, 16], 1], [[2, 3, 3, 4], 0]] as const)('%j', async (shape, nativeCalls) => {
    const expected = await on('cpu', () => results([...shape], false));
    const spy = jest.spyOn(lib, 'binary');
    const actual = await on('wasm', () => results([...shape], true));
    expect(spy).toHaveBeenCalledTimes(nativeCalls);
    spy.mockRestore();
    // The value is a sum of 16 k products, summed in another order on each backend.
    expected.forEach((e, i) => expect(relErr(actual[i], e)).toBeLessThanOrEqual(1e-5));
  });
});

native('reference counts and restoring the replaced kernels', () => {
  test('a training step leaves no tensor and no wasm buffer behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([4, 9, 9, 3], 0, 1, 'float32', 11);
    const w = tf.variable(tf.randomNormal([3, 3, 3, 8], 0, 1, 'float32', 12));
    const gamma = tf.variable(tf.ones([8]));
    const beta = tf.variable(tf.zeros([8]));
    const optimizer = tf.train.sgd(0.01);
    const step = () => optimizer.minimize(() => {
      const { y, mean, variance } = nativeBatchNormTraining(tf.conv2d(x as Tensor4D, w as unknown as Tensor4D, 2, 'same'), gamma, beta, 1e-3);
      return tf.sum(tf.relu(y)).add(tf.sum(mean).mul(0)).add(tf.sum(variance).mul(0)) as Scalar;
    }, false);
    step();
    const before = { ...tf.memory(), buffers: tf.engine().backend.numDataIds() };
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.engine().backend.numDataIds()).toBe(before.buffers);
    tf.dispose([x, w, gamma, beta]);
    optimizer.dispose();
  });

  test('a short training run follows the same loss curve as the portable wasm kernels', async () => {
    await tf.setBackend('wasm');
    const train = (batchNorm: (x: Tensor, g: Tensor, b: Tensor) => Tensor): number[] => {
      const x = tf.randomUniform([8, 12, 12, 3], -1, 1, 'float32', 20) as Tensor4D;
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
      const vars = [
        tf.variable(tf.randomNormal([3, 3, 3, 8], 0, 0.5, 'float32', 21)),
        tf.variable(tf.ones([8])), tf.variable(tf.zeros([8])),
        tf.variable(tf.randomNormal([3, 3, 8, 8], 0, 0.3, 'float32', 22)),
        tf.variable(tf.randomNormal([8, 4], 0, 0.3, 'float32', 23)),
      ];
      const [w1, gamma, beta, w2, dense] = vars;
      const optimizer = tf.train.sgd(0.1);
      const losses: number[] = [];
      for (let step = 0; step < 8; step++) {
        const loss = optimizer.minimize(() => {
          const h = tf.relu(batchNorm(tf.conv2d(x, w1 as unknown as Tensor4D, 1, 'same'), gamma, beta));
          const z = tf.relu(tf.conv2d(h as Tensor4D, w2 as unknown as Tensor4D, 2, explicit(0, 1, 1, 0)));
          return tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.mean(z, [1, 2]), dense)) as Scalar;
        }, true);
        losses.push(loss!.dataSync()[0]);
        loss!.dispose();
      }
      tf.dispose([x, labels, ...vars]);
      optimizer.dispose();
      return losses;
    };
    const native = train((x, g, b) => nativeBatchNormTraining(x, g, b, 1e-3).y);
    unregisterNativeKernels();
    try {
      const portable = train((x, g, b) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.batchNorm(x, mean, variance, b, g, 1e-3);
      });
      expect(native[7]).toBeLessThan(native[0]);
      expect(relErr(native, portable)).toBeLessThanOrEqual(1e-4);
    } finally {
      expect(tryRegisterNativeKernels({ threads: 2 }).ok).toBe(true);
    }
  });

  test('unregisterNativeKernels puts the previous kernels back', () => {
    const nativeConv = tf.getKernel(tf.Conv2D, 'wasm');
    unregisterNativeKernels();
    expect(tf.getKernel(tf.Conv2D, 'wasm')).not.toBe(nativeConv);
    expect(tf.getKernel('NetspecBatchNormTraining', 'wasm')).toBeUndefined();
    expect(nativeBatchNormAvailable()).toBe(false);
    expect(tryRegisterNativeKernels({ threads: 1 })).toEqual({ ok: true });
    expect(nativeKernelInfo()?.threads).toBe(1);
  });
});
