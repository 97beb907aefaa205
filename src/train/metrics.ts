/**
 * Classification metrics (top-k accuracy, confusion matrix) and the run's `metrics.jsonl`: one JSON object per line,
 * appended once per epoch, so a crash loses at most the line being written (readers skip a torn last line).
 */
import * as fs from 'fs';
import * as path from 'path';
import { environmentError } from '../diagnostics/environment';
import { writeFileAtomicSync } from '../io/atomic';
import { readRegularFile } from '../io/read';
import { testPause } from '../io/test-pause';
import { dataError } from './data/errors';

/**
 * Rank of the true class among `scores` (0 = top). Ties count against the prediction: a class with an equal score
 * and a lower index ranks first, as with argmax; a NaN score for the true class ranks last. So a model that outputs
 * constants gets chance accuracy, not 100 %.
 */
function trueClassRank(scores: ArrayLike<number>, offset: number, classes: number, label: number): number {
  const s = scores[offset + label];
  if (Number.isNaN(s)) return classes;
  let rank = 0;
  for (let k = 0; k < classes; k++) {
    const v = scores[offset + k];
    if (v > s || (v === s && k < label)) rank++;
  }
  return rank;
}

/** Index of the highest score (the first on ties); -1 if all are NaN. */
export function argmax(scores: ArrayLike<number>, offset: number, classes: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let k = 0; k < classes; k++) {
    const v = scores[offset + k];
    if (v > bestValue || (best === -1 && v === -Infinity)) {
      best = k;
      bestValue = v;
    }
  }
  return best;
}

/** Fraction of examples whose true class is among the k highest of `scores` (row-major, `classes` per example). */
export function topKAccuracy(scores: ArrayLike<number>, labels: ArrayLike<number>, classes: number, k: number): number {
  if (labels.length === 0) return NaN;
  let hits = 0;
  for (let n = 0; n < labels.length; n++) if (trueClassRank(scores, n * classes, classes, labels[n]) < k) hits++;
  return hits / labels.length;
}

/** Streaming evaluation over batches: loss, top-1, top-5, confusion matrix (rows: true class, columns: predicted). */
export class ClassificationMetrics {
  readonly confusion: number[][];
  private count = 0;
  private lossSum = 0;
  private top1 = 0;
  private top5 = 0;

  constructor(readonly classes: number) {
    this.confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  }

  /** Adds a batch: `scores` are logits or probabilities; `lossSum` is the batch's summed (not mean) loss. */
  update(scores: ArrayLike<number>, labels: ArrayLike<number>, lossSum = 0): void {
    const c = this.classes;
    for (let n = 0; n < labels.length; n++) {
      const rank = trueClassRank(scores, n * c, c, labels[n]);
      if (rank < 1) this.top1++;
      if (rank < 5) this.top5++;
      const predicted = argmax(scores, n * c, c);
      if (predicted >= 0) this.confusion[labels[n]][predicted]++;
    }
    this.count += labels.length;
    this.lossSum += lossSum;
  }

  summary(): { examples: number; loss: number; accuracy: number; top5: number } {
    const n = this.count;
    return { examples: n, loss: this.lossSum / n, accuracy: this.top1 / n, top5: this.top5 / n };
  }
}

export interface ClassReport {
  class: string;
  precision: number | null;
  recall: number | null;
  support: number;
}

export interface ConfusionReport {
  classes: string[];
  /** matrix[true][predicted]. */
  matrix: number[][];
  perClass: ClassReport[];
}

/** The confusion matrix with per-class precision and recall (null where undefined: no predictions / no examples). */
export function confusionReport(matrix: number[][], classes: string[]): ConfusionReport {
  const perClass = classes.map((name, k) => {
    const support = matrix[k].reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, row) => a + row[k], 0);
    return {
      class: name,
      precision: predicted > 0 ? matrix[k][k] / predicted : null,
      recall: support > 0 ? matrix[k][k] / support : null,
      support,
    };
  });
  return { classes: [...classes], matrix: matrix.map((r) => [...r]), perClass };
}

const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);

/**
 * The confusion matrix as a text table: rows are true classes (index and name), columns predicted class indices,
 * then recall per row; a last row gives precision per column.
 */
export function formatConfusion(report: ConfusionReport): string {
  const { classes, matrix, perClass } = report;
  if (classes.length > TABLE_CLASSES) return mostConfused(report);
  const labels = classes.map((c, k) => `${k} ${c}`);
  const nameWidth = Math.max('true \\ predicted'.length, ...labels.map((l) => l.length));
  const precision = perClass.map((p) => pct(p.precision).replace('%', ''));
  const widest = (values: readonly string[]) => values.reduce((w, v) => Math.max(w, v.length), 0);
  const cell = 1 + Math.max(4, widest(matrix.flat().map(String)), widest(precision), String(classes.length - 1).length);
  const line = (head: string, cells: string[], tail: string): string =>
    `${head.padEnd(nameWidth)}${cells.map((c) => c.padStart(cell)).join('')}${tail.padStart(8)}`;
  const rows = [line('true \\ predicted', classes.map((_, k) => String(k)), 'recall')];
  matrix.forEach((row, k) => rows.push(line(labels[k], row.map(String), pct(perClass[k].recall))));
  rows.push(line('precision', precision, ''));
  return rows.map((r) => r.trimEnd()).join('\n');
}

/** Beyond this many classes (ImageNet's 1000) a table is unreadable: the most frequent confusions instead. */
const TABLE_CLASSES = 20;
const LISTED_CONFUSIONS = 10;

function mostConfused({ classes, matrix }: ConfusionReport): string {
  const pairs: Array<[number, number, number]> = [];
  matrix.forEach((row, t) => row.forEach((n, p) => { if (t !== p && n > 0) pairs.push([n, t, p]); }));
  pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  const name = (k: number) => `${k} ${classes[k]}`;
  const head = `${classes.length} classes, too many for a table (--json has the whole matrix); ` +
    (pairs.length === 0 ? 'no confusions' : `most frequent confusions, true → predicted:`);
  return [head, ...pairs.slice(0, LISTED_CONFUSIONS).map(([n, t, p]) => `  ${String(n).padStart(6)}  ${name(t)} → ${name(p)}`)].join('\n');
}

/** One line of metrics.jsonl. `epoch` is 1-based (the first epoch is 1, as Keras prints it). */
export interface MetricsRecord {
  epoch: number;
  [key: string]: number | string | boolean | null;
}

/**
 * Appends one record and fsyncs it, all or nothing: a write that fails part-way (a full disk takes what fits and
 * then answers ENOSPC) is undone by truncating the file back to its previous length, so the file only ever grows
 * by whole lines. Only a crash mid-append can leave a torn last line, and a resume rewrites the file from the
 * checkpoint's history. O_NOFOLLOW: a symbolic link planted at this name is an error, not a way to append to a
 * file outside the run.
 */
export function appendMetrics(file: string, record: MetricsRecord): void {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw dataError(file, 'is a symbolic link; netspec appends only to its own file', 'replace the link with a plain file');
    throw e;
  }
  const before = fs.fstatSync(fd).size;
  try {
    const line = Buffer.from(metricsLine(record));
    const half = line.length >> 1;
    writeAll(fd, line.subarray(0, half));
    testPause(path.basename(file));
    writeAll(fd, line.subarray(half));
    fs.fsyncSync(fd);
  } catch (e) {
    fs.ftruncateSync(fd, before);
    // A failed write(2) does not carry the path: the message names the file.
    throw environmentError(e, `cannot append to ${file}`) ?? e;
  } finally {
    fs.closeSync(fd);
  }
}

/** writeSync may write less than asked (a disk filling up): the rest is written until done or an error. */
function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

const metricsLine = (record: MetricsRecord): string => `${JSON.stringify(record)}\n`;

/** The whole file as netspec writes it for these records. */
export const metricsText = (records: readonly MetricsRecord[]): string => records.map(metricsLine).join('');

/** One line per epoch of ~200 bytes: a file near this size is not one netspec wrote. */
export const MAX_METRICS_FILE_BYTES = 64 * 1024 ** 2;

/** The file's text, read bounded (missing file → undefined). */
export function readMetricsText(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  const fail = (problem: string, hint?: string) => dataError(file, problem, hint ?? 'remove it; a resume rewrites it from the checkpoint');
  return readRegularFile(file, MAX_METRICS_FILE_BYTES, fail, 'metrics.jsonl').toString('utf8');
}

/** Reads metrics.jsonl (missing file → no records). A torn last line (crash mid-append) is ignored. */
export function readMetrics(file: string): MetricsRecord[] {
  const text = readMetricsText(file);
  if (text === undefined) return [];
  const lines = text.split('\n');
  const records: MetricsRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as MetricsRecord);
    } catch (e) {
      const last = i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === '');
      if (!last) throw dataError(`${file}:${i + 1}`, `not a JSON line (${(e as Error).message})`, 'remove or fix that line');
    }
  });
  return records;
}

/** Replaces the file with exactly these records (atomically): how a resume brings it to its checkpoint's state. */
export function writeMetrics(file: string, records: readonly MetricsRecord[]): void {
  writeFileAtomicSync(file, metricsText(records));
}
