/**
 * Built-ins and the default `netspec train` model (fashion/resnet8), saved plain and as the inference model, load
 * with plain @tensorflow/tfjs in a fresh Node process (no netspec import: only the model directory's own
 * netspec-layers.umd.js where the model has option-A shortcuts or grouped convs) and predict what netspec predicts
 * after loading the same files, |Δ| ≤ 1e-5 relative. A ResNeXt and a frozen-stage variant cover GroupedConv2D and
 * frozen batch norms; a head.layers spec with a resize covers UpSampling2D and batch norm on flattened features.
 *
 * Every built-in is covered, the ImageNet-size ones at 64×64 (the same layers and weights; global pooling takes any
 * size): about 6 minutes here, most of it the 45–60 M-parameter nets saved, loaded and run on the cpu backend.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Tensor } from '@tensorflow/tfjs';
import { loadModel } from '../../../src/backends/tfjs/load';
import { builtinNames } from '../../../src/spec/builtins';
import { netspec } from '../../helpers/cli';
import { graphOf } from './support/models';
import { relativeError, saveCases, StockCase, TFJS_PACKAGE, tf } from './support/stock';

const IMAGENET_SMALL = ['input=[64,64,3]'];
const variants: Array<[string, string, string[]]> = [
  ['resnext50', 'resnet50', [...IMAGENET_SMALL, 'groups=32', 'base_width=4']],
  ['resnet18-frozen', 'resnet18', [...IMAGENET_SMALL, 'frozen_stages=2']],
  ['resnet18-se-droppath', 'resnet18', [...IMAGENET_SMALL, 'attention=se', 'drop_path_rate=0.2']],
  ['resnet18-eca', 'resnet18', [...IMAGENET_SMALL, 'attention=eca']],
  // head.layers (BN on [N, C], dense relu) after an UpSampling2D stem, nearest and bilinear: stock Keras layers only.
  ['small-heads', path.join(__dirname, '..', '..', 'fixtures', 'heads', 'small.yaml'), []],
  ['small-heads-bilinear', path.join(__dirname, '..', '..', 'fixtures', 'heads', 'small.yaml'), ['stem.resize.interpolation=bilinear']],
];
const isImageNet = (name: string) => !/^(cifar|keras-cifar|fashion)\//.test(name);
/**
 * 1,202 layers of random weights and BN statistics overflow float32 (NaN on both sides); its own initial weights with
 * every block starting as the identity do not (outputs finite and different per class).
 */
const DEEP: Record<string, string[]> = { 'cifar/resnet1202': ['zero_init_residual=true'] };
const builtins = builtinNames();

/**
 * Runs in a fresh `node`: loads each case with stock tfjs and writes the predictions as JSON. Plain tfjs has no
 * file:// handler in Node; this one is made of tfjs' public io helpers, as a user would write it.
 */
const CHILD = `
const tf = require(process.env.TFJS_PACKAGE);
const fs = require('fs');
const path = require('path');
const fromDir = (dir) => ({
  load: async () => tf.io.getModelArtifactsForJSON(JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')),
    async (manifest) => [tf.io.getWeightSpecs(manifest), manifest.flatMap((g) => g.paths.map((p) => {
      const b = fs.readFileSync(path.join(dir, p));
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    }))]),
});
(async () => {
  const jobs = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
  const results = {};
  for (const job of jobs) {
    const umd = path.join(job.dir, 'netspec-layers.umd.js');
    if (fs.existsSync(umd)) require(umd).registerNetspecLayers(tf);
    const model = await tf.loadLayersModel(fromDir(job.dir));
    const x = tf.tensor(job.input, job.shape);
    results[job.id] = [model.predict(x)].flat().map((t) => Array.from(t.dataSync()));
    model.dispose();
    x.dispose();
  }
  fs.writeFileSync(process.argv[2], JSON.stringify(results));
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
`;

/** Predictions of stock tfjs in a fresh Node process, by case id. */
async function stockPredict(jobs: Array<Pick<StockCase, 'id' | 'input' | 'shape'> & { dir: string }>): Promise<Record<string, number[][]>> {
  const jobsFile = path.join(root, 'jobs.json');
  const outFile = path.join(root, 'results.json');
  fs.writeFileSync(jobsFile, JSON.stringify(jobs));
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, ['-e', CHILD, jobsFile, outFile], { env: { ...process.env, TFJS_PACKAGE }, maxBuffer: 1 << 24 },
      (err, _out, stderr) => (err ? reject(new Error(`stock tfjs process failed: ${stderr}`)) : resolve()));
  });
  return JSON.parse(fs.readFileSync(outFile, 'utf8')) as Record<string, number[][]>;
}

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-stock-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('the built-ins cover option A, plain nets and the default training spec', () => {
  expect(builtins).toEqual(expect.arrayContaining(['cifar/resnet20', 'fashion/resnet8', 'resnet50', 'keras/resnet50v2']));
  expect(builtins.length).toBeGreaterThanOrEqual(29);
});

test('built-ins and variants, plain and --inference, load in stock tfjs in Node and predict what netspec predicts', async () => {
  const cases: StockCase[] = [];
  const specs: Array<[string, string, string[]]> = [
    ...builtins.map((n): [string, string, string[]] => [n.replace('/', '_'), n, [...(isImageNet(n) ? IMAGENET_SMALL : []), ...(DEEP[n] ?? [])]]),
    ...variants,
  ];
  for (const [id, ref, sets] of specs) cases.push(...await saveCases(root, id, graphOf(ref, sets), { randomize: DEEP[ref] === undefined }));
  // The layer module is written exactly where the IR says a model needs it.
  for (const c of cases) expect([c.id, fs.existsSync(path.join(root, c.id, 'netspec-layers.umd.js'))]).toEqual([c.id, c.needsLayers]);
  expect(cases.filter((c) => c.needsLayers).map((c) => c.id)).toEqual(expect.arrayContaining(['cifar_resnet20', 'resnext50-inference', 'resnet18-se-droppath', 'resnet18-eca-inference']));

  const results = await stockPredict(cases.map((c) => ({ ...c, dir: path.join(root, c.id) })));
  const errors = cases.map((c) => [c.id, relativeError(results[c.id], c.expected)] as const);
  console.log(errors.map(([id, e]) => `${id}: ${e.toExponential(2)}`).join('\n'));
  for (const [id, e] of errors) expect({ id, ok: e <= 1e-5 }).toEqual({ id, ok: true });
  // Non-vacuity: the outputs are probabilities that differ between classes (seeded weights: the same margins every run).
  const spreads = cases.map((c) => [c.id, Math.max(...c.expected[0]) - Math.min(...c.expected[0])] as const);
  console.log(`smallest spread between classes: ${spreads.reduce((a, b) => (b[1] < a[1] ? b : a)).join(' ')}`);
  for (const [id, spread] of spreads) expect({ id, ok: spread > 1e-4 }).toEqual({ id, ok: true });
});

test('the model/ of a real `netspec train` run and a `netspec compile --inference` directory load in stock tfjs', async () => {
  const run = path.join(root, 'run');
  const trained = await netspec('train', '--epochs', '1', '--limit', '128', '--out', run);
  expect(trained.code).toBe(0);
  const compiled = path.join(root, 'compiled');
  expect((await netspec('compile', 'cifar/resnet20', '--inference', '--out', compiled)).code).toBe(0);
  const jobs = [
    { id: 'train', dir: path.join(run, 'model'), shape: [2, 28, 28, 1] },
    { id: 'compile', dir: compiled, shape: [2, 32, 32, 3] },
  ].map((j) => ({ ...j, input: Array.from(tf.randomNormal(j.shape, 0, 1, 'float32', 4).dataSync()) }));
  const results = await stockPredict(jobs);
  for (const j of jobs) {
    expect(fs.existsSync(path.join(j.dir, 'netspec-layers.umd.js'))).toBe(true);
    const model = await loadModel(j.dir);
    const expected = ([model.predict(tf.tensor(j.input, j.shape))].flat() as Tensor[]).map((t) => Array.from(t.dataSync()));
    expect({ id: j.id, ok: relativeError(results[j.id], expected) <= 1e-5 }).toEqual({ id: j.id, ok: true });
    model.dispose();
  }
});
