/**
 * The corpus of broken specs under test/fixtures/broken: each file states on its first line the diagnostic it must
 * produce (`# expect: <code> [<file>:]<line>:<col>`), and `netspec validate` must reject it with exit code 2.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { compileSpec } from '../../src/ir/compile';

const dir = path.join(__dirname, '..', 'fixtures', 'broken');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const cli = path.join(__dirname, '..', '..', 'bin', 'netspec.js');
const run = promisify(execFile);

interface Expectation {
  code: string;
  file: string;
  line: number;
  column?: number;
}

function expectation(file: string): Expectation {
  const first = fs.readFileSync(path.join(dir, file), 'utf8').split('\n')[0];
  const m = /^# expect: (\S+) (?:(\S+):)?(\d+):(\d*)$/.exec(first);
  if (!m) throw new Error(`${file}: first line must be '# expect: <code> [file:]line:col'`);
  return { code: m[1], file: m[2] ?? file, line: Number(m[3]), column: m[4] ? Number(m[4]) : undefined };
}

test('the corpus has at least 50 broken specs', () => {
  expect(files.length).toBeGreaterThanOrEqual(50);
});

describe.each(files)('%s', (file) => {
  test('yields the expected located diagnostic', () => {
    const want = expectation(file);
    const diagnostics = compileSpec(path.join(dir, file)).diagnostics;
    const found = diagnostics.map((d) => ({
      code: d.code,
      file: d.location ? path.relative(dir, path.resolve(d.location.file)) : undefined,
      line: d.location?.line,
      column: d.location?.column,
    }));
    // Exactly the one diagnostic the file states: a second, a duplicate or a stray warning is a regression too.
    expect(found).toEqual([{ code: want.code, file: want.file, line: want.line, column: want.column ?? expect.any(Number) }]);
    for (const d of diagnostics) expect(d.message.length).toBeGreaterThan(10);
  });
});

test('netspec validate rejects every broken spec with exit code 2 and a file:line:col line', async () => {
  const outcomes = await Promise.all(
    files.map((file) =>
      run(process.execPath, [cli, 'validate', path.join(dir, file)], { cwd: dir })
        .then(() => ({ file, code: 0, stdout: '', stderr: '' }))
        .catch((e: { code: number; stdout: string; stderr: string }) => ({ file, code: e.code, stdout: e.stdout, stderr: e.stderr })),
    ),
  );
  for (const o of outcomes) {
    expect({ file: o.file, code: o.code }).toEqual({ file: o.file, code: 2 });
    expect(o.stdout).toMatch(/^\S+:\d+:\d+: error: /m);
    expect(o.stderr).not.toMatch(/\n\s+at /);
  }
});
