#!/usr/bin/env node
/*
 * Kill-9 soak of `netspec train --resume`. For each recipe (SGD, SGD with momentum or Nesterov, Adam; constant,
 * multistep, cosine per step, warm-up, reduce-on-plateau) it trains once without interruption, then trains the same
 * run again while killing it with SIGKILL — at random times, and in the middle of every kind of write (checkpoints,
 * model export, metrics append, plot, run files) through the NETSPEC_TEST_PAUSE_AT test hook — and continues after
 * each kill with `netspec train --resume --out RUN` alone (the original command again when the kill came before
 * run.json existed). The finished run must then equal the uninterrupted one:
 *
 *   - model/weights.bin and the weights and optimizer slots of checkpoints/last.ckpt bit-identical;
 *   - metrics.jsonl exactly one line per epoch, equal except for the timing fields (seconds, images_per_second);
 *   - model/ holding the weights of last.ckpt; best.ckpt the checkpoint of the epoch with the highest val_accuracy
 *     (the default monitor); the snapshot of every epoch there and equal to the uninterrupted run's;
 *   - metrics.svg the plot of metrics.jsonl; no temporary files left.
 *
 *   npm run soak -- --kills N --seed S [--recipes a,b] [--spec fashion/resnet8] [--limit 64] [--epochs 3] [--keep]
 *
 * Needs `npm run build` (it runs bin/netspec.js and reads dist/). Exit 0 when every recipe holds.
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'bin', 'netspec.js');
const { readCheckpoint } = require(path.join(root, 'dist', 'src', 'train', 'checkpoint'));
const { readMetrics } = require(path.join(root, 'dist', 'src', 'train', 'metrics'));
const { renderMetricsSvg } = require(path.join(root, 'dist', 'src', 'train', 'plot'));
const { Rng } = require(path.join(root, 'dist', 'src', 'train', 'rng'));

const RECIPES = {
  'sgd-constant': ['train.optimizer={type: sgd, momentum: 0}', 'train.lr=0.05', 'train.schedule={type: constant}'],
  'momentum-multistep': ['train.optimizer={type: sgd, momentum: 0.9}', 'train.lr=0.05', 'train.schedule={type: multistep, milestones: [1, 2], factors: [0.1, 0.01]}'],
  'nesterov-cosine-step': ['train.optimizer={type: sgd, momentum: 0.9, nesterov: true}', 'train.lr=0.05', 'train.schedule={type: cosine, min_lr: 0.001, interval: step}'],
  'adam-constant': ['train.optimizer={type: adam}', 'train.lr=0.002', 'train.schedule={type: constant}'],
  'adam-warmup-cosine': ['train.optimizer={type: adam}', 'train.lr=0.002', 'train.warmup={epochs: 1, start_factor: 0.1}', 'train.schedule={type: cosine, min_lr: 0.0001, interval: step}'],
  'adam-plateau': ['train.optimizer={type: adam}', 'train.lr=0.002', 'train.schedule={type: constant}', 'train.reduce_on_plateau={enabled: true, monitor: val_accuracy, min_delta: 1, patience: 0, factor: 0.5}'],
};

/** Every file a run writes, as the test hook names them: a kill in the middle of each kind of write. */
const WRITES = ['last.ckpt', 'best.ckpt', 'snapshot', 'metrics.jsonl', 'weights.bin', 'model.json', 'metrics.svg', 'run.json', 'spec.yaml'];
/** Every run keeps a snapshot per epoch, so kills also land between last.ckpt and the snapshot of its epoch. */
const SNAPSHOTS = 'train.checkpoint={every: 1}';
const snapshotOf = (epoch) => `epoch-${String(epoch).padStart(3, '0')}.ckpt`;
const TIMING = ['seconds', 'images_per_second'];

function parseArgs(argv) {
  const o = { kills: 10, seed: 1, recipes: Object.keys(RECIPES), spec: 'fashion/resnet8', limit: 64, epochs: 3, batchSize: 16, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--kills') o.kills = Number(value);
    else if (flag === '--seed') o.seed = Number(value);
    else if (flag === '--recipes') o.recipes = value.split(',');
    else if (flag === '--spec') o.spec = value;
    else if (flag === '--limit') o.limit = Number(value);
    else if (flag === '--epochs') o.epochs = Number(value);
    else if (flag === '--batch-size') o.batchSize = Number(value);
    else if (flag === '--quiet') { o.quiet = true; continue; }
    else if (flag === '--keep') { o.keep = true; continue; }
    else throw new Error(`unknown option ${flag}`);
    i++;
  }
  for (const r of o.recipes) if (!RECIPES[r]) throw new Error(`unknown recipe ${r}; known: ${Object.keys(RECIPES).join(', ')}`);
  return o;
}

/**
 * Runs the CLI; `kill` is { afterMs } or { pauseAt }: SIGKILL after that time, or when the hook reports the pause.
 * Resolves with how it ended.
 */
function netspec(args, kill) {
  const env = { ...process.env };
  delete env.NETSPEC_TEST_PAUSE_AT;
  if (kill && kill.pauseAt) env.NETSPEC_TEST_PAUSE_AT = kill.pauseAt;
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  let timer;
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    if (kill && kill.pauseAt && stderr.includes('netspec-test-pause ')) child.kill('SIGKILL');
  });
  if (kill && kill.afterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function trainArgs(o, sets, out) {
  return ['train', o.spec, '--data', 'synthetic', '--limit', String(o.limit), '--batch-size', String(o.batchSize),
    '--epochs', String(o.epochs), ...[...sets, SNAPSHOTS].flatMap((s) => ['--set', s]), '--out', out, '--backend', 'wasm'];
}

const floats = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const untimed = (records) => records.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !TIMING.includes(k))));

/** model/weights.bin as name → bytes, from the manifest in model.json. */
function modelTensors(dir) {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model', 'model.json'), 'utf8'));
  const bin = fs.readFileSync(path.join(dir, 'model', 'weights.bin'));
  const out = new Map();
  let offset = 0;
  for (const w of json.weightsManifest[0].weights) {
    const bytes = 4 * w.shape.reduce((a, b) => a * b, 1);
    out.set(w.name, bin.subarray(offset, offset + bytes));
    offset += bytes;
  }
  return out;
}

function tempFiles(dir) {
  return fs.readdirSync(dir, { recursive: true }).filter((f) => /^\..+\.tmp$/.test(path.basename(String(f))));
}

/** Every way the finished run differs from the reference (empty: none). */
function compareRuns(ref, run, epochs) {
  const problems = [];
  if (!fs.readFileSync(path.join(run, 'model', 'weights.bin')).equals(fs.readFileSync(path.join(ref, 'model', 'weights.bin')))) {
    problems.push('model/weights.bin differs from the uninterrupted run');
  }
  const [a, b] = [ref, run].map((d) => readCheckpoint(path.join(d, 'checkpoints', 'last.ckpt')));
  const same = (x, y) => x.length === y.length && x.every((v, i) => floats(v).equals(floats(y[i])));
  if (!same(a.modelValues, b.modelValues)) problems.push('last.ckpt weights differ from the uninterrupted run');
  if (!same(a.optimizerValues, b.optimizerValues)) problems.push('last.ckpt optimizer state differs from the uninterrupted run');
  const [ma, mb] = [ref, run].map((d) => readMetrics(path.join(d, 'metrics.jsonl')));
  if (mb.length !== epochs) problems.push(`metrics.jsonl has ${mb.length} lines for ${epochs} epochs`);
  if (JSON.stringify(untimed(ma)) !== JSON.stringify(untimed(mb))) problems.push('metrics.jsonl differs from the uninterrupted run beyond timing');
  const tensors = modelTensors(run);
  b.model.forEach((e, i) => {
    if (!tensors.has(e.name) || !tensors.get(e.name).equals(floats(b.modelValues[i]))) problems.push(`model/ ${e.name} is not last.ckpt's`);
  });
  // Keras ModelCheckpoint's rule for the default monitor: the first epoch with the highest val_accuracy.
  const best = readCheckpoint(path.join(run, 'checkpoints', 'best.ckpt'));
  const highest = mb.reduce((x, r) => (r.val_accuracy > x.val_accuracy ? r : x), mb[0]);
  if (best.state.epoch !== highest.epoch) problems.push(`best.ckpt is epoch ${best.state.epoch}, the highest val_accuracy is first reached at epoch ${highest.epoch}`);
  for (let e = 1; e <= epochs; e++) {
    const file = (d) => path.join(d, 'checkpoints', snapshotOf(e));
    if (!fs.existsSync(file(run))) problems.push(`${snapshotOf(e)} is missing`);
    else if (!same(readCheckpoint(file(ref)).modelValues, readCheckpoint(file(run)).modelValues)) problems.push(`${snapshotOf(e)} differs from the uninterrupted run's`);
  }
  const svg = fs.readFileSync(path.join(run, 'metrics.svg'), 'utf8');
  if (svg !== renderMetricsSvg(mb, path.basename(path.resolve(run)))) problems.push('metrics.svg is not the plot of metrics.jsonl');
  const temps = tempFiles(run);
  if (temps.length) problems.push(`temporary files left: ${temps.join(', ')}`);
  return problems;
}

/** The n-th write of `file` a process may reach: run files once per process, the others once per epoch. */
function pausePoint(file, rng, epochs) {
  if (file === 'snapshot') return `${snapshotOf(1 + rng.int(epochs))}:1`;
  return `${file}:${file === 'spec.yaml' || file === 'run.json' ? 1 : 1 + rng.int(epochs)}`;
}

async function soakRecipe(name, o, rng, tmp, log) {
  const sets = RECIPES[name];
  const ref = path.join(tmp, `${name}-ref`);
  const started = Date.now();
  const uninterrupted = await netspec(trainArgs(o, sets, ref));
  if (uninterrupted.code !== 0) return { name, kills: {}, runs: 0, problems: [`uninterrupted run failed: ${uninterrupted.stderr}`] };
  const duration = Date.now() - started;
  const kills = {};
  const problems = [];
  let runs = 0;
  let run = path.join(tmp, `${name}-0`);
  /** One process on the run: the original command until run.json exists, then `--resume --out RUN` alone. */
  const launch = async (kill) => {
    const resumable = fs.existsSync(path.join(run, 'run.json'));
    const r = await netspec(resumable ? ['train', '--resume', '--out', run] : trainArgs(o, sets, run), kill);
    if (r.signal === 'SIGKILL') return 'killed';
    if (r.code !== 0) problems.push(`${resumable ? 'resume' : 'start'} exited ${r.code}: ${r.stderr.trim()}`);
    return 'ended';
  };
  /** A run that finished is checked, and the remaining kills go to a new one. */
  const finished = () => {
    problems.push(...compareRuns(ref, run, o.epochs).map((p) => `run ${runs + 1}: ${p}`));
    runs++;
    run = path.join(tmp, `${name}-${runs}`);
  };
  for (let k = 0; k < o.kills; k++) {
    // Half the kills at a random moment of a whole run's time, half in the middle of a chosen write.
    const kill = rng.next() < 0.5
      ? { afterMs: Math.floor(rng.uniform(0, duration)) }
      : { pauseAt: pausePoint(WRITES[rng.int(WRITES.length)], rng, o.epochs) };
    const label = kill.pauseAt ? `during ${kill.pauseAt.split(':')[0].replace(/^epoch-\d+/, 'epoch-N')}` : 'at a random time';
    if ((await launch(kill)) === 'killed') kills[label] = (kills[label] || 0) + 1;
    else if (problems.length === 0) finished();
  }
  if (problems.length === 0) {
    if ((await launch(undefined)) === 'killed') problems.push('the final resume was killed');
    else if (problems.length === 0) finished();
  }
  const killed = Object.values(kills).reduce((a, n) => a + n, 0);
  log(`${name}: ${problems.length ? 'FAILED' : 'ok'}; ${killed} SIGKILLs (${Object.entries(kills).map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}); ${runs} finished run(s) equal to the uninterrupted one`);
  for (const p of problems) log(`  ${p}`);
  return { name, kills, runs, problems };
}

async function soak(options) {
  const o = { ...parseArgs([]), ...options };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-soak-'));
  const log = o.quiet ? () => {} : (line) => process.stdout.write(`${line}\n`);
  const rng = Rng.fromSeed(o.seed, 'soak');
  const results = [];
  try {
    for (const name of o.recipes) results.push(await soakRecipe(name, o, rng, tmp, log));
  } finally {
    if (o.keep) log(`runs kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  return results;
}

module.exports = { soak, RECIPES, WRITES };

if (require.main === module) {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  soak(o).then((results) => {
    const killed = results.reduce((a, r) => a + Object.values(r.kills).reduce((x, n) => x + n, 0), 0);
    const failed = results.filter((r) => r.problems.length);
    process.stdout.write(`${results.length} recipes, ${killed} SIGKILLs, ${results.reduce((a, r) => a + r.runs, 0)} finished runs compared, ${failed.length} failed, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    process.exitCode = failed.length ? 1 : 0;
  }, (e) => {
    process.stderr.write(`${e.stack || e}\n`);
    process.exitCode = 1;
  });
}
