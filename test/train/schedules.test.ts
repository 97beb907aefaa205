/** Learning-rate schedules against hand-computed values and a transcription of the Keras example's lr_schedule. */
import { PlateauConfig, TrainingConfig } from '../../src/train/config';
import {
  cosineLr, LrScheduler, LrScheduleConfig, multiStepFactor, ReduceOnPlateau, warmupFactor,
} from '../../src/train/schedules';

/** keras/examples/cifar10_resnet.py, lr_schedule(epoch), transcribed. */
function kerasLrSchedule(epoch: number): number {
  let lr = 1e-3;
  if (epoch > 180) lr *= 0.5e-3;
  else if (epoch > 160) lr *= 1e-3;
  else if (epoch > 120) lr *= 1e-2;
  else if (epoch > 80) lr *= 1e-1;
  return lr;
}

const plateauOff: PlateauConfig = {
  enabled: false, monitor: 'val_loss', factor: 0.1, patience: 10, minLr: 0, minDelta: 1e-4, cooldown: 0,
};

function config(over: Partial<TrainingConfig>): LrScheduleConfig {
  return {
    lr: 1e-3,
    schedule: { type: 'multistep', milestones: [81, 121, 161, 181], factors: [0.1, 0.01, 0.001, 0.0005], interval: 'epoch' },
    warmup: { epochs: 0, startFactor: 0.1 },
    reduceOnPlateau: plateauOff,
    epochs: 200,
    ...over,
  };
}

test('the default multi-step schedule is the Keras example schedule at every one of its 200 epochs', () => {
  const s = new LrScheduler(config({}), 1563);
  for (let epoch = 0; epoch < 200; epoch++) {
    expect({ epoch, lr: s.lrAt(epoch, 700) }).toEqual({ epoch, lr: kerasLrSchedule(epoch) });
  }
  // The boundaries by hand: epoch 80 still 1e-3, epoch 81 is 1e-4; epoch 181 is 1e-3 × 0.5e-3 = 5e-7.
  expect(s.lrAt(80)).toBe(1e-3);
  expect(s.lrAt(81)).toBeCloseTo(1e-4, 15);
  expect(s.lrAt(181)).toBeCloseTo(5e-7, 18);
});

test('multi-step factors are absolute per milestone; step interval switches mid-epoch', () => {
  expect([0, 9.99, 10, 19, 20, 100].map((t) => multiStepFactor([10, 20], [0.5, 0.1], t))).toEqual([1, 1, 0.5, 0.5, 0.1, 0.1]);
  const s = new LrScheduler(
    config({ lr: 0.1, schedule: { type: 'multistep', milestones: [1.5], factors: [0.1], interval: 'step' } }),
    10,
  );
  expect(s.lrAt(1, 4)).toBe(0.1); // t = 1.4
  expect(s.lrAt(1, 5)).toBeCloseTo(0.01, 15); // t = 1.5
});

test('cosine: lr at t = 0, the half-way point, a quarter, and the end', () => {
  expect(cosineLr(0.1, 0, 0, 100)).toBe(0.1);
  expect(cosineLr(0.1, 0, 50, 100)).toBeCloseTo(0.05, 15);
  // (1 + cos(π/4)) / 2 · 0.1 = (1 + 0.7071067811865476) / 2 · 0.1
  expect(cosineLr(0.1, 0, 25, 100)).toBeCloseTo(0.08535533905932738, 15);
  expect(cosineLr(0.1, 0.001, 100, 100)).toBeCloseTo(0.001, 15);
  expect(cosineLr(0.1, 0.001, 150, 100)).toBeCloseTo(0.001, 15);
  const perEpoch = new LrScheduler(config({ lr: 0.1, epochs: 10, schedule: { type: 'cosine', minLr: 0, interval: 'epoch' } }), 4);
  expect(perEpoch.lrAt(5, 3)).toBeCloseTo(0.05, 15);
  const perStep = new LrScheduler(config({ lr: 0.1, epochs: 10, schedule: { type: 'cosine', minLr: 0, interval: 'step' } }), 4);
  // t = 2 + 2/4 = 2.5 of 10: 0.05 · (1 + cos(π/4))
  expect(perStep.lrAt(2, 2)).toBeCloseTo(0.05 * (1 + Math.SQRT1_2), 15);
});

test('linear warm-up multiplies any schedule, per epoch or per step', () => {
  const w = { epochs: 5, startFactor: 0.1 };
  expect([0, 1, 2.5, 5, 9].map((t) => warmupFactor(w, t))).toEqual([0.1, 0.28, 0.55, 1, 1].map((v) => expect.closeTo(v, 12)));
  expect(warmupFactor({ epochs: 0, startFactor: 0.1 }, 0)).toBe(1);
  const constant = new LrScheduler(config({ lr: 0.2, warmup: w, schedule: { type: 'constant', interval: 'step' } }), 10);
  // t = 1 + 5/10 = 1.5: 0.1 + 0.9 · 1.5 / 5 = 0.37
  expect(constant.lrAt(1, 5)).toBeCloseTo(0.2 * 0.37, 15);
  const cosine = new LrScheduler(config({ lr: 0.1, epochs: 10, warmup: w, schedule: { type: 'cosine', minLr: 0, interval: 'epoch' } }), 10);
  // epoch 2: cosine 0.05 · (1 + cos(0.2π)) times warm-up 0.1 + 0.9 · 2/5 = 0.46
  expect(cosine.lrAt(2)).toBeCloseTo(0.05 * (1 + Math.cos(0.2 * Math.PI)) * 0.46, 15);
});

test('reduce-on-plateau follows Keras step by step (patience, min_delta, cooldown, min_lr)', () => {
  const cfg: PlateauConfig = { enabled: true, monitor: 'val_loss', factor: 0.5, patience: 2, minLr: 0.02, minDelta: 0.01, cooldown: 1 };
  const s = new LrScheduler(config({ lr: 0.1, reduceOnPlateau: cfg, schedule: { type: 'constant', interval: 'epoch' } }), 5);
  const losses = [1.0, 0.995, 0.99, 0.99, 0.99, 0.985, 0.97, 0.975, 0.975, 0.975, 0.975, 0.975];
  const trace = losses.map((loss, epoch) => {
    const reduced = s.endEpoch(epoch, { val_loss: loss });
    return [epoch, reduced, Number(s.lrAt(epoch + 1).toFixed(6))];
  });
  // Hand trace. e0: best 1.0. e1, e2: 0.995 and 0.99 are not below 1.0 − 0.01 → wait 1, 2 → halve to 0.05, cooldown 1.
  // e3: the cooldown counts down to 0 and, as Keras re-checks it, waiting resumes in the same epoch → wait 1.
  // e4: wait 2 → 0.025. e5: 0.985 < 0.99 → best. e6: 0.97 < 0.975 → best. e7, e8: wait 1, 2 → 0.0125, clamped to
  // min_lr 0.02. e9: wait 1. e10, e11: wait 2, 3, but the rate (0.02) is not above min_lr: no more reductions.
  expect(trace).toEqual([
    [0, false, 0.1], [1, false, 0.1], [2, true, 0.05], [3, false, 0.05], [4, true, 0.025], [5, false, 0.025],
    [6, false, 0.025], [7, false, 0.025], [8, true, 0.02], [9, false, 0.02], [10, false, 0.02], [11, false, 0.02],
  ]);
});

test('reduce-on-plateau on an accuracy waits for increases; its state resumes through JSON', () => {
  const cfg: PlateauConfig = { enabled: true, monitor: 'val_accuracy', factor: 0.1, patience: 1, minLr: 0, minDelta: 0, cooldown: 0 };
  const a = new ReduceOnPlateau(cfg);
  expect(a.update(0.5, 1)).toBe(false);
  expect(a.update(0.6, 1)).toBe(false);
  const b = new ReduceOnPlateau(cfg, JSON.parse(JSON.stringify(a.state())));
  expect(b.update(0.6, 1)).toBe(true); // not above 0.6 → wait 1 = patience
  expect(b.apply(1)).toBeCloseTo(0.1, 15);
  expect(b.state()).toEqual({ best: 0.6, wait: 0, cooldownCounter: 0, scale: 0.1 });
  expect(new ReduceOnPlateau({ ...cfg, enabled: false }).update(0.1, 1)).toBe(false);

  const run = new LrScheduler(config({ reduceOnPlateau: { ...cfg, monitor: 'val_loss' } }), 3);
  run.endEpoch(0, { val_loss: 1 });
  run.endEpoch(1, { val_loss: 2 });
  const resumed = new LrScheduler(config({ reduceOnPlateau: { ...cfg, monitor: 'val_loss' } }), 3, JSON.parse(JSON.stringify(run.state())));
  expect(resumed.lrAt(2)).toBe(run.lrAt(2));
  expect(resumed.lrAt(2)).toBeCloseTo(1e-4, 15);
});
