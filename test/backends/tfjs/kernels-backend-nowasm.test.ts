/** Backend selection on a machine where the wasm backend cannot start (simulated: the package registers nothing). */
import { DiagnosticError } from '../../../src/diagnostics/diagnostic';
import { selectBackend } from '../../../src/runtime/backend';
import { tf, tfjsNode } from '../../../src/runtime/tf';

jest.mock('@tensorflow/tfjs-backend-wasm', () => ({ setWasmPaths: () => undefined }));

test('auto falls back to cpu and says why', async () => {
  const info = await selectBackend({ backend: 'auto' });
  if (tfjsNode !== null) {
    expect(info.tfBackend).toBe('tensorflow'); // tfjs-node comes first and does not need wasm
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
