/** specs/training.schema.json: self-contained, fully described and defaulted; defaults = the Keras CIFAR-10 recipe. */
import Ajv2020 from 'ajv/dist/2020';
import * as fs from 'fs';
import * as path from 'path';
import { fromWire, TrainingConfig, trainingDiagnostics, TrainingWire } from '../../src/train/config';

const schemaFile = path.join(__dirname, '..', '..', 'specs', 'training.schema.json');
const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));

function validator() {
  return new Ajv2020({ useDefaults: true, allErrors: true, strict: true }).compile(schema);
}

function resolve(train: unknown): { ok: boolean; value: TrainingWire; errors: string[] } {
  const v = validator();
  const value = JSON.parse(JSON.stringify(train));
  const ok = v(value);
  return { ok, value, errors: (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
}

/** Every schema that declares `properties`, with the path to it (`if` conditions only test values: skipped). */
function propertyHolders(node: unknown, at = '#'): [string, Record<string, Record<string, unknown>>][] {
  if (!node || typeof node !== 'object') return [];
  const out: [string, Record<string, Record<string, unknown>>][] = [];
  for (const [k, v] of Object.entries(node)) {
    if (k === 'if') continue;
    if (k === 'properties') out.push([at, v as Record<string, Record<string, unknown>>]);
    out.push(...propertyHolders(v, `${at}/${k}`));
  }
  return out;
}

test('is a self-contained 2020-12 schema in which every property has a description and a default', () => {
  expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  expect(JSON.stringify(schema)).not.toMatch(/"\$ref"/);
  const holders = propertyHolders(schema);
  const props = holders.flatMap(([at, p]) => Object.entries(p).map(([name, s]) => ({ at: `${at}/${name}`, s })));
  expect(props.length).toBeGreaterThan(40);
  const missing = props.filter(({ s }) => !('default' in s) || typeof s.description !== 'string' || !s.description);
  expect(missing.map((m) => m.at)).toEqual([]);
});

test('an empty train section resolves to the Keras CIFAR-10 example recipe', () => {
  const { ok, value } = resolve({});
  expect(ok).toBe(true);
  const expected: TrainingConfig = {
    optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    lr: 1e-3,
    // Keras: `if epoch > 180: lr *= 0.5e-3 elif epoch > 160: 1e-3 elif epoch > 120: 1e-2 elif epoch > 80: 1e-1`.
    schedule: { type: 'multistep', milestones: [81, 121, 161, 181], factors: [0.1, 0.01, 0.001, 0.0005], interval: 'epoch' },
    warmup: { epochs: 0, startFactor: 0.1 },
    reduceOnPlateau: { enabled: false, monitor: 'val_loss', factor: 0.1, patience: 10, minLr: 0, minDelta: 1e-4, cooldown: 0 },
    weightDecay: 1e-4,
    batchSize: 32,
    epochs: 200,
    labelSmoothing: 0,
    seed: 0,
    // Keras ModelCheckpoint as the CIFAR-10 example configures it: monitor validation accuracy, save_best_only.
    checkpoint: { monitor: 'val_accuracy', mode: 'auto', every: 0, pattern: 'epoch-{epoch:03d}.ckpt' },
    augment: {
      shift: 0.1, shiftFill: 'nearest', padCrop: 0, flip: true, normalize: 'mean_image',
      erasing: { probability: 0, area: [0.02, 0.4], aspect: [0.3, 1 / 0.3], value: 0 },
    },
    data: { path: null, format: 'auto', limit: null, adapt: { spatial: null, channels: null }, cifar100Label: 'fine' },
  };
  expect(fromWire(value)).toEqual(expected);
  expect(trainingDiagnostics(expected)).toEqual([]);
});

test('each optimizer and schedule type takes only its own settings, with their defaults', () => {
  const sgd = resolve({ optimizer: { type: 'sgd', nesterov: true }, schedule: { type: 'cosine', min_lr: 1e-5, interval: 'step' } });
  expect(sgd.ok).toBe(true);
  const cfg = fromWire(sgd.value);
  expect(cfg.optimizer).toEqual({ type: 'sgd', momentum: 0.9, nesterov: true });
  expect(cfg.schedule).toEqual({ type: 'cosine', minLr: 1e-5, interval: 'step' });
  expect(fromWire(resolve({ schedule: { type: 'constant' } }).value).schedule).toEqual({ type: 'constant', interval: 'epoch' });

  const wrong = resolve({ optimizer: { type: 'sgd', beta1: 0.9 }, schedule: { type: 'cosine', milestones: [10] }, batch_size: 0, bogus: 1 });
  expect(wrong.ok).toBe(false);
  expect(wrong.errors.sort()).toEqual([
    ' must NOT have additional properties',
    '/batch_size must be >= 1',
    '/optimizer must NOT have unevaluated properties',
    '/schedule must NOT have unevaluated properties',
  ]);
  expect(resolve({ augment: { normalize: 'zca' } }).ok).toBe(false);
  expect(resolve({ data: { adapt: { spatial: 'pad', channels: 'repeat' }, limit: 100, path: 'x' } }).ok).toBe(true);
});

test('relations between fields are checked with stable codes and pointers', () => {
  const { value } = resolve({
    schedule: { milestones: [30, 20, 40], factors: [0.1, 0.01] },
    augment: { pad_crop: 4, erasing: { area: [0.5, 0.1] } },
    warmup: { epochs: 5 },
    epochs: 3,
  });
  expect(trainingDiagnostics(fromWire(value)).map((d) => [d.code, d.pointer, d.message])).toEqual([
    ['train/factors-length', '/train/schedule/factors', 'schedule.factors has 2 values but milestones has 3'],
    ['train/milestones-order', '/train/schedule/milestones/1', 'schedule.milestones must increase: 20 follows 30'],
    ['train/shift-and-pad-crop', '/train/augment/pad_crop', 'augment.shift and augment.pad_crop are two forms of the same translation; use one'],
    ['train/range-order', '/train/augment/erasing/area', 'augment.erasing.area is [0.5, 0.1]: the lower bound is above the upper one'],
    ['train/warmup-too-long', '/train/warmup/epochs', 'warmup.epochs (5) is longer than the run (3 epochs)'],
  ]);
});
