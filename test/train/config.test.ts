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
    // netspec's penalty before the field existed (the Keras example's own is [conv]: no l2 on its Dense).
    weightDecayOn: ['conv', 'dense'],
    batchSize: 32,
    epochs: 200,
    labelSmoothing: 0,
    loss: { type: 'categorical_crossentropy', fromLogits: 'auto' },
    seed: 0,
    // Keras ModelCheckpoint as the CIFAR-10 example configures it: monitor validation accuracy, save_best_only.
    checkpoint: { monitor: 'val_accuracy', mode: 'auto', every: 0, pattern: 'epoch-{epoch:03d}.ckpt' },
    augment: {
      shift: 0.1, shiftFill: 'nearest', padCrop: 0, flip: true, normalize: 'mean_image',
      erasing: { probability: 0, area: [0.02, 0.4], aspect: [0.3, 1 / 0.3], value: 0, range: [0, 255] },
    },
    data: { path: null, format: 'auto', limit: null, adapt: { spatial: null, channels: null }, validationSplit: null, cifar100Label: 'fine' },
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

test('rmsprop and adamw default to Keras 3 (rho 0.9, epsilon 1e-7, AdamW weight_decay 0.004); loss and weight_decay_on are fields', () => {
  expect(fromWire(resolve({ optimizer: { type: 'rmsprop' } }).value).optimizer).toEqual({ type: 'rmsprop', rho: 0.9, epsilon: 1e-7, momentum: 0, centered: false });
  expect(fromWire(resolve({ optimizer: { type: 'adamw', beta2: 0.99 } }).value).optimizer).toEqual({ type: 'adamw', beta1: 0.9, beta2: 0.99, epsilon: 1e-7, weightDecay: 0.004 });
  expect(resolve({ optimizer: { type: 'rmsprop', nesterov: true } }).errors).toEqual(['/optimizer must NOT have unevaluated properties']);
  expect(resolve({ optimizer: { type: 'adam', weight_decay: 0.01 } }).ok).toBe(false);
  expect(resolve({ optimizer: { type: 'rmsprop', rho: 1 } }).ok).toBe(false);
  const bce = fromWire(resolve({ loss: { type: 'binary_crossentropy', from_logits: true }, weight_decay_on: ['conv'] }).value);
  expect([bce.loss, bce.weightDecayOn]).toEqual([{ type: 'binary_crossentropy', fromLogits: true }, ['conv']]);
  expect(fromWire(resolve({ weight_decay_on: [] }).value).weightDecayOn).toEqual([]);
  for (const bad of [{ weight_decay_on: ['bn'] }, { weight_decay_on: ['conv', 'conv'] }, { loss: { type: 'hinge' } }, { loss: { from_logits: 'yes' } }]) {
    expect(resolve(bad).ok).toBe(false);
  }
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

test('normalisation presets, the uniform erasing fill and validation_split resolve; their bad values are refused', () => {
  const { ok, value } = resolve({ augment: { normalize: 'caffe', erasing: { probability: 0.5, value: 'uniform' } }, data: { validation_split: 0.2, format: 'h5' } });
  expect(ok).toBe(true);
  const cfg = fromWire(value);
  expect(cfg.augment.normalize).toBe('caffe');
  expect(cfg.augment.erasing).toEqual({ probability: 0.5, area: [0.02, 0.4], aspect: [0.3, 1 / 0.3], value: 'uniform', range: [0, 255] });
  expect(cfg.data.validationSplit).toBe(0.2);
  expect(cfg.data.format).toBe('h5');
  // 0 means no split, as null does.
  expect(fromWire(resolve({ data: { validation_split: 0 } }).value).data.validationSplit).toBeNull();
  for (const bad of [{ augment: { normalize: 'cafe' } }, { data: { validation_split: 0.7 } }, { augment: { erasing: { range: [0, 300] } } }, { augment: { erasing: { value: 'uniforn' } } }]) {
    expect(resolve(bad).ok).toBe(false);
  }
  const inverted = fromWire(resolve({ augment: { erasing: { value: 'uniform', range: [200, 50] } } }).value);
  expect(trainingDiagnostics(inverted).map((d) => [d.code, d.pointer])).toEqual([['train/range-order', '/train/augment/erasing/range']]);
});
