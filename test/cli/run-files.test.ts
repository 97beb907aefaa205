/**
 * The files of a run directory are read bounded, through the real CLI: a run.json linked to /dev/zero, a spec.yaml
 * that is a FIFO, a metrics.jsonl linked to /dev/zero and a 5 GiB (sparse) checkpoint each end in exit 2 naming the
 * file within seconds; before, the first three blocked forever and the last ended in Node's own RangeError.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cliPath } from '../helpers/cli';
import { tempDir } from '../train/data/files';

jest.setTimeout(180_000);

const tiny = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
let dir: string;
let run: string;

/** `netspec …` with a deadline: a read that blocks fails the test instead of hanging it. */
function netspecWithin(seconds: number, ...args: string[]): { code: number | null; stderr: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: seconds * 1000 });
  return { code: r.status, stderr: r.stderr, timedOut: r.signal === 'SIGTERM' };
}

/** A copy of the trained run, with `change` applied to it. */
function variant(name: string, change: (d: string) => void): string {
  const d = path.join(dir, name);
  fs.cpSync(run, d, { recursive: true });
  change(d);
  return d;
}

function expectRefused(r: ReturnType<typeof netspecWithin>, file: string, problem: string): void {
  expect({ timedOut: r.timedOut, code: r.code }).toEqual({ timedOut: false, code: 2 });
  expect(r.stderr).toContain(`${file}: error: ${problem}`);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

beforeAll(() => {
  dir = tempDir('run-files');
  run = path.join(dir, 'run');
  const r = netspecWithin(120, 'train', tiny, '--out', run, '--epochs', '1', '--limit', '32', '--backend', 'wasm');
  expect(r.code).toBe(0);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('run.json linked to /dev/zero: evaluate and --resume refuse it at once', () => {
  const d = variant('zero-run-json', (v) => {
    fs.rmSync(path.join(v, 'run.json'));
    fs.symlinkSync('/dev/zero', path.join(v, 'run.json'));
  });
  const file = path.join(d, 'run.json');
  expectRefused(netspecWithin(60, 'evaluate', d, '--data', 'synthetic'), file, 'is a character device, not a regular file');
  expectRefused(netspecWithin(60, 'train', '--resume', '--out', d), file, 'is a character device, not a regular file');
});

test('spec.yaml that is a FIFO with no writer: --resume refuses it at once', () => {
  const d = variant('fifo-spec', (v) => {
    fs.rmSync(path.join(v, 'spec.yaml'));
    expect(spawnSync('mkfifo', [path.join(v, 'spec.yaml')]).status).toBe(0);
  });
  expectRefused(netspecWithin(60, 'train', '--resume', '--out', d), path.join(d, 'spec.yaml'), 'is a FIFO (named pipe), not a regular file');
});

test('metrics.jsonl linked to /dev/zero: plot refuses it at once', () => {
  const d = variant('zero-metrics', (v) => {
    fs.rmSync(path.join(v, 'metrics.jsonl'));
    fs.symlinkSync('/dev/zero', path.join(v, 'metrics.jsonl'));
  });
  expectRefused(netspecWithin(60, 'plot', d), path.join(d, 'metrics.jsonl'), 'is a character device, not a regular file');
});

test('a 5 GiB last.ckpt: --resume says what its header promises, without reading it', () => {
  let size = 0;
  const d = variant('huge-ckpt', (v) => {
    const ckpt = path.join(v, 'checkpoints', 'last.ckpt');
    size = fs.statSync(ckpt).size;
    fs.truncateSync(ckpt, 5 * 1024 ** 3); // sparse: no disk space used
  });
  const r = netspecWithin(60, 'train', '--resume', '--out', d);
  expectRefused(r, path.join(d, 'checkpoints', 'last.ckpt'), `damaged: its header promises ${size} bytes`);
  expect(r.stderr).toContain(`the file has ${5 * 1024 ** 3}`);
});
