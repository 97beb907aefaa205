/** Bounded reads of regular files: special files are refused at once instead of blocking or reading forever. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { userError } from '../../src/diagnostics/diagnostic';
import { formatBytes, readRegularFile } from '../../src/io/read';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-read-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const fail = (problem: string, hint?: string) => userError('test/read', problem, { hint });

function problemOf(file: string, maxBytes = 1024): string {
  try {
    readRegularFile(file, maxBytes, fail, 'a test file');
  } catch (e) {
    return (e as Error).message;
  }
  return 'read without error';
}

test('a regular file within the limit is read whole', () => {
  const file = path.join(dir, 'ok.bin');
  fs.writeFileSync(file, Buffer.from([1, 2, 3]));
  expect([...readRegularFile(file, 3, fail)]).toEqual([1, 2, 3]);
});

test('special files and folders are refused before any byte is read', () => {
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const started = Date.now();
  // No writer ever opens the FIFO: a blocking open would hang here.
  expect(problemOf(fifo)).toBe('is a FIFO (named pipe), not a regular file');
  expect(problemOf('/dev/zero')).toBe('is a character device, not a regular file');
  expect(problemOf(dir)).toBe('is a directory, not a regular file');
  expect(problemOf(path.join(dir, 'missing'))).toBe('does not exist');
  expect(Date.now() - started).toBeLessThan(5000);
});

test('a file over the limit is refused by its size, with both sizes in the message', () => {
  const file = path.join(dir, 'big.bin');
  fs.writeFileSync(file, Buffer.alloc(1536));
  expect(problemOf(file, 1024)).toBe('1.5 KiB: more than the 1 KiB netspec reads for a test file');
});

test('formatBytes uses binary units', () => {
  expect([formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(64 * 1024 ** 2), formatBytes(1024 ** 3)])
    .toEqual(['0 bytes', '1023 bytes', '1 KiB', '64 MiB', '1 GiB']);
});
