/**
 * The wasm fallback kernels against tfjs' cpu backend, whose convolution gradients are plain loops written
 * independently of ours. Cases cover strides, kernel sizes, every padding kind, dilation, batch 1 and 64, odd
 * sizes and channel counts that are not multiples of the SIMD width.
 */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { tf } from '../../../src/runtime/tf';
import { registerWasmFallbackKernels } from '../../../src/runtime/wasm/wasm-fallback';
import { relativeError, seeded } from './kernels-helpers';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number | [number, number];
  dilation: number;
  pad: Pad;
}

const explicit = (t: number, b: number, l: number, r: number): Pad => [[0, 0], [t, b], [l, r], [0, 0]];

function buildCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  const pads: Pad[] = ['same', 'valid', explicit(1, 1, 1, 1), explicit(0, 2, 3, 1)];
  let i = 0;
  for (const stride of [1, 2]) {
    for (const kernel of [1, 3, 7]) {
      for (const pad of pads) {
        const swap = i++ % 2 === 1;
        cases.push({
          batch: swap ? 2 : 1, height: 9, width: 11, inChannels: swap ? 5 : 3, outChannels: swap ? 3 : 5,
          kernel, stride, dilation: 1, pad,
        });
      }
    }
  }
  for (const stride of [1, 2]) {
    for (const pad of pads) {
      cases.push({ batch: 2, height: 11, width: 9, inChannels: 3, outChannels: 5, kernel: 3, stride, dilation: 2, pad });
    }
  }
  cases.push({ batch: 64, height: 5, width: 7, inChannels: 3, outChannels: 5, kernel: 3, stride: 1, dilation: 1, pad: 'same' });
  cases.push({ batch: 64, height: 7, width: 5, inChannels: 5, outChannels: 3, kernel: 3, stride: 2, dilation: 1, pad: 'valid' });
  cases.push({ batch: 64, height: 7, width: 7, inChannels: 5, outChannels: 5, kernel: 1, stride: 2, dilation: 1, pad: 'same' });
  // Stride 3 (three phases per axis, some without taps) and unequal strides (the zero-stuffing route).
  cases.push({ batch: 2, height: 11, width: 10, inChannels: 3, outChannels: 5, kernel: 3, stride: 3, dilation: 1, pad: 'same' });
  cases.push({ batch: 2, height: 13, width: 11, inChannels: 5, outChannels: 3, kernel: 7, stride: 3, dilation: 1, pad: explicit(2, 1, 0, 3) });
  cases.push({ batch: 2, height: 10, width: 11, inChannels: 3, outChannels: 5, kernel: 1, stride: 3, dilation: 1, pad: 'valid' });
  cases.push({ batch: 2, height: 9, width: 11, inChannels: 3, outChannels: 5, kernel: 3, stride: [2, 1], dilation: 1, pad: 'same' });
  return cases;
}

function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === 'string' ? c.pad : `explicit ${c.pad[1]}/${c.pad[2]}`;
  return `${c.batch}×${c.height}×${c.width}×${c.inChannels} → ${c.outChannels}, ${c.kernel}×${c.kernel}` +
    ` stride ${c.stride} dilation ${c.dilation} pad ${pad}`;
}

interface Grads {
  dx: Float32Array;
  dw: Float32Array;
}

interface CaseData {
  x: Float32Array;
  w: Float32Array;
  dy: Float32Array;
  xShape: [number, number, number, number];
  wShape: [number, number, number, number];
  dyShape: [number, number, number, number];
}

function caseData(c: ConvCase, seed: number): CaseData {
  const xShape: CaseData['xShape'] = [c.batch, c.height, c.width, c.inChannels];
  const wShape: CaseData['wShape'] = [c.kernel, c.kernel, c.inChannels, c.outChannels];
  const info = tf.backend_util.computeConv2DInfo(xShape, wShape, c.stride, c.dilation, c.pad);
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return {
    xShape, wShape, dyShape: info.outShape,
    x: seeded(size(xShape), seed), w: seeded(size(wShape), seed + 1), dy: seeded(size(info.outShape), seed + 2),
  };
}

/** Reference on cpu with tf.grads. A dilated filter is the dense filter with zeros between its taps. */
async function cpuReference(c: ConvCase, d: CaseData): Promise<Grads> {
  await tf.setBackend('cpu');
  return tf.tidy(() => {
    const x = tf.tensor4d(d.x, d.xShape);
    const dy = tf.tensor4d(d.dy, d.dyShape);
    let w = tf.tensor4d(d.w, d.wShape);
    if (c.dilation > 1) {
      const k = c.kernel;
      const eff = (k - 1) * c.dilation + 1;
      const z = tf.buffer([eff, eff, c.inChannels, c.outChannels]);
      const wb = w.bufferSync();
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let a = 0; a < c.inChannels; a++) {
        for (let b = 0; b < c.outChannels; b++) z.set(wb.get(i, j, a, b), i * c.dilation, j * c.dilation, a, b);
      }
      w = z.toTensor() as Tensor4D;
    }
    const loss = (xx: Tensor, ww: Tensor) =>
      tf.sum(tf.mul(tf.conv2d(xx as Tensor4D, ww as Tensor4D, c.stride, c.pad), dy));
    const [dx, dwDense] = tf.grads(loss)([x, w]);
    const dw = c.dilation > 1
      ? tf.stridedSlice(dwDense, [0, 0, 0, 0], dwDense.shape, [c.dilation, c.dilation, 1, 1])
      : dwDense;
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

/**
 * On wasm: through tf.grads of conv2d, the path training takes. tfjs' conv2d gradient refuses dilation, so dilated
 * cases call the two kernels directly with the `dilations` attribute they accept.
 */
async function wasmGrads(c: ConvCase, d: CaseData): Promise<Grads> {
  await tf.setBackend('wasm');
  return tf.tidy(() => {
    const x = tf.tensor4d(d.x, d.xShape);
    const w = tf.tensor4d(d.w, d.wShape);
    const dy = tf.tensor4d(d.dy, d.dyShape);
    if (c.dilation === 1) {
      const loss = (xx: Tensor, ww: Tensor) =>
        tf.sum(tf.mul(tf.conv2d(xx as Tensor4D, ww as Tensor4D, c.stride, c.pad), dy));
      const [dx, dw] = tf.grads(loss)([x, w]);
      return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
    }
    const common = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilation };
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...common, inputShape: d.xShape });
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: d.wShape });
    return {
      dx: (dx as Tensor).dataSync() as Float32Array,
      dw: (dw as Tensor).dataSync() as Float32Array,
    };
  });
}

beforeAll(async () => {
  registerWasmFallbackKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('wasm fallback convolution gradients match the cpu backend', () => {
  test.each(buildCases().map((c, i) => [describeCase(c), c, i] as const))('%s', async (_name, c, i) => {
    const data = caseData(c, 1000 + 7 * i);
    const expected = await cpuReference(c, data);
    const actual = await wasmGrads(c, data);
    expect(actual.dx.length).toBe(expected.dx.length);
    expect(actual.dw.length).toBe(expected.dw.length);
    expect(relativeError(actual.dx, expected.dx)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(actual.dw, expected.dw)).toBeLessThanOrEqual(1e-4);
  });
});

interface PoolCase {
  shape: [number, number, number, number];
  filter: number;
  stride: number;
  pad: 'same' | 'valid';
  /** Values rounded to halves: windows hold equal maxima, testing the tie rule (the first maximum wins). */
  ties: boolean;
}

function poolCases(): PoolCase[] {
  const cases: PoolCase[] = [];
  for (const filter of [1, 2, 3]) {
    for (const stride of [1, 2]) {
      for (const pad of ['same', 'valid'] as const) {
        for (const ties of [false, true]) {
          const odd = cases.length % 3 === 1;
          cases.push({ shape: odd ? [3, 7, 9, 5] : [1, 9, 7, 3], filter, stride, pad, ties });
        }
      }
    }
  }
  return cases;
}

describe('wasm MaxPoolGrad matches the cpu backend, ties and all-negative windows included', () => {
  test.each(poolCases().map((c) => [
    `${c.shape.join('×')} pool ${c.filter} stride ${c.stride} ${c.pad}${c.ties ? ' with ties' : ''}`, c,
  ] as const))('%s', async (_name, c) => {
    const size = c.shape.reduce((a, b) => a * b, 1);
    const xValues = seeded(size, 31 + c.filter * 7 + c.stride).map((v) => (c.ties ? Math.floor(v * 2) / 2 : v));
    const grad = async (backend: string): Promise<Float32Array> => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(xValues, c.shape);
        const f = (t: Tensor) => {
          const y = tf.maxPool(t as Tensor4D, c.filter, c.stride, c.pad);
          return tf.sum(tf.mul(y, tf.tensor(seeded(y.size, 77), y.shape)));
        };
        return tf.grad(f)(x).dataSync() as Float32Array;
      });
    };
    const expected = await grad('cpu');
    const actual = await grad('wasm');
    expect(relativeError(actual, expected)).toBeLessThanOrEqual(1e-6);
  });
});

describe('wasm fallback kernels keep reference counts exact', () => {
  test('no tensor and no backend buffer survives a gradient step', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([4, 9, 9, 3]) as Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 8]) as Tensor4D;
    const step = () => tf.tidy(() => {
      const [dx, dw] = tf.grads((xx: Tensor, ww: Tensor) =>
        tf.sum(tf.conv2d(xx as Tensor4D, ww as Tensor4D, 2, 'same')))([x, w]);
      return tf.add(tf.sum(dx), tf.sum(dw));
    });
    step().dispose();
    const before = { ...tf.memory(), buffers: tf.engine().backend.numDataIds() };
    for (let i = 0; i < 5; i++) step().dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.engine().backend.numDataIds()).toBe(before.buffers);
    tf.dispose([x, w]);
  });
});
