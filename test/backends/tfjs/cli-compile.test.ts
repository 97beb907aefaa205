/** `netspec compile` and `netspec inspect --verify` as a user runs them (the built CLI in a child process). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { netspec } from '../../helpers/cli';


let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('compile writes model.json + weights.bin, prints the backend, and loads weights by name from another model', async () => {
  const out = path.join(dir, 'r20');
  const first = await netspec('compile', 'cifar/resnet20', '--out', out, '--backend', 'cpu');
  expect(first.stderr).not.toMatch(/error/);
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('backend: cpu');
  expect(first.stdout).toContain(`wrote ${path.join(out, 'model.json')} and weights.bin: 73 layers, 271,098 parameters (269,722 trainable, 1,376 non-trainable)`);
  expect(fs.statSync(path.join(out, 'weights.bin')).size).toBe(4 * 271_098);
  expect(JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')).userDefinedMetadata.netspec.spec).toBe('cifar/resnet20');

  const second = await netspec('compile', 'cifar/resnet20', '--out', path.join(dir, 'copy'), '--weights', path.join(out, 'model.json'), '--backend', 'cpu');
  expect(second.code).toBe(0);
  expect(second.stdout).toContain('loaded 97 of 97 weights');
  // Buffer.equals: jest's deep equality walks a megabyte byte by byte.
  expect(fs.readFileSync(path.join(dir, 'copy', 'weights.bin')).equals(fs.readFileSync(path.join(out, 'weights.bin')))).toBe(true);

  const wrong = await netspec('compile', 'cifar/resnet20', '--set', 'head.classes=100', '--out', path.join(dir, 'wrong'), '--weights', out, '--backend', 'cpu');
  expect(wrong.code).toBe(2);
  expect(wrong.stdout).toContain('fc/kernel: [64, 100] vs [64, 10]');
  expect(wrong.stderr).toContain('netspec: error: 0 weight(s) missing and 2 with another shape');
  expect(wrong.stderr).toContain('--allow-partial');
  expect(fs.existsSync(path.join(dir, 'wrong'))).toBe(false);
});

test('compile reports bad input in one line, without a stack', async () => {
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, '');
  const cases: [string[], RegExp][] = [
    [['--out', file], /--out .*a-file is a file, not a directory/],
    [['--out', path.join(dir, 'x'), '--weights', path.join(dir, 'none.json')], /cannot read model file .*none\.json: does not exist/],
    // The same check and message as train and evaluate: commander rejects it before anything loads.
    [['--out', path.join(dir, 'x'), '--backend', 'gpu'], /argument 'gpu' is invalid. expected one of auto, tensorflow, onednn, wasm, cpu/],
  ];
  for (const [args, message] of cases) {
    const r = await netspec('compile', 'cifar/resnet20', ...args);
    expect({ args, code: r.code }).toEqual({ args, code: 2 });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }
});

test('inspect --verify compares every layer with the IR and exits 0 when all match', async () => {
  const r = await netspec('inspect', 'keras-cifar/resnet_v2', '--verify');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^backend: /);
  expect(r.stdout).toMatch(/conv2_block1_0_conv\s+✓\s+\(32, 32, 64\)\s+1088 \/ 0/);
  expect(r.stdout).toContain('verified: all');
});
