/**
 * `netspec train --weights`: a new run that starts from weights loaded by name. What a newcomer gets wrong first
 * (a head the file does not have, a typo in the path, --weights on a resumed run or the torch engine) is exit 2 with
 * a hint, never a run started from the wrong weights.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { netspec } from '../helpers/cli';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-train-weights-'));
const base = path.join(root, 'base');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  // The backbone of fashion/resnet8 without its classifier: what a pretrained base looks like to a new head.
  const r = await netspec('compile', 'fashion/resnet8', '--set', 'head.include_top=false', '--out', base, '--backend', 'wasm');
  expect(r.code).toBe(0);
}, 300_000);

const train = (...args: string[]) => netspec('train', 'fashion/resnet8', '--data', 'synthetic', '--limit', '4', '--batch-size', '4', '--epochs', '1', '--backend', 'wasm', ...args);

test('a file without the head is refused, naming what is missing and --allow-partial; nothing is trained', async () => {
  const out = path.join(root, 'refused');
  const r = await train('--weights', path.join(base, 'model.json'), '--out', out);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/2 weight\(s\) missing and 0 with another shape in .*model\.json; training not started/);
  expect(r.stderr).toContain('--allow-partial');
  expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  expect(fs.existsSync(path.join(out, 'metrics.jsonl'))).toBe(false);
});

test('with --allow-partial the run starts from the file: the report lists the head as missing, run.json records the file', async () => {
  const out = path.join(root, 'partial');
  const r = await train('--weights', path.join(base, 'model.json'), '--allow-partial', '--out', out);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  expect(r.stdout).toMatch(/loaded \d+ of \d+ weights from .*model\.json/);
  expect(r.stdout).toContain('missing from the file (2 weights)');
  expect(JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')).weights).toEqual({ source: path.join(base, 'model.json'), allowPartial: true });

  const resumed = await netspec('train', '--resume', '--out', out, '--weights', path.join(base, 'model.json'));
  expect(resumed.code).toBe(2);
  expect(resumed.stderr).toContain('train/resume-conflict');
  expect(resumed.stderr).toContain('drop --weights');
});

test('a path that does not exist, and --weights with the torch engine, are usage errors', async () => {
  const missing = await train('--weights', path.join(root, 'nope.h5'), '--out', path.join(root, 'nope'));
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('nope.h5');
  expect(missing.stderr).not.toMatch(/internal error/);
  const torch = await netspec('train', 'fashion/resnet8', '--engine', 'torch', '--weights', path.join(base, 'model.json'), '--dry-run');
  expect(torch.code).toBe(2);
  expect(torch.stderr).toContain('--weights applies to --engine tfjs');
});
