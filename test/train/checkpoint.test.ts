/** A checkpoint file is never half-written: a process killed while saving leaves the previous or the new one. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DiagnosticError } from '../../src/diagnostics/diagnostic';
import { readCheckpoint, writeCheckpoint } from '../../src/train/checkpoint';

const dist = path.join(__dirname, '..', '..', 'dist', 'src', 'train', 'checkpoint.js');

test('write then read gives back state, names, shapes and values', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-')), 'a.ckpt');
  const values = [Float32Array.from([1, 2, 3, 4, 5, 6]), Float32Array.from([-1.5])];
  await writeCheckpoint(file, {
    state: { epoch: 3, note: 'x' },
    model: [{ name: 'conv1/kernel', shape: [1, 2, 3] }],
    optimizer: [{ name: 'iter', shape: [] }],
    modelValues: [values[0]],
    optimizerValues: [values[1]],
  });
  const back = readCheckpoint<{ epoch: number; note: string }>(file);
  expect(back.state).toEqual({ epoch: 3, note: 'x' });
  expect(back.model).toEqual([{ name: 'conv1/kernel', shape: [1, 2, 3] }]);
  expect(Array.from(back.modelValues[0])).toEqual([1, 2, 3, 4, 5, 6]);
  expect(Array.from(back.optimizerValues[0])).toEqual([-1.5]);
});

async function smallCheckpoint(): Promise<string> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-')), 'a.ckpt');
  await writeCheckpoint(file, { state: { epoch: 1, stepInEpoch: 0 }, model: [{ name: 'w', shape: [1000] }], optimizer: [], modelValues: [new Float32Array(1000).fill(0.5)], optimizerValues: [] });
  return file;
}

/** Every damage is a DiagnosticError with code checkpoint/invalid (the CLI's exit 2), naming the file. */
function expectRejected(file: string, message: RegExp): void {
  let caught: unknown;
  try {
    readCheckpoint(file);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DiagnosticError);
  const d = (caught as DiagnosticError).diagnostics[0];
  expect(d.code).toBe('checkpoint/invalid');
  expect(d.file).toBe(file);
  expect(d.message).toMatch(message);
}

test('a truncated checkpoint is reported, not misread', async () => {
  const file = await smallCheckpoint();
  const size = fs.statSync(file).size;
  fs.truncateSync(file, size - 10);
  // Found from the sizes alone, before the rest of the file is read.
  expectRejected(file, new RegExp(`^truncated: its header promises ${size} bytes .*, the file has ${size - 10}$`));
  fs.writeFileSync(file, Buffer.concat([fs.readFileSync(file), Buffer.alloc(10 + 5)]));
  expectRejected(file, new RegExp(`^damaged: its header promises ${size} bytes .*, the file has ${size + 5}$`));
  fs.truncateSync(file, 18);
  expectRejected(file, /^truncated: 18 bytes/);
});

test('a 4-byte edit of the header is detected by the digest', async () => {
  const file = await smallCheckpoint();
  const bytes = fs.readFileSync(file);
  // epoch 1 → 9, stepInEpoch 0 → 9 and two bytes of the first weight: valid JSON and valid floats, so only the
  // digest can tell.
  const text = bytes.toString('latin1');
  const at = text.indexOf('"epoch":1');
  expect(at).toBeGreaterThan(0);
  bytes.write('9', at + 8, 'latin1');
  const step = text.indexOf('"stepInEpoch":0');
  bytes.write('9', step + 14, 'latin1');
  const payload = text.indexOf('}', text.indexOf('"optimizer"')) + 1;
  bytes.write('\x01\x02', payload, 'latin1');
  fs.writeFileSync(file, bytes);
  expectRejected(file, /damaged: its SHA-256 digest does not match/);
});

test('a directory, a missing file and a format-1 checkpoint are clear errors', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
  fs.mkdirSync(path.join(dir, 'last.ckpt'));
  expectRejected(path.join(dir, 'last.ckpt'), /is a directory, not a checkpoint/);
  expectRejected(path.join(dir, 'none.ckpt'), /no such checkpoint/);
  const old = path.join(dir, 'old.ckpt');
  fs.writeFileSync(old, Buffer.concat([Buffer.from('NETSPEC-CKPT-1\n'), Buffer.alloc(40)]));
  expectRejected(old, /format-1 checkpoint/);
});

test('killing a process in the middle of saving never leaves a damaged checkpoint', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-kill-'));
  const file = path.join(dir, 'last.ckpt');
  // The child saves 8 MB checkpoints in a loop, alternating the value it fills them with.
  const script = `
    const { writeCheckpoint } = require(${JSON.stringify(dist)});
    (async () => {
      for (let i = 0; ; i++) {
        const v = new Float32Array(2 << 20).fill(i % 2 ? 1 : 2);
        await writeCheckpoint(${JSON.stringify(file)}, { state: { i }, model: [{ name: 'w', shape: [v.length] }], optimizer: [], modelValues: [v], optimizerValues: [] });
        if (i === 0) process.send('first');
      }
    })();`;
  for (let round = 0; round < 4; round++) {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await new Promise((r) => child.once('message', r));
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const ckpt = readCheckpoint<{ i: number }>(file);
    const expected = ckpt.state.i % 2 ? 1 : 2;
    expect(ckpt.modelValues[0].every((x) => x === expected)).toBe(true);
  }
});
