/**
 * Binary cross-entropy against its closed form −[y·ln p + (1 − y)·ln(1 − p)] averaged over units and rows (Keras
 * `BinaryCrossentropy`), from probabilities and from logits (p = σ(x)), one-hot targets for a unit per class and
 * the label itself for a one-unit head, with Keras' smoothing y·(1 − ε) + ε/2; real Keras 3 and the torch engine's
 * batch_loss against the same numbers; the head decides `from_logits: auto`; pairings that cannot train are refused.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { selectBackend } from '../../src/runtime/backend';
import { tf } from '../../src/runtime/tf';
import { headLoss, headLossDiagnostics, unitsFit } from '../../src/train/head-loss';
import { batchLoss, binaryCrossEntropy, crossEntropy, predictedClasses, top1Hits } from '../../src/train/loss';
import { graphOf } from '../helpers/compile';
import { describeWithKeras, kerasEnv } from '../backends/keras/keras-env';
import { describeWithTorch } from '../backends/pytorch/torch-env';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Mean over rows of the mean over units of −[y ln p + (1 − y) ln(1 − p)]. */
function bceByHand(p: number[][], y: number[][]): number {
  const rows = p.map((row, n) => row.reduce((s, q, k) => s - (y[n][k] * Math.log(q) + (1 - y[n][k]) * Math.log(1 - q)), 0) / row.length);
  return rows.reduce((a, b) => a + b, 0) / rows.length;
}

const LOGITS = [[2.0, -1.0, 0.5], [-3.0, 0.2, 4.0], [0.0, 1.5, -2.5], [8.0, -9.0, 0.1]];
const LABELS = Int32Array.from([0, 2, 1, 1]);
const onehot = (labels: Int32Array, k: number) => Array.from(labels, (l) => Array.from({ length: k }, (_, j) => (j === l ? 1 : 0)));
const smooth = (y: number[][], e: number) => y.map((r) => r.map((v) => v * (1 - e) + e / 2));
const value = (t: Tensor) => { const v = t.dataSync()[0]; t.dispose(); return v; };

beforeAll(() => selectBackend({ backend: 'cpu' }));

describe('binary cross-entropy', () => {
  const probs = LOGITS.map((r) => r.map(sigmoid));
  test.each([0, 0.1])('a unit per class, smoothing %s: from logits and from probabilities equal the closed form', (e) => {
    const expected = bceByHand(probs, smooth(onehot(LABELS, 3), e));
    expect(value(binaryCrossEntropy(tf.tensor2d(LOGITS), LABELS, e, true))).toBeCloseTo(expected, 5);
    expect(value(binaryCrossEntropy(tf.tensor2d(probs), LABELS, e, false))).toBeCloseTo(expected, 5);
    expect(value(batchLoss(tf.tensor2d(LOGITS), LABELS, 3, { type: 'binary_crossentropy', fromLogits: true, smoothing: e }))).toBeCloseTo(expected, 5);
  });

  test('one unit: the label (0 or 1) is the target, class 1 is "more likely than not"', () => {
    const x = [[1.2], [-0.4], [3.0], [-2.0]];
    const labels = Int32Array.from([1, 0, 0, 1]);
    const expected = bceByHand(x.map((r) => r.map(sigmoid)), Array.from(labels, (l) => [l]));
    expect(value(binaryCrossEntropy(tf.tensor2d(x), labels, 0, true))).toBeCloseTo(expected, 5);
    expect(value(binaryCrossEntropy(tf.tensor2d(x.map((r) => r.map(sigmoid))), labels, 0, false))).toBeCloseTo(expected, 5);
    expect(Array.from(predictedClasses(tf.tensor2d(x), true))).toEqual([1, 0, 1, 0]);
    expect(Array.from(predictedClasses(tf.tensor2d(x.map((r) => r.map(sigmoid))), false))).toEqual([1, 0, 1, 0]);
    expect(top1Hits(tf.tensor2d(x), labels, true)).toBe(2);
  });

  test('a logit of ±100 costs its margin, not ∞ or NaN (the stable form), and probabilities clip at 1e-7 as Keras', () => {
    // Label 0 with logit 100: −ln(1 − σ(100)) = 100 + ln(1 + e^−100) ≈ 100.
    expect(value(binaryCrossEntropy(tf.tensor2d([[100]]), Int32Array.from([0]), 0, true))).toBeCloseTo(100, 3);
    // p = 1 clips to 1 − 1e-7, which float32 holds as 1 − 2⁻²³ (as in Keras): the loss is −ln(2⁻²³) ≈ 15.94.
    expect(value(binaryCrossEntropy(tf.tensor2d([[1]]), Int32Array.from([0]), 0, false))).toBeCloseTo(-Math.log(1 - Math.fround(1 - 1e-7)), 3);
  });

  test('categorical cross-entropy is unchanged: −ln softmax(x)_y', () => {
    const expected = LOGITS.reduce((s, r, n) => s - (r[LABELS[n]] - Math.log(r.reduce((a, v) => a + Math.exp(v), 0))), 0) / LOGITS.length;
    expect(value(crossEntropy(tf.tensor2d(LOGITS), LABELS, 3, 0, true))).toBeCloseTo(expected, 5);
  });
});

describeWithTorch('the torch engine', [], (python) => {
  test('the torch engine (python/netspec_optim.py batch_loss) gives the same BCE, mean and sum, one unit and three', () => {
    const code = [
      'import json, sys, torch', `sys.path.insert(0, ${JSON.stringify(path.join(__dirname, '..', '..', 'python'))})`,
      'from netspec_optim import batch_loss', 'cfg = {"loss": {"type": "binary_crossentropy"}}',
      `x = torch.tensor(${JSON.stringify(LOGITS)}); y = torch.tensor(${JSON.stringify(Array.from(LABELS))})`,
      'one = torch.tensor([[1.2], [-0.4]]); y1 = torch.tensor([1, 0])',
      'print(json.dumps([float(batch_loss(cfg, x, y)), float(batch_loss(cfg, x, y, reduction="sum")), float(batch_loss(cfg, x, y, smoothing=0.1)), float(batch_loss(cfg, one, y1))]))',
    ].join('\n');
    const r = spawnSync(python.executable, ['-c', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const [mean, sum, smoothed, one] = JSON.parse(r.stdout) as number[];
    const probs = LOGITS.map((row) => row.map(sigmoid));
    expect(mean).toBeCloseTo(bceByHand(probs, onehot(LABELS, 3)), 5);
    expect(sum).toBeCloseTo(bceByHand(probs, onehot(LABELS, 3)) * LOGITS.length, 4);
    expect(smoothed).toBeCloseTo(bceByHand(probs, smooth(onehot(LABELS, 3), 0.1)), 5);
    expect(one).toBeCloseTo(bceByHand([[sigmoid(1.2)], [sigmoid(-0.4)]], [[1], [0]]), 5);
  });
});

describeWithKeras('real Keras 3', (kerasPython) => {
  test('real Keras 3 BinaryCrossentropy (from logits and from probabilities, label smoothing 0 and 0.1) gives the same values', () => {
    const y = onehot(LABELS, 3);
    const probs = LOGITS.map((r) => r.map(sigmoid));
    const code = [
      'import json, keras, numpy as np', `x = np.array(${JSON.stringify(LOGITS)}, dtype="float32"); y = np.array(${JSON.stringify(y)}, dtype="float32")`,
      `p = np.array(${JSON.stringify(probs)}, dtype="float32")`,
      'bce = lambda **k: keras.losses.BinaryCrossentropy(**k)',
      'print(json.dumps([float(bce(from_logits=True, label_smoothing=e)(y, x)) for e in (0, 0.1)] + [float(bce(label_smoothing=e)(y, p)) for e in (0, 0.1)]))',
    ].join('\n');
    const r = spawnSync(kerasPython, ['-c', code], { encoding: 'utf8', env: kerasEnv });
    expect(r.status).toBe(0);
    const keras = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as number[];
    const ours = [[LOGITS, true, 0], [LOGITS, true, 0.1], [probs, false, 0], [probs, false, 0.1]].map(([x, logits, e]) =>
      value(binaryCrossEntropy(tf.tensor2d(x as number[][]), LABELS, e as number, logits as boolean)));
    console.log(`BCE netspec ${JSON.stringify(ours)} vs Keras ${JSON.stringify(keras)}`);
    ours.forEach((v, i) => expect(v).toBeCloseTo(keras[i], 5));
  });
});

describe('the loss and the head', () => {
  const softmax = graphOf('fashion/resnet8');
  const logits = graphOf('fashion/resnet8', ['head.activation=linear']);
  const oneUnit = graphOf('fashion/resnet8', ['head.activation=sigmoid', 'head.classes=1']);

  test('from_logits: auto reads the classifier: linear → logits, softmax/sigmoid → probabilities', () => {
    expect(headLoss(softmax, { type: 'categorical_crossentropy', fromLogits: 'auto' }).fromLogits).toBe(false);
    expect(headLoss(logits, { type: 'categorical_crossentropy', fromLogits: 'auto' }).fromLogits).toBe(true);
    expect(headLoss(oneUnit, { type: 'binary_crossentropy', fromLogits: 'auto' }).fromLogits).toBe(false);
  });

  test('an explicit from_logits that contradicts the head, and one unit under categorical cross-entropy, are errors', () => {
    const codes = (g: typeof softmax, type: 'categorical_crossentropy' | 'binary_crossentropy', fromLogits: boolean | 'auto') =>
      headLossDiagnostics(g, { type, fromLogits }).map((d) => [d.code, d.pointer]);
    expect(codes(softmax, 'categorical_crossentropy', true)).toEqual([['train/from-logits-head', '/train/loss/from_logits']]);
    expect(codes(logits, 'categorical_crossentropy', false)).toEqual([['train/from-logits-head', '/train/loss/from_logits']]);
    expect(codes(logits, 'categorical_crossentropy', true)).toEqual([]);
    expect(codes(oneUnit, 'categorical_crossentropy', 'auto')).toEqual([['train/one-unit-categorical', '/train/loss/type']]);
    expect(codes(oneUnit, 'binary_crossentropy', 'auto')).toEqual([]);
  });

  test('a one-unit head fits two-class data, no other mismatch does', () => {
    expect([unitsFit(1, 2), unitsFit(10, 10), unitsFit(1, 3), unitsFit(2, 10)]).toEqual([true, true, false, false]);
  });
});
