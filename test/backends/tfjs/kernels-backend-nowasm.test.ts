/** Backend selection on a machine where the wasm backend cannot start (simulated: the package registers nothing). */
import { DiagnosticError } from '../../../src/diagnostics/diagnostic';
import { selectBackend } from '../../../src/runtime/backend';
import { loadNativeAddon } from '../../../src/runtime/onednn/addon';
import { tf, tfjsNode } from '../../../src/runtime/tf';

jest.mock('@tensorflow/tfjs-backend-wasm', () => ({ setWasmPaths: () => undefined }));

test('auto falls back to cpu and says why (onednn before it where the addon loads: it needs no wasm)', async () => {
  const info = await selectBackend({ backend: 'auto' });
  if (tfjsNode !== null) {
    expect(info.tfBackend).toBe('tensorflow'); // tfjs-node comes first and does not need wasm
    return;
  }
  if ('addon' in loadNativeAddon()) {
    expect(info).toMatchObject({ name: 'onednn', tfBackend: 'onednn' });
    // Without it, the wasm failure is what auto reports.
    process.env.NETSPEC_NATIVE = '0';
    try {
      expect(await selectBackend({ backend: 'auto' })).toMatchObject({ name: 'cpu', tfBackend: 'cpu' });
    } finally {
      delete process.env.NETSPEC_NATIVE;
    }
    return;
  }
  expect(info).toMatchObject({ name: 'cpu', tfBackend: 'cpu', threads: 1 });
  expect(info.description).toMatch(/wasm backend is unavailable/);
  expect(tf.getBackend()).toBe('cpu');
});

test('--backend wasm is an error with a next step', async () => {
  const err = await selectBackend({ backend: 'wasm' }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DiagnosticError);
  expect((err as DiagnosticError).diagnostics[0]).toMatchObject({ code: 'backend/unavailable', hint: 'use --backend cpu' });
});
