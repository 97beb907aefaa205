/** Top-k accuracy, confusion matrices and metrics.jsonl, on hand-made scores. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  appendMetrics, argmax, ClassificationMetrics, confusionReport, formatConfusion, readMetrics, topKAccuracy,
  writeMetrics,
} from '../../src/train/metrics';

// Three examples, six classes.
const scores = [
  0.1, 0.5, 0.2, 0.05, 0.05, 0.1, // ranks: 1, 2, 0|5, 3, 4 … label 1 is top → top-1 hit
  0.3, 0.1, 0.2, 0.15, 0.05, 0.2, // label 5: 0.3 and 0.2 (class 2, lower index) rank above → rank 2
  0.0, 0.1, 0.2, 0.3, 0.35, 0.05, // label 0: five classes above → rank 5: not even top-5
];
const labels = [1, 5, 0];

test('top-1 and top-5 accuracy count the true class among the k best, ties going to the lower index', () => {
  expect(topKAccuracy(scores, labels, 6, 1)).toBeCloseTo(1 / 3, 15);
  expect(topKAccuracy(scores, labels, 6, 3)).toBeCloseTo(2 / 3, 15);
  expect(topKAccuracy(scores, labels, 6, 5)).toBeCloseTo(2 / 3, 15);
  expect(topKAccuracy(scores, labels, 6, 6)).toBe(1);
  // A constant output is right only for class 0 (argmax picks the first), not for everybody.
  expect(topKAccuracy([1, 1, 1, 1, 1, 1], [0, 2], 3, 1)).toBe(0.5);
  expect(topKAccuracy([NaN, 0, 0], [0], 3, 3)).toBe(0);
  expect(argmax([NaN, 2, 2], 0, 3)).toBe(1);
  expect(argmax([NaN, NaN], 0, 2)).toBe(-1);
});

test('streaming metrics: loss mean, top-1, top-5 and the confusion matrix over batches', () => {
  const m = new ClassificationMetrics(6);
  m.update(scores.slice(0, 12), labels.slice(0, 2), 1.5);
  m.update(scores.slice(12), labels.slice(2), 3);
  expect(m.summary()).toEqual({ examples: 3, loss: 1.5, accuracy: 1 / 3, top5: 2 / 3 });
  // Predictions (argmax): 1, 0, 4 for true 1, 5, 0.
  const expected = Array.from({ length: 6 }, () => new Array(6).fill(0));
  expected[1][1] = 1;
  expected[5][0] = 1;
  expected[0][4] = 1;
  expect(m.confusion).toEqual(expected);
});

test('confusion report: per-class precision and recall, JSON and a readable table', () => {
  // True a: 8 right, 2 called b. True b: 1 called a, 4 right. True c: nothing, and never predicted.
  const report = confusionReport([[8, 2, 0], [1, 4, 0], [0, 0, 0]], ['T-shirt/top', 'b', 'c']);
  expect(report.perClass).toEqual([
    { class: 'T-shirt/top', precision: 8 / 9, recall: 0.8, support: 10 },
    { class: 'b', precision: 4 / 6, recall: 0.8, support: 5 },
    { class: 'c', precision: null, recall: null, support: 0 },
  ]);
  expect(JSON.parse(JSON.stringify(report)).matrix).toEqual([[8, 2, 0], [1, 4, 0], [0, 0, 0]]);
  // Name column as wide as its longest entry ("true \ predicted", 16), cells 5 wide, recall 8 wide, right-aligned.
  expect(formatConfusion(report)).toBe(
    [
      'true \\ predicted    0    1    2  recall',
      '0 T-shirt/top       8    2    0   80.0%',
      '1 b                 1    4    0   80.0%',
      '2 c                 0    0    0       –',
      'precision        88.9 66.7    –',
    ].join('\n'),
  );
});

test('confusion report of many classes (ImageNet\'s 1000): the most frequent confusions, not a table', () => {
  // 1000 classes, 10 right each; class 7 called 3 fifty times, class 999 called 0 twice, class 5 called 6 once.
  const matrix: number[][] = Array.from({ length: 1000 }, (_, t) => Array.from({ length: 1000 }, (_, p) => (t === p ? 10 : 0)));
  matrix[7][3] = 50;
  matrix[999][0] = 2;
  matrix[5][6] = 1;
  const names = Array.from({ length: 1000 }, (_, k) => `n${k}`);
  expect(formatConfusion(confusionReport(matrix, names)).split('\n')).toEqual([
    '1000 classes, too many for a table (--json has the whole matrix); most frequent confusions, true → predicted:',
    '      50  7 n7 → 3 n3',
    '       2  999 n999 → 0 n0',
    '       1  5 n5 → 6 n6',
  ]);
  const perfect = Array.from({ length: 21 }, (_, t) => Array.from({ length: 21 }, (_, p) => (t === p ? 1 : 0)));
  expect(formatConfusion(confusionReport(perfect, names.slice(0, 21)))).toContain('21 classes, too many for a table (--json has the whole matrix); no confusions');
});

test('metrics.jsonl: appended line by line, a torn last line ignored, rewritten on resume', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-metrics-'));
  const file = path.join(dir, 'metrics.jsonl');
  expect(readMetrics(file)).toEqual([]);
  appendMetrics(file, { epoch: 1, loss: 2.1, accuracy: 0.3, lr: 0.001 });
  appendMetrics(file, { epoch: 2, loss: 1.1, accuracy: 0.6, lr: 0.001 });
  appendMetrics(file, { epoch: 3, loss: 0.9, accuracy: 0.7, lr: 0.0001 });
  expect(fs.readFileSync(file, 'utf8').split('\n')[0]).toBe('{"epoch":1,"loss":2.1,"accuracy":0.3,"lr":0.001}');
  fs.appendFileSync(file, '{"epoch":4,"lo');
  expect(readMetrics(file).map((r) => r.epoch)).toEqual([1, 2, 3]);
  writeMetrics(file, readMetrics(file).slice(0, 2));
  expect(fs.readFileSync(file, 'utf8')).toBe(
    '{"epoch":1,"loss":2.1,"accuracy":0.3,"lr":0.001}\n{"epoch":2,"loss":1.1,"accuracy":0.6,"lr":0.001}\n',
  );
  fs.writeFileSync(file, 'garbage\n{"epoch":1}\n');
  expect(() => readMetrics(file)).toThrow(`${file}:1: not a JSON line`);
  // A link planted at the file's name is refused, and the file it points at stays untouched.
  const outside = path.join(dir, 'outside.txt');
  fs.writeFileSync(outside, 'mine\n');
  fs.rmSync(file);
  fs.symlinkSync(outside, file);
  expect(() => appendMetrics(file, { epoch: 1 })).toThrow(/is a symbolic link/);
  expect(fs.readFileSync(outside, 'utf8')).toBe('mine\n');
  fs.rmSync(dir, { recursive: true, force: true });
});
