/** Backend selection: the order, the overrides, and clear errors for what cannot run here. */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { DiagnosticError } from '../../../src/diagnostics/diagnostic';
import { loadNativeAddon } from '../../../src/runtime/onednn/addon';
import { selectBackend } from '../../../src/runtime/backend';
import { batchNormTrainingAvailable, wasmFallbackKernels } from '../../../src/runtime/wasm/wasm-fallback';
import { tf, tfjsNode } from '../../../src/runtime/tf';

const savedNative = process.env.NETSPEC_NATIVE;
afterEach(() => {
  if (savedNative === undefined) delete process.env.NETSPEC_NATIVE;
  else process.env.NETSPEC_NATIVE = savedNative;
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DiagnosticError);
    return (err as DiagnosticError).diagnostics[0].code;
  }
  throw new Error('expected a rejection');
}

test('--backend wasm with NETSPEC_NATIVE=0 runs the portable kernels on one thread', async () => {
  process.env.NETSPEC_NATIVE = '0';
  const info = await selectBackend({ backend: 'wasm', threads: 2 });
  expect(info).toMatchObject({ name: 'wasm', tfBackend: 'wasm', threads: 1 });
  expect(info.description).toContain('NETSPEC_NATIVE=0');
  expect(tf.getBackend()).toBe('wasm');
  for (const config of wasmFallbackKernels) {
    expect(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc).toBe(config.kernelFunc);
  }
  expect(batchNormTrainingAvailable()).toBe(true);
  // The wasm binary with SIMD is the one that loaded.
  expect(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')).toBe(true);
  expect(info.description).toContain('SIMD');
});

test('--backend wasm trains: a convolution has both gradients', async () => {
  await selectBackend({ backend: 'wasm' });
  const [dx, dw] = tf.tidy(() =>
    tf.grads((x: Tensor, w: Tensor) => tf.sum(tf.conv2d(x as Tensor4D, w as Tensor4D, 1, 'same')))([
      tf.ones([1, 3, 3, 1]), tf.ones([3, 3, 1, 1]),
    ]));
  // All-ones 3×3 input and filter, 'same' padding: each input pixel feeds as many outputs as its window overlaps
  // the image (4 at corners, 6 on edges, 9 in the middle); each tap sees as many in-image pixels.
  expect(Array.from(dx.dataSync())).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
  expect(Array.from(dw.dataSync())).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
  tf.dispose([dx, dw]);
});

test('--backend cpu forces the cpu backend', async () => {
  const info = await selectBackend({ backend: 'cpu' });
  expect(info).toMatchObject({ name: 'cpu', tfBackend: 'cpu', threads: 1 });
  expect(tf.getBackend()).toBe('cpu');
});

test('auto takes tfjs-node when it loads, else onednn when the addon loads, else wasm', async () => {
  const info = await selectBackend({ backend: 'auto' });
  if (tfjsNode !== null) {
    expect(info.tfBackend).toBe('tensorflow');
  } else if ('addon' in loadNativeAddon()) {
    expect(info).toMatchObject({ name: 'onednn', tfBackend: 'onednn' });
  } else {
    expect(info).toMatchObject({ name: 'wasm', tfBackend: 'wasm' });
    expect(info.description).toContain('oneDNN kernels not used');
  }
  expect(tf.getBackend()).toBe(info.tfBackend);
});

test('--backend tensorflow without tfjs-node is a clear error', async () => {
  if (tfjsNode === null) {
    expect(await codeOf(selectBackend({ backend: 'tensorflow' }))).toBe('backend/unavailable');
    await selectBackend({ backend: 'tensorflow' }).catch((err: Error) => {
      expect(err.message).toContain('@tensorflow/tfjs-node');
      expect(err.message).toContain('not installed');
    });
  } else {
    expect((await selectBackend({ backend: 'tensorflow' })).tfBackend).toBe('tensorflow');
  }
});

test('bad options are reported, not thrown as bugs', async () => {
  expect(await codeOf(selectBackend({ threads: 0 }))).toBe('backend/threads');
  expect(await codeOf(selectBackend({ threads: 1.5 }))).toBe('backend/threads');
  expect(await codeOf(selectBackend({ backend: 'gpu' as never }))).toBe('backend/unknown');
});
