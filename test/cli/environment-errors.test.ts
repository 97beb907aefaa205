/** errno failures the operating system really raises, mapped to user errors (exit 2) with the path and a next step. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXIT_BAD_INPUT } from '../../src/diagnostics/diagnostic';
import { environmentError, environmentHint } from '../../src/diagnostics/environment';

function raised(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

test('real ENOENT, EISDIR, ENOTDIR and ENOSPC errors become env/… errors naming the path', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-errno-'));
  try {
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, 'x');
    const cases: [unknown, string, RegExp][] = [
      [raised(() => fs.readFileSync(path.join(dir, 'missing'))), 'env/enoent', /^reading: open .*missing failed \(ENOENT\)$/],
      [raised(() => fs.readFileSync(dir)), 'env/eisdir', /^reading: read failed \(EISDIR\)$/],
      [raised(() => fs.writeFileSync(path.join(file, 'below'), 'x')), 'env/enotdir', /^reading: open .*f\/below failed \(ENOTDIR\)$/],
      [raised(() => fs.writeFileSync('/dev/full', 'x')), 'env/enospc', /^reading: write failed \(ENOSPC\)$/],
    ];
    for (const [e, code, message] of cases) {
      const user = environmentError(e, 'reading');
      expect(user?.exitCode).toBe(EXIT_BAD_INPUT);
      expect(user?.diagnostics[0].code).toBe(code);
      expect(user?.message).toMatch(message);
      expect(user?.hint?.length).toBeGreaterThan(10);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('errors that are not the environment stay what they are', () => {
  expect(environmentError(new TypeError('x is not a function'))).toBeUndefined();
  expect(environmentError(Object.assign(new Error('odd'), { code: 'ERR_SOMETHING_ELSE' }))).toBeUndefined();
  expect(environmentHint('toString')).toBeUndefined(); // not fooled by Object.prototype
  expect(environmentHint('EROFS')).toBe('the file system is read-only: write somewhere else');
});
