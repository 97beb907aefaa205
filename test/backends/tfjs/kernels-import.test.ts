/**
 * Importing the kernel modules has no effect on tfjs: the wasm backend registers itself above cpu when its package
 * loads, so an import alone would make code that runs ops before `await tf.ready()` fail.
 */
import { tf } from '../../../src/runtime/tf';
import { batchNormTrainingAvailable } from '../../../src/runtime/wasm/wasm-fallback';
import { selectBackend } from '../../../src/runtime/backend';

test('importing wasm-fallback and backend registers no wasm backend; selecting one does', async () => {
  expect(typeof selectBackend).toBe('function');
  expect(tf.findBackendFactory('wasm')).toBeNull();
  expect(batchNormTrainingAvailable()).toBe(false);
  // Synchronous ops work without awaiting anything: the default backend is still cpu.
  expect(tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]).toBe(3);
  expect(tf.getBackend()).toBe('cpu');
  const saved = process.env.NETSPEC_NATIVE;
  process.env.NETSPEC_NATIVE = '0';
  try {
    await selectBackend({ backend: 'wasm' });
  } finally {
    if (saved === undefined) delete process.env.NETSPEC_NATIVE;
    else process.env.NETSPEC_NATIVE = saved;
  }
  expect(tf.findBackendFactory('wasm')).not.toBeNull();
  expect(tf.getBackend()).toBe('wasm');
});
