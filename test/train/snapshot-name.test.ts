/**
 * Snapshot names are what Keras' ModelCheckpoint would write: `filepath.format(epoch=epoch + 1, **logs)`, i.e.
 * Python's str.format, which is the oracle here (python3 itself formats every case). The problems of bad patterns
 * are pinned with their exact codes and pointers.
 */
import { spawnSync } from 'child_process';
import { compileSpec } from '../../src/ir/compile';
import { patternProblems, snapshotName } from '../../src/train/snapshot-name';

const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'pass']).status === 0);

const patterns = [
  'epoch-{epoch:03d}.ckpt', 'e{epoch}.ckpt', '{epoch:02d}-{val_accuracy:.4f}.ckpt', '{epoch:02d}-{val_loss:.2f}.ckpt',
  '{epoch}-{loss}.ckpt', '{epoch}-{loss:.2f}-{accuracy:.2f}.ckpt', '{epoch:5d}-{lr}.ckpt', '{epoch:.1f}_{accuracy:08.3f}.ckpt', 'weights.{epoch:02d}-{val_loss:.0f}.ckpt', '{{x}}{epoch}.ckpt',
];
const metrics = [
  // 0.125 and 0.375 are exact binary ties: Python rounds them half to even (0.12, 0.38), JavaScript's toFixed up.
  { epoch: 1, loss: 0.125, accuracy: 0.375, val_loss: 2.5, val_accuracy: 0.8333333333333334, lr: 1e-5 },
  { epoch: 12, loss: 1, accuracy: 0.1 + 0.2, val_loss: 0.5, val_accuracy: 0.25, lr: 0.001 },
  { epoch: 200, loss: 1234.5678, accuracy: 1, val_loss: 1e-7, val_accuracy: 0.96875, lr: 5e-7 },
  { epoch: 3, loss: 3.5, accuracy: 0.0001, val_loss: 1e16, val_accuracy: 0.6999999999999998, lr: 0.1 },
];

if (python === undefined) {
  test('the Python oracle is missing, so names are not compared with str.format', () => {
    console.warn('snapshot-name: python3 not found; the str.format comparison does not run');
    expect(spawnSync('python3', ['-c', 'pass']).status).not.toBe(0);
  });
} else {
  test('names equal Python str.format for every pattern and metric set (ties half to even, repr of floats)', () => {
    const cases = patterns.flatMap((p) => metrics.map((m) => ({ p, m })));
    const script = 'import json,sys\nfor c in json.load(sys.stdin): print(c["p"].format(**c["m"]))';
    // Python's json reads 1 as an int; the metrics are floats in Keras' logs, so they are sent as floats.
    const payload = JSON.stringify(cases).replace(/"(loss|accuracy|val_loss|val_accuracy|lr)":(-?\d+)([,}])/g, '"$1":$2.0$3');
    const r = spawnSync(python, ['-c', script], { input: payload, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const expected = r.stdout.trimEnd().split('\n');
    expect(cases.map((c) => snapshotName(c.p, c.m))).toEqual(expected);
    // Non-vacuous: the cases include ties that JavaScript's own rounding gets wrong.
    expect(expected).toContain('1-0.12-0.38.ckpt');
    expect(`${(0.125).toFixed(2)}-${(0.375).toFixed(2)}`).toBe('0.13-0.38');
    expect(expected).toContain('01-0.8333.ckpt');
  });
}

const bad: [pattern: string, message: RegExp, hint: RegExp][] = [
  ['../epoch-{epoch}.ckpt', /has a path separator/, /file name only/],
  ['sub/epoch-{epoch}.ckpt', /has a path separator/, /file name only/],
  ['a..{epoch}.ckpt', /contains '\.\.'/, /plain file name/],
  ['epoch-{epoch}.h5', /does not end in \.ckpt/, /e\.g\. epoch-\{epoch\}\.ckpt/],
  ['best.ckpt', /has no \{epoch\}: two snapshots could get the same name/, /add the epoch/],
  ['{epoch}-{val_acc:.4f}.ckpt', /names \{val_acc\}, which is not an epoch metric/, /did you mean 'val_accuracy'\?/],
  ['{epoch}-{loss:d}.ckpt', /formats a float as an integer/, /\{loss:\.4f\}/],
  ['{epoch:x}.ckpt', /format type 'x' of \{epoch\} is not supported/, /d \(integers\) or f/],
  ['{epoch:.3}.ckpt', /only the f type takes a precision/, /\{epoch:\.3f\}/],
  ['{epoch.ckpt', /'\{' at position 1 is never closed/, /'\{\{'/],
  ['{epoch}}.ckpt', /a single '\}' at position 8/, /'\}\}'/],
];

test.each(bad)('pattern %s is refused', (pattern, message, hint) => {
  const problems = patternProblems(pattern);
  expect(problems.length).toBeGreaterThan(0);
  expect(problems.some((p) => message.test(p.message) && hint.test(p.hint ?? ''))).toBe(true);
});

test('good patterns have no problems', () => {
  for (const p of patterns) expect(patternProblems(p)).toEqual([]);
});

test('a bad pattern in a spec is a located train/checkpoint-pattern error at the value', () => {
  const d = compileSpec('fashion/resnet8', { sets: ['train.checkpoint={every: 2, pattern: "../e{epoch}.ckpt"}'] }).diagnostics;
  expect(d.map((x) => [x.code, x.pointer, x.location?.file, x.location?.line])).toEqual([
    ['train/checkpoint-pattern', '/train/checkpoint/pattern', '<command line>', 1],
    ['train/checkpoint-pattern', '/train/checkpoint/pattern', '<command line>', 1],
  ]);
});
