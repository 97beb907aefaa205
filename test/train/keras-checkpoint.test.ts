/**
 * Real Keras decides: its ModelCheckpoint callback, fed a netspec run's metrics.jsonl epoch by epoch, keeps the same
 * best epoch as netspec for every monitor and mode (save_best_only=True), and names per-epoch files as netspec names
 * its snapshots (the same filepath pattern, `.weights.h5` for `.ckpt`). Needs the Keras venv of scripts/ci/keras.sh.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bestOf, bestRule } from '../../src/train/best';
import { readCheckpoint } from '../../src/train/checkpoint';
import { readMetrics } from '../../src/train/metrics';
import { startTraining } from '../../src/train/run';
import { CheckpointState } from '../../src/train/trainer';
import { kerasPython } from '../backends/keras/fixtures';

const spec = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
const PATTERN = 'ep{epoch:03d}-{val_accuracy:.4f}-{loss:.3f}';
const METRICS = ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const;

interface Case { filepath: string; monitor: string; mode: string; best_only: boolean; history: Record<string, number>[] }

function keras(cases: Case[]): string[][] {
  const out = execFileSync(kerasPython, [path.join(__dirname, 'keras_checkpoint.py')], {
    input: JSON.stringify(cases), encoding: 'utf8', env: { ...process.env, KERAS_BACKEND: 'jax', JAX_PLATFORMS: 'cpu' },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as string[][];
}

if (!fs.existsSync(kerasPython)) {
  test('Keras is missing, so ModelCheckpoint is not compared', () => {
    console.warn(`keras-checkpoint: not run, no Keras venv at ${kerasPython} (scripts/ci/keras.sh makes it)`);
    expect(fs.existsSync(kerasPython)).toBe(false);
  });
} else {
  test('Keras ModelCheckpoint keeps netspec\'s best epoch for every monitor and mode, and names snapshots alike', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-keras-ckpt-')), 'run');
    try {
      const run = await startTraining({
        spec, out, backend: 'wasm', epochs: 6, limit: 48, sets: [`train.checkpoint={monitor: val_loss, every: 1, pattern: "${PATTERN}.ckpt"}`],
      });
      expect((await run.result).reason).toBe('done');
      const records = readMetrics(path.join(out, 'metrics.jsonl'));
      const history = records.map((r) => ({ epoch: r.epoch, ...Object.fromEntries(METRICS.map((k) => [k, r[k] as number])) }));
      const rules = METRICS.flatMap((monitor) => (['auto', 'min', 'max'] as const).map((mode) => ({ monitor, mode })));
      const cases: Case[] = [
        ...rules.map((r) => ({ filepath: 'best-{epoch:03d}.weights.h5', ...r, best_only: true, history })),
        { filepath: `${PATTERN}.weights.h5`, monitor: 'val_loss', mode: 'auto', best_only: false, history },
      ];
      const written = keras(cases);
      // With save_best_only, Keras writes a file each time the best improves: the last one written is the best.
      const kerasBest = written.slice(0, rules.length).map((files) => Number(/best-(\d+)/.exec(files[files.length - 1])![1]));
      const ours = rules.map((r) => bestOf(history, bestRule(r, true))!.epoch);
      console.log(rules.map((r, i) => `${r.monitor} ${r.mode}: Keras ${kerasBest[i]}, netspec ${ours[i]}`).join('; '));
      expect(ours).toEqual(kerasBest);
      expect(new Set(kerasBest).size).toBeGreaterThan(2);
      // The run itself (val_loss, auto): best.ckpt is Keras' choice.
      expect(readCheckpoint<CheckpointState>(path.join(out, 'checkpoints', 'best.ckpt')).state.epoch).toBe(kerasBest[rules.findIndex((r) => r.monitor === 'val_loss' && r.mode === 'auto')]);
      const snapshots = fs.readdirSync(path.join(out, 'checkpoints')).filter((f) => f.startsWith('ep')).sort();
      expect(snapshots.map((f) => f.replace(/\.ckpt$/, ''))).toEqual(written[rules.length].map((f) => f.replace(/\.weights\.h5$/, '')));
      expect(snapshots).toHaveLength(6);
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  }, 5 * 60 * 1000);
}
