/**
 * `netspec train --resume <run-dir>`: the run directory given where the spec goes, as people type it, continues that
 * run (it records its spec) exactly as `--resume --out <run-dir>` does; with both missing the hint names both forms.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readMetrics } from '../../src/train/metrics';
import { netspec } from '../helpers/cli';
import { tempDir } from '../train/data/files';

jest.setTimeout(120_000);

const tiny = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
let dir: string;
beforeAll(() => (dir = tempDir('resume-run-dir')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('--resume with the run directory as the positional argument continues that run', async () => {
  const out = path.join(dir, 'run');
  expect((await netspec('train', tiny, '--epochs', '1', '--out', out, '--backend', 'cpu')).code).toBe(0);
  const resumed = await netspec('train', '--resume', out, '--epochs', '2', '--backend', 'cpu');
  expect(resumed.code).toBe(0);
  expect(resumed.stdout).toContain(`run: ${out} (resumed after epoch 1)`);
  expect(readMetrics(path.join(out, 'metrics.jsonl')).map((m) => m.epoch)).toEqual([1, 2]);
});

test('--resume naming no run says how to name one', async () => {
  const r = await netspec('train', '--resume', path.join(dir, 'never-trained'), '--epochs', '2');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('no run to resume here');
  expect(r.stderr).toContain('netspec train --resume <run-dir>');
  expect(r.stderr).not.toMatch(/\n\s+at /);
});
