/**
 * The environment failing under the CLI: a full disk, a read-only or unwritable folder, standard output that is full
 * or closed. Every command that writes must exit 2 with the path and what to do, leave no temporary file behind and
 * the previous file intact; a closed pipe ends quietly. ENOSPC and EROFS come from a real tmpfs in a private mount
 * namespace where one can be made, EACCES from running as an unprivileged user, and /dev/full gives a real ENOSPC
 * everywhere; the NETSPEC_TEST_FAIL_WRITES hook covers the same commands on any machine.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FAIL_WRITES_ENV, isTempPath } from '../../src/io/atomic';
import { CliRun, mountNamespace, runCli, runCliOnTmpfs, unprivilegedUser } from '../helpers/spawn';
import { tempDir } from '../train/data/files';

const tiny = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
let dir: string;
let run: string;

beforeAll(async () => {
  dir = tempDir('environment');
  // Unprivileged children must reach the files: mkdtemp makes 0700 folders.
  fs.chmodSync(dir, 0o755);
  run = path.join(dir, 'run');
  const trained = await runCli(['train', tiny, '--out', run, '--epochs', '1', '--limit', '32', '--backend', 'wasm']);
  expect(trained.code).toBe(0);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The commands that write a file, with the target inside `d` and the tmpfs size that is too small for it. */
const writers: { name: string; size: string; target: string; args: (d: string) => string[] }[] = [
  { name: 'emit --out', size: '4k', target: 'net.ts', args: (d) => ['emit', 'cifar/resnet20', '--out', path.join(d, 'net.ts')] },
  // A folder compile creates: on a read-only mount its mkdir must report EROFS (Node's recursive mkdir says ENOENT).
  {
    name: 'compile --out', size: '64k', target: path.join('model', 'new'),
    args: (d) => ['compile', 'cifar/resnet20', '--out', path.join(d, 'model', 'new'), '--backend', 'wasm'],
  },
  { name: 'plot --out', size: '4k', target: 'metrics.svg', args: (d) => ['plot', run, '--out', path.join(d, 'metrics.svg')] },
  {
    name: 'train --out', size: '64k', target: path.join('run', 'r'),
    args: (d) => ['train', tiny, '--out', path.join(d, 'run', 'r'), '--epochs', '1', '--limit', '32', '--backend', 'wasm'],
  },
];

function expectUserFailure(r: CliRun, target: string, code?: string): void {
  expect({ exit: r.code, internal: /internal error|\n\s+at /.test(r.stderr) }).toEqual({ exit: 2, internal: false });
  expect(r.stderr).toContain(target);
  if (code) expect(r.stderr).toMatch(new RegExp(`\\(${code}\\) \\[env/${code.toLowerCase()}\\]\\n  hint: `));
}

function tempFilesUnder(d: string): string[] {
  if (!fs.existsSync(d)) return [];
  return fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => isTempPath(f));
}

describe('on a real tmpfs: full (ENOSPC) and read-only (EROFS)', () => {
  const mnt = () => path.join(dir, 'mnt');
  beforeAll(() => fs.mkdirSync(mnt()));

  test('every writing command exits 2 naming the path, and leaves no temporary file', () => {
    const available = mountNamespace(mnt());
    if (!available.ok) {
      console.warn(`no private mount namespace here (${available.reason}); ENOSPC/EROFS are covered by /dev/full and ${FAIL_WRITES_ENV} below`);
      expect(available.reason.length).toBeGreaterThan(0);
      return;
    }
    for (const w of writers) {
      for (const readOnly of [false, true]) {
        const r = runCliOnTmpfs(mnt(), w.size, readOnly, w.args(mnt()));
        const label = `${w.name} ${readOnly ? 'read-only' : 'full'}`;
        // train and compile create a folder first: on a read-only mount that must say EROFS (Node's recursive mkdir
        // says ENOENT). train's first file on a full tmpfs may be a folder or a file, whichever fills it: no code.
        const code = readOnly ? 'EROFS' : w.name.startsWith('train') ? undefined : 'ENOSPC';
        expectUserFailure(r, path.join(mnt(), w.target), code);
        expect({ label, temps: r.left.filter((f) => isTempPath(f)) }).toEqual({ label, temps: [] });
        expect({ label, old: r.oldFile }).toEqual({ label, old: 'old' });
      }
    }
  });
});

describe(`${FAIL_WRITES_ENV}: the same failures injected where no mount can be made`, () => {
  for (const errno of ['ENOSPC', 'EROFS']) {
    test(`${errno}: every writing command exits 2 naming the path; the old file survives, no temporary file`, async () => {
      for (const w of writers) {
        const d = path.join(dir, `hook-${errno}-${w.name.split(' ')[0]}`);
        fs.mkdirSync(path.join(d, 'run'), { recursive: true });
        fs.writeFileSync(path.join(d, 'net.ts'), 'old');
        const r = await runCli(w.args(d), { env: { [FAIL_WRITES_ENV]: errno } });
        expectUserFailure(r, path.join(d, w.target), errno);
        expect({ w: w.name, temps: tempFilesUnder(d) }).toEqual({ w: w.name, temps: [] });
        expect(fs.readFileSync(path.join(d, 'net.ts'), 'utf8')).toBe('old');
      }
    });
  }
});

describe('permission denied (EACCES), as an unprivileged user', () => {
  const user = unprivilegedUser();
  const uid = user.ok ? user.uid : undefined;
  /** False (with the reason logged and checked) where no unprivileged user can run the CLI. */
  const canRun = (): boolean => {
    if (user.ok) return true;
    console.warn(`EACCES not exercised: ${user.reason}`);
    expect(user.reason).toMatch(/uid 65534 fails/);
    return false;
  };

  test('every writing command exits 2 naming the path when the folder is not writable', async () => {
    if (!canRun()) return;
    for (const w of writers) {
      const d = path.join(dir, `locked-${w.name.split(' ')[0]}`);
      fs.mkdirSync(path.join(d, 'run'), { recursive: true });
      fs.mkdirSync(path.join(d, 'model'));
      fs.writeFileSync(path.join(d, 'net.ts'), 'old');
      // Owned by the test's user, writable by nobody else (and, when not root, by nobody at all).
      for (const p of [d, path.join(d, 'run'), path.join(d, 'model')]) fs.chmodSync(p, 0o555);
      const r = await runCli(w.args(d), { uid });
      expectUserFailure(r, path.join(d, w.target), 'EACCES');
      expect(tempFilesUnder(d)).toEqual([]);
      expect(fs.readFileSync(path.join(d, 'net.ts'), 'utf8')).toBe('old');
    }
  });

  test('unreadable spec, data, model and weight files exit 2 with the path', async () => {
    if (!canRun()) return;
    const locked = (name: string, contents: string | Buffer) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, contents);
      fs.chmodSync(file, 0o000);
      return file;
    };
    const spec = locked('locked.yaml', fs.readFileSync(tiny));
    const data = path.join(dir, 'locked-data');
    fs.mkdirSync(data);
    fs.chmodSync(data, 0o755);
    fs.writeFileSync(path.join(data, 't10k-images-idx3-ubyte'), Buffer.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0]));
    fs.chmodSync(path.join(data, 't10k-images-idx3-ubyte'), 0o000);
    fs.writeFileSync(path.join(data, 't10k-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 0]));
    const modelDir = path.join(dir, 'locked-model');
    fs.cpSync(path.join(run, 'model'), modelDir, { recursive: true });
    fs.chmodSync(modelDir, 0o755);
    fs.chmodSync(path.join(modelDir, 'model.json'), 0o000);
    const cases: [string[], string, RegExp][] = [
      [['inspect', spec], spec, /EACCES/],
      [['evaluate', run, '--data', data], path.join(data, 't10k-images-idx3-ubyte'), /cannot read \(EACCES\)/],
      [['evaluate', modelDir, '--data', 'synthetic'], path.join(modelDir, 'model.json'), /cannot read \(EACCES\)/],
      [['compile', tiny, '--weights', modelDir, '--out', path.join(dir, 'never')], path.join(modelDir, 'model.json'), /cannot read \(EACCES\)/],
    ];
    for (const [args, named, message] of cases) {
      const r = await runCli(args, { uid });
      expectUserFailure(r, named);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('standard output', () => {
  const printers: string[][] = [
    ['list'], ['inspect', 'resnet152'], ['inspect', 'resnet50', '--json'], ['validate', '--json', 'resnet18', 'cifar/resnet20'],
    ['emit', 'resnet50'],
  ];

  test('a reader that has gone (netspec … | head) ends the command quietly with exit 0', async () => {
    for (const args of [...printers, ['evaluate', run, '--json']]) {
      const r = await runCli(args, { closeStdout: true });
      expect({ args, code: r.code, signal: r.signal, stderr: r.stderr.replace(/^backend: .*\n/m, '') })
        .toEqual({ args, code: 0, signal: null, stderr: '' });
    }
  });

  test('a closed pipe keeps the exit code of a command that found problems (validate: 2)', async () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'netspec: 1\nname: bad\nblock: bottlenek\n');
    const r = await runCli(['validate', bad, bad], { closeStdout: true });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: '' });
  });

  test('a full device (> /dev/full) is a real ENOSPC: exit 2 and what to do', async () => {
    const full = fs.openSync('/dev/full', 'w');
    try {
      for (const args of printers) {
        const r = await runCli(args, { stdoutFd: full });
        expect({ args, code: r.code }).toEqual({ args, code: 2 });
        expect(r.stderr).toMatch(/^netspec: error: cannot write to standard output: write failed \(ENOSPC\) \[env\/enospc\]\n  hint: the disk is full/);
      }
    } finally {
      fs.closeSync(full);
    }
  });
});
