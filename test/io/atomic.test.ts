/**
 * Atomic writes: the target is always either the previous version or a complete new one, even when the writing
 * process is SIGKILLed in the middle of a write. The writer runs in a child process loading the real module.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FAIL_WRITES_ENV,
  isTempPath,
  removeStaleTempFiles,
  writeFileAtomic,
  writeFileAtomicSync,
  writeJsonAtomicSync,
} from '../../src/io/atomic';

let dir: string;
let moduleJs: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-atomic-'));
  // The child cannot load TypeScript itself: it loads the built module (`npm test` builds dist/ first).
  moduleJs = path.join(__dirname, '..', '..', 'dist', 'src', 'io', 'atomic.js');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `script` in a child node process and SIGKILLs it once its stdout has printed `lines` lines. */
function runAndKill(script: string, args: string[], lines: number, extraDelayMs = 0): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, moduleJs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killed && out.split('\n').length - 1 >= lines) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code}: ${err}`));
      else resolve(out.trim().split('\n'));
    });
  });
}

// Writes 64 chunks of 1 MiB of 'N' and, after the 10th, reports "mid" and blocks: the parent kills it right there.
const midWriteChild = `
  const fs = require('fs');
  const { writeFileAtomicSync } = require(process.argv[1]);
  function* chunks() {
    for (let i = 0; i < 64; i++) {
      yield Buffer.alloc(1 << 20, 0x4e);
      if (i === 10) {
        fs.writeSync(1, 'mid\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
      }
    }
  }
  writeFileAtomicSync(process.argv[2], chunks());
`;

test('a write killed mid-way leaves no target when there was none, and only a recognisable temp file', async () => {
  const target = path.join(dir, 'fresh.bin');
  expect(await runAndKill(midWriteChild, [target], 1)).toEqual(['mid']);
  expect(fs.existsSync(target)).toBe(false);
  const leftovers = fs.readdirSync(dir).filter((n) => n.startsWith('.fresh.bin.'));
  expect(leftovers).toHaveLength(1);
  expect(isTempPath(leftovers[0])).toBe(true);
  // The leftover really is a partial file: at least the 11 chunks written before the kill, not all 64.
  const size = fs.statSync(path.join(dir, leftovers[0])).size;
  expect(size).toBeGreaterThanOrEqual(11 << 20);
  expect(size).toBeLessThan(64 << 20);
  expect(removeStaleTempFiles(dir)).toEqual([path.join(dir, leftovers[0])]);
  expect(fs.readdirSync(dir).filter((n) => n.startsWith('.fresh.bin.'))).toEqual([]);
});

test('a write killed mid-way keeps the previous version intact', async () => {
  const target = path.join(dir, 'old.bin');
  fs.writeFileSync(target, 'previous version');
  await runAndKill(midWriteChild, [target], 1);
  expect(fs.readFileSync(target, 'utf8')).toBe('previous version');
  removeStaleTempFiles(dir);
});

// Rewrites the file forever, version v filled with the byte v % 251 in 64 chunks of 64 KiB with a 1 ms pause after
// each, so most of the time is spent mid-write; prints each finished version.
const loopChild = `
  const fs = require('fs');
  const { writeFileAtomicSync } = require(process.argv[1]);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  function* version(v) {
    for (let i = 0; i < 64; i++) {
      yield Buffer.alloc(1 << 16, v % 251);
      Atomics.wait(pause, 0, 0, 1);
    }
  }
  for (let v = 1; ; v++) {
    writeFileAtomicSync(process.argv[2], version(v));
    fs.writeSync(1, v + '\\n');
  }
`;

test.each([0, 13, 29, 41, 57])('killed at an arbitrary moment (%i ms after version 2), the file is one whole version', async (delay) => {
  const target = path.join(dir, `loop-${delay}.bin`);
  const printed = await runAndKill(loopChild, [target], 2, delay);
  const bytes = fs.readFileSync(target);
  expect(bytes.length).toBe(4 << 20);
  const version = bytes[0];
  expect(bytes.every((b) => b === version)).toBe(true);
  // At least the versions the child reported finished are visible; never an older one.
  expect(version).toBeGreaterThanOrEqual(Number(printed[printed.length - 1]) % 251);
  removeStaleTempFiles(dir);
});

test('sync and async writers replace files and write JSON with a trailing newline', async () => {
  const target = path.join(dir, 'run.json');
  writeJsonAtomicSync(target, { epoch: 3, lr: 0.001 });
  expect(fs.readFileSync(target, 'utf8')).toBe('{\n  "epoch": 3,\n  "lr": 0.001\n}\n');
  await writeFileAtomic(target, [new Uint8Array([1, 2]), 'ab']);
  expect([...fs.readFileSync(target)]).toEqual([1, 2, 0x61, 0x62]);
  writeFileAtomicSync(target, 'x');
  expect(fs.readFileSync(target, 'utf8')).toBe('x');
  expect(fs.readdirSync(dir).filter(isTempPath)).toEqual([]);
});

test('a failing write removes its temp file and leaves the target alone', async () => {
  const target = path.join(dir, 'fail.bin');
  fs.writeFileSync(target, 'kept');
  function* failing(): Generator<Uint8Array> {
    yield new Uint8Array(10);
    throw new Error('producer failed');
  }
  expect(() => writeFileAtomicSync(target, failing())).toThrow('producer failed');
  await expect(writeFileAtomic(target, failing())).rejects.toThrow('producer failed');
  expect(fs.readFileSync(target, 'utf8')).toBe('kept');
  expect(fs.readdirSync(dir).filter(isTempPath)).toEqual([]);
});

test('an operating-system failure removes the temp file and names the target, not the temp file', async () => {
  const target = path.join(dir, 'full.bin');
  fs.writeFileSync(target, 'kept');
  process.env[FAIL_WRITES_ENV] = 'ENOSPC';
  try {
    let thrown: NodeJS.ErrnoException | undefined;
    try {
      writeFileAtomicSync(target, 'new');
    } catch (e) {
      thrown = e as NodeJS.ErrnoException;
    }
    expect(thrown).toMatchObject({ code: 'ENOSPC', path: target });
    await expect(writeFileAtomic(target, 'new')).rejects.toMatchObject({ code: 'ENOSPC', path: target });
  } finally {
    delete process.env[FAIL_WRITES_ENV];
  }
  expect(fs.readFileSync(target, 'utf8')).toBe('kept');
  expect(fs.readdirSync(dir).filter(isTempPath)).toEqual([]);
});

test('the error of a failing open is about the target: a missing folder is reported as the target path', () => {
  const target = path.join(dir, 'no-such-folder', 'x.bin');
  let thrown: NodeJS.ErrnoException | undefined;
  try {
    writeFileAtomicSync(target, 'x');
  } catch (e) {
    thrown = e as NodeJS.ErrnoException;
  }
  expect(thrown?.code).toBe('ENOENT');
  expect(thrown?.path).toBe(target);
  expect(thrown?.message).toContain(target);
  expect(thrown?.message).not.toMatch(/\.tmp/);
});

test('a FIFO or a directory in place of the target is refused and left as it is', async () => {
  const fifo = path.join(dir, 'pipe.bin');
  execFileSync('mkfifo', [fifo]);
  const folder = path.join(dir, 'folder.bin');
  fs.mkdirSync(folder);
  expect(() => writeFileAtomicSync(fifo, 'x')).toThrow(/it is a FIFO \(named pipe\), which netspec does not replace/);
  await expect(writeFileAtomic(folder, 'x')).rejects.toThrow(/it is a directory, which netspec does not replace/);
  expect(fs.statSync(fifo).isFIFO()).toBe(true);
  expect(fs.statSync(folder).isDirectory()).toBe(true);
  expect(fs.readdirSync(dir).filter(isTempPath)).toEqual([]);
});
