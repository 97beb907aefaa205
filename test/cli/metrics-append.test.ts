/**
 * metrics.jsonl only ever holds whole lines. On a real full tmpfs an append that half fits is undone (a full disk
 * takes what fits in the last page, then answers ENOSPC); and a torn last line that a crash left is removed by
 * `train --resume` even when the whole lines before it are exactly the checkpoint's history.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readMetrics } from '../../src/train/metrics';
import { mountNamespace } from '../helpers/spawn';
import { netspec } from '../helpers/cli';
import { tempDir } from '../train/data/files';

jest.setTimeout(120_000);

const tiny = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
const builtMetrics = path.join(__dirname, '..', '..', 'dist', 'src', 'train', 'metrics.js');
let dir: string;
beforeAll(() => (dir = tempDir('metrics-append')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('an append on a full disk leaves the file exactly as it was, and the error is ENOSPC', () => {
  const mnt = path.join(dir, 'mnt');
  fs.mkdirSync(mnt);
  const available = mountNamespace(mnt);
  if (!available.ok) {
    console.warn(`no private mount namespace here (${available.reason}): the full-disk append is not exercised`);
    expect(available.reason.length).toBeGreaterThan(0);
    return;
  }
  // A one-page (4 KiB) tmpfs; the file fills it but for 20 bytes, so the next line is cut by the disk, not by us.
  const script = `
    const fs = require('fs');
    const { appendMetrics } = require(${JSON.stringify(builtMetrics)});
    const file = process.argv[1] + '/metrics.jsonl';
    fs.writeFileSync(file, '{"epoch":0}\\n'.repeat(339) + 'x'.repeat(4096 - 20 - 339 * 12 - 1) + '\\n');
    const before = fs.readFileSync(file);
    let message = 'none';
    try { appendMetrics(file, { epoch: 1, loss: 0.123456789, accuracy: 0.987654321, lr: 0.001, note: 'a line longer than 20 bytes' }); }
    catch (e) { message = e.message; }
    const after = fs.readFileSync(file);
    console.log(JSON.stringify({ message, before: before.length, after: after.length, same: before.equals(after) }));`;
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=4k tmpfs "$1" && shift && exec "$@"', 'sh', mnt,
    process.execPath, '-e', script, mnt], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({
    message: `cannot append to ${mnt}/metrics.jsonl: write failed (ENOSPC)`, before: 4076, after: 4076, same: true,
  });
});

test('train --resume removes a torn last line after the checkpoint\'s records, then appends whole lines', async () => {
  const out = path.join(dir, 'run');
  expect((await netspec('train', tiny, '--out', out, '--epochs', '2', '--limit', '32', '--backend', 'wasm')).code).toBe(0);
  const file = path.join(out, 'metrics.jsonl');
  const whole = fs.readFileSync(file, 'utf8');
  expect(whole.split('\n').length).toBe(3); // two lines and the final newline
  fs.appendFileSync(file, '{"epoch":3,"lo'); // what a kill in the middle of the next append leaves

  const resumed = await netspec('train', '--resume', '--out', out, '--epochs', '3', '--backend', 'wasm');
  expect(resumed.code).toBe(0);
  expect(resumed.stdout).toContain('resume: metrics.jsonl rewritten from the checkpoint (2 → 2 epochs)');
  const text = fs.readFileSync(file, 'utf8');
  expect(text.startsWith(whole)).toBe(true);
  const lines = text.split('\n');
  expect(lines.length).toBe(4);
  expect(lines.slice(0, 3).map((l) => JSON.parse(l).epoch)).toEqual([1, 2, 3]);
  expect(readMetrics(file).map((m) => m.epoch)).toEqual([1, 2, 3]);
});
