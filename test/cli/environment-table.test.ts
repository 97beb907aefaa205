/**
 * The internal-error path is a last resort: every CLI command, given each kind of bad input a user can hand it
 * (special files, folders where files belong, truncated, huge or malformed files, bombs), exits 2 with a message that
 * says what is wrong, and never prints "internal error" or a stack trace. (`list` takes no input.)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { runCli } from '../helpers/spawn';
import { tempDir } from '../train/data/files';

const tiny = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
let dir: string;
const at = (...p: string[]) => path.join(dir, ...p);

beforeAll(async () => {
  dir = tempDir('bad-inputs');
  const trained = await runCli(['train', tiny, '--out', at('run'), '--epochs', '1', '--limit', '32', '--backend', 'wasm']);
  expect(trained.code).toBe(0);
  execFileSync('mkfifo', [at('fifo'), at('fifo.yaml'), at('fifo.ts')]);
  fs.mkdirSync(at('folder.yaml'));
  fs.mkdirSync(at('folder.ts'));
  fs.mkdirSync(at('empty'));
  fs.writeFileSync(at('garbage.yaml'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  fs.writeFileSync(at('a-file'), 'x');
  fs.writeFileSync(at('text.png'), 'not an image');
  const model = (name: string, edit: (json: Record<string, unknown>) => void, weights?: Buffer) => {
    fs.cpSync(at('run', 'model'), at(name), { recursive: true });
    const json = JSON.parse(fs.readFileSync(at(name, 'model.json'), 'utf8'));
    edit(json);
    fs.writeFileSync(at(name, 'model.json'), JSON.stringify(json));
    if (weights) fs.writeFileSync(at(name, 'weights.bin'), weights);
  };
  model('short-weights', () => undefined, fs.readFileSync(at('run', 'model', 'weights.bin')).subarray(0, 1000));
  model('unknown-layer', (json) => {
    const topology = json.modelTopology as { config: { layers: { class_name: string }[] } };
    topology.config.layers[1].class_name = 'NoSuchLayer';
  });
  model('bad-shape', (json) => {
    (json.weightsManifest as { weights: { shape: unknown }[] }[])[0].weights[0].shape = [-3, 2];
  });
  model('bad-dtype', (json) => {
    (json.weightsManifest as { weights: { dtype: string }[] }[])[0].weights[0].dtype = 'float16';
  });
  model('escaping-path', (json) => {
    (json.weightsManifest as { paths: string[] }[])[0].paths = ['../../../../etc/passwd'];
  });
  fs.mkdirSync(at('not-json'));
  fs.writeFileSync(at('not-json', 'model.json'), '{"modelTopology": ');
  fs.mkdirSync(at('huge'));
  fs.writeFileSync(at('huge', 'model.json'), Buffer.alloc(65 * 1024 ** 2, 0x20));
  fs.mkdirSync(at('model-json-folder', 'model.json'), { recursive: true });
  // An idx folder whose training images are 1 GiB of zeros in 1 MB of gzip.
  fs.mkdirSync(at('bomb'));
  const zeros = zlib.gzipSync(Buffer.alloc(1024 ** 2));
  fs.writeFileSync(at('bomb', 'train-images-idx3-ubyte.gz'), Buffer.concat(new Array<Buffer>(1024).fill(zeros)));
  fs.writeFileSync(at('bomb', 'train-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 0]));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** command and arguments (paths relative to the fixture folder are marked with @) → a substring of stderr. */
const table: [string, string[], string][] = [
  ['validate', ['@fifo.yaml'], 'not a regular file'],
  ['validate', ['/dev/zero'], 'not a regular file'],
  ['inspect', ['@folder.yaml'], 'folder.yaml'],
  ['inspect', ['@garbage.yaml'], 'garbage.yaml'],
  ['inspect', ['@missing.yaml'], 'missing.yaml'],
  ['compile', ['cifar/resnet20', '--out', '@a-file'], 'is a file, not a directory'],
  ['compile', ['cifar/resnet20', '--out', '@a-file/model'], 'a-file'],
  ['compile', [tiny, '--weights', '@short-weights', '--out', '@o1'], "1000 bytes, but the manifest's 27 weights need 19888"],
  ['compile', [tiny, '--weights', '@not-json', '--out', '@o2'], 'is not valid JSON'],
  ['compile', [tiny, '--weights', '@huge', '--out', '@o3'], 'more than the 64 MiB netspec reads for a model file'],
  ['compile', [tiny, '--weights', '@model-json-folder', '--out', '@o4'], 'is a directory, not a regular file'],
  ['compile', [tiny, '--weights', '@fifo', '--out', '@o5'], 'fifo'],
  ['compile', [tiny, '--weights', '@bad-shape', '--out', '@o6'], 'has shape [-3,2]; expected a list of non-negative whole numbers'],
  ['compile', [tiny, '--weights', '@bad-dtype', '--out', '@o7'], "has dtype 'float16'"],
  ['compile', [tiny, '--weights', '@escaping-path', '--out', '@o8'], "weight file '../../../../etc/passwd' is outside the model's folder"],
  ['emit', ['cifar/resnet20', '--out', '@fifo.ts'], 'is a FIFO (named pipe), which netspec does not replace'],
  ['emit', ['cifar/resnet20', '--out', '@folder.ts'], 'is a folder'],
  ['emit', ['cifar/resnet20', '--out', '@missing/x.ts'], 'does not exist'],
  ['train', [tiny, '--data', '/dev/zero', '--out', '@t1'], '/dev/zero: error: is a character device, not a data file or folder'],
  ['train', [tiny, '--data', '@fifo', '--out', '@t2'], 'is a FIFO (named pipe), not a data file or folder'],
  ['train', [tiny, '--data', '@empty', '--out', '@t3'], 'no dataset found in this folder'],
  ['train', [tiny, '--data', '@bomb', '--out', '@t4'], 'idx element type is unknown type 0x0'],
  ['evaluate', ['@run', '--data', '/dev/zero'], 'is a character device'],
  ['evaluate', ['@short-weights', '--data', 'synthetic'], 'file truncated?'],
  ['evaluate', ['@unknown-layer', '--data', 'synthetic'], 'NoSuchLayer'],
  ['evaluate', ['@not-json', '--data', 'synthetic'], 'is not valid JSON'],
  ['evaluate', ['@huge', '--data', 'synthetic'], 'more than the 64 MiB'],
  ['evaluate', ['@bad-shape', '--data', 'synthetic'], 'has shape [-3,2]'],
  ['predict', ['@run', '/dev/zero'], 'is a character device, not a regular file'],
  ['predict', ['@run', '@fifo'], 'is a FIFO (named pipe), not a regular file'],
  ['predict', ['@run', '@empty'], 'is a directory, not a regular file'],
  ['predict', ['@run', '@text.png'], 'not a PNG or JPEG image'],
  ['predict', ['@missing-run', '@text.png'], 'missing-run'],
  ['plot', ['@empty'], 'no metrics.jsonl'],
  ['plot', ['@run', '--out', '@fifo'], 'which netspec does not replace'],
  ['plot', ['@run', '--out', '@empty'], 'it is a directory'],
  ['bench', ['--suite', 'nope'], 'unknown suite nope'],
];

test.each(table)('netspec %s %j exits 2 with a clear message', async (command, args, message) => {
  const r = await runCli([command, ...args.map((a) => (a.startsWith('@') ? at(a.slice(1)) : a))]);
  // validate reports on stdout (one line per problem), every other command on stderr.
  const output = r.stderr + r.stdout;
  expect(output).not.toMatch(/internal error|\n\s+at /);
  expect(output).toContain(message);
  expect(r.code).toBe(2);
});
