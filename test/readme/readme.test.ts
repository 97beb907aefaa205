/**
 * The README is a contract: every `netspec` command it shows runs as written. Commands come from the README itself
 * (shell blocks, `$ ` lines of output blocks, inline code); the test supplies the files they name (a CIFAR-format
 * folder, an image folder, a picture, a run directory) in a scratch working directory. Training commands get
 * `--limit 64 --epochs 1` appended and benchmarks `--list` (the suites they would run: speed is measured by
 * `npm run bench`, not by tests); a torchrun launch across machines that do not exist here gets `--dry-run` (the
 * run directory and the exact launch command, nothing launched). Those are the only changes; everything else is
 * exactly the text. Files only real Keras writes come from the Keras fixtures (scripts/ci/keras.sh); commands that
 * need them, or torch, say so and are checked for that reason when those are absent.
 * Where the README shows output after a command (an error report), those lines must be what the command prints.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { cliPath } from '../helpers/cli';
import { kerasFixtures, makeKerasFixtures } from '../backends/keras/fixtures';
import { findTorchPython } from '../../src/backends/pytorch/python';

const root = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-readme-'));

interface Example {
  command: string;
  line: number;
  /** Output lines the README prints right after the command (only in `$ ` blocks). */
  shown: string[];
}

/** Every `npx netspec …` the README shows, with the output lines that follow it in a transcript block. */
function readmeExamples(): Example[] {
  const examples: Example[] = [];
  const lines = readme.split('\n');
  let fence: string | undefined;
  lines.forEach((text, i) => {
    const open = /^```(\w*)/.exec(text);
    if (open) {
      fence = fence === undefined ? open[1] : undefined;
      return;
    }
    if (fence !== undefined) {
      const m = /^(?:\$ )?(npx netspec\b.*?)(?:\s+#.*)?$/.exec(text);
      if (!m) return;
      const shown: string[] = [];
      if (text.startsWith('$ ')) {
        for (let j = i + 1; j < lines.length && !lines[j].startsWith('$ ') && !lines[j].startsWith('```'); j++) shown.push(lines[j]);
      }
      examples.push({ command: m[1].trim(), line: i + 1, shown });
      return;
    }
    for (const m of text.matchAll(/`(npx netspec [^`]+)`/g)) examples.push({ command: m[1], line: i + 1, shown: [] });
  });
  return examples;
}

/** Splits a command line as a POSIX shell would for these simple cases (no quotes in the README's commands). */
const argv = (command: string): string[] => command.replace(/^npx netspec\s*/, '').split(/\s+/).filter(Boolean);

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { cwd: work, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const RUN_DIR = /runs\/fashion-resnet8-\d{8}-\d{6}/g;

function writePng(file: string, size: number, channels: 1 | 3, seed: number): void {
  const png = new PNG({ width: size, height: size, colorType: channels === 1 ? 0 : 2 });
  for (let p = 0; p < size * size; p++) {
    const v = (p * 37 + seed * 101) % 256;
    png.data.set([v, channels === 1 ? v : (v + 85) % 256, channels === 1 ? v : (v + 170) % 256, 255], 4 * p);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(png));
}

/** CIFAR-10 binary batches: records of one label byte and 3×32×32 channel-planar pixels. */
function writeCifar(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const records = 20;
  for (const name of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']) {
    const bytes = Buffer.alloc(records * 3073);
    for (let r = 0; r < records; r++) {
      bytes[r * 3073] = r % 10;
      for (let k = 1; k < 3073; k++) bytes[r * 3073 + k] = (r * 13 + k * 7) % 256;
    }
    fs.writeFileSync(path.join(dir, name), bytes);
  }
  fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
}

const examples = readmeExamples();
/** The run folders the README names: made by the tfjs engine, or by the torch engine where its commands use them. */
const runDirs = new Map<string, 'tfjs' | 'torch'>();
for (const e of examples) for (const m of e.command.matchAll(RUN_DIR)) if (!runDirs.has(m[0]) || /--engine torch/.test(e.command)) runDirs.set(m[0], /--engine torch/.test(e.command) ? 'torch' : 'tfjs');
const torchPython = findTorchPython();
const kerasMissing = makeKerasFixtures();

/** Why a command cannot run here (a tool it needs is absent), or undefined. */
function cannotRun(e: Example): string | undefined {
  if (/--engine torch/.test(e.command) && torchPython === undefined) return 'torch is not installed (scripts/ci/torch.sh installs python3-torch)';
  if (/\.h5\b|\.keras\b/.test(e.command) && kerasMissing) return kerasMissing;
  return undefined;
}

beforeAll(async () => {
  writeCifar(path.join(work, 'path', 'to', 'cifar-10-batches-bin'));
  for (const cls of ['cat', 'dog']) for (let k = 0; k < 4; k++) writePng(path.join(work, 'images', 'train', cls, `${k}.png`), 32, 3, k + (cls === 'dog' ? 9 : 0));
  writePng(path.join(work, 'shirt.png'), 28, 1, 3);
  if (!kerasMissing) for (const f of ['resnet_v1.h5']) fs.copyFileSync(path.join(kerasFixtures, f), path.join(work, f));
  const made = [await run(['export', 'resnet50', '--format', 'safetensors', '--out', 'resnet50.safetensors'])];
  for (const [dir, engine] of runDirs) {
    if (engine === 'torch' && torchPython === undefined) continue;
    made.push(await run(['train', '--out', dir, '--limit', '64', '--epochs', '1', ...(engine === 'torch' ? ['--engine', 'torch'] : [])]));
  }
  for (const r of made) expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
}, 10 * 60 * 1000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('the README shows the commands this test runs', () => {
  expect(examples.length).toBeGreaterThan(10);
  expect(examples.map((e) => e.command)).toContain('npx netspec train');
});

/** Spec files the README's commands name, as the README describes them next to the command. */
function specFileFor(e: Example): string | undefined {
  if (!/\bmy\.yaml\b/.test(e.command)) return undefined;
  if (e.shown.some((l) => /bottlenek/.test(l))) return 'netspec: 1\nextends: resnet50\nblock: bottlenek\n';
  return 'netspec: 1\nname: my-net\nextends: cifar/resnet20\nhead: { classes: 2 }\ntrain: { data: { path: images } }\n';
}

describe.each(examples.map((e) => [`README.md:${e.line}: ${e.command}`, e] as const))('%s', (_title, e) => {
  test('runs as written', async () => {
    const spec = specFileFor(e);
    if (spec !== undefined) fs.writeFileSync(path.join(work, 'my.yaml'), spec);
    const args = argv(e.command);
    const unavailable = cannotRun(e);
    if (unavailable !== undefined) {
      console.warn(`README.md:${e.line}: ${e.command}: not run here: ${unavailable}`);
      expect(unavailable).toMatch(/not installed|no Keras venv/);
      return;
    }
    const isTrain = args[0] === 'train';
    if (isTrain) args.push('--limit', '64', '--epochs', '1');
    if (isTrain && Number(args[args.indexOf('--nnodes') + 1] ?? 1) > 1) args.push('--dry-run');
    if (args[0] === 'bench') args.push('--list');
    // A run the README names by folder is the one beforeAll made; `train` into it again continues it.
    const r = await run(args);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at .*\(.*:\d+:\d+\)/);
    const errorShown = e.shown.find((l) => /: error: /.test(l));
    if (errorShown) {
      expect(r.code).toBe(2);
      for (const line of e.shown) expect(r.stdout + r.stderr).toContain(line);
    } else {
      expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
    }
  }, 10 * 60 * 1000);
});
