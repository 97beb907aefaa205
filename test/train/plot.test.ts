/** The SVG plot of metrics.jsonl: tick choice, coordinates, legend, and a well-formed document. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { appendMetrics } from '../../src/train/metrics';
import { decimalsFor, niceTicks, plotRun, renderMetricsSvg } from '../../src/train/plot';

test('nice ticks are 1, 2, 2.5 or 5 × 10^k and cover the data', () => {
  // 0.13 … 0.87 in ~5 steps: raw 0.148 → 0.2; floor(0.13/0.2) = 0, ceil(0.87/0.2) = 5.
  expect(niceTicks(0.13, 0.87)).toEqual({ lo: 0, hi: 1, step: 0.2, values: [0, 0.2, 0.4, 0.6, 0.8, 1] });
  // 0 … 200 epochs: raw 40 → 50.
  expect(niceTicks(0, 200).values).toEqual([0, 50, 100, 150, 200]);
  // 1.26 … 2.34 in ~6 steps: raw 0.18 → 0.2; 1.2 … 2.4.
  expect(niceTicks(1.26, 2.34, 6).values).toEqual([1.2, 1.4, 1.6, 1.8, 2, 2.2, 2.4]);
  // 0 … 1.1 in ~5: raw 0.22 → 0.25.
  expect(niceTicks(0, 1.1).values).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
  // A flat series still gets a range around it.
  const flat = niceTicks(0.5, 0.5);
  expect(flat.lo).toBeLessThan(0.5);
  expect(flat.hi).toBeGreaterThan(0.5);
  expect([decimalsFor(0.25), decimalsFor(5), decimalsFor(0.2), decimalsFor(2.5)]).toEqual([2, 0, 1, 1]);
});

function tagsBalanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]);
  }
  return stack.length === 0;
}

test('curves are placed by the axes: hand-computed path for two epochs', () => {
  const svg = renderMetricsSvg([{ epoch: 1, loss: 2.3, accuracy: 0.1 }, { epoch: 2, loss: 1.3, accuracy: 0.5 }], 'a <b> & c');
  expect(tagsBalanced(svg)).toBe(true);
  expect(svg).toContain('<title>a &lt;b&gt; &amp; c</title>');
  // Loss panel: plot area x 64 … 456 (392 wide), y 72 … 368 (296 high). Loss 1.3 … 2.3 plus a 4 % margin is
  // 1.26 … 2.34 → ticks 1.2 … 2.4; epochs 0 … 2. Epoch 1, loss 2.3 → x = 64 + 392/2 = 260,
  // y = 368 − (1.1 / 1.2)·296 = 96.7; epoch 2, loss 1.3 → x = 456, y = 368 − (0.1 / 1.2)·296 = 343.3.
  expect(svg).toContain('<path d="M260.0,96.7 L456.0,343.3" stroke="#1f77b4" class="curve"/>');
  for (const label of ['>1.2<', '>2.4<', '>epoch<', '>Loss<', '>Accuracy<', '>train<', '60%']) expect(svg).toContain(label);
  // No validation data → no validation curve and no validation legend entry.
  expect(svg).not.toContain('validation');
});

test('validation curves, best-epoch subtitles, and a figure for an empty run', () => {
  const records = [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.3 * epoch, val_loss: [0.9, 0.6, 0.7][epoch - 1], val_accuracy: [0.4, 0.62, 0.6][epoch - 1] }));
  const svg = renderMetricsSvg(records);
  expect(svg.match(/<path /g)).toHaveLength(4);
  expect(svg).toContain('lowest validation 0.6000 (epoch 2)');
  expect(svg).toContain('best validation 62.00% (epoch 2)');
  expect(renderMetricsSvg([])).toContain('no epochs recorded yet');
});

test('plotRun reads run/metrics.jsonl and writes run/metrics.svg', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-plot-'));
  appendMetrics(path.join(dir, 'metrics.jsonl'), { epoch: 1, loss: 1, accuracy: 0.5 });
  appendMetrics(path.join(dir, 'metrics.jsonl'), { epoch: 2, loss: 0.5, accuracy: 0.7, val_loss: null });
  expect(plotRun(dir)).toBe(path.join(dir, 'metrics.svg'));
  const svg = fs.readFileSync(path.join(dir, 'metrics.svg'), 'utf8');
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.match(/<path /g)).toHaveLength(2);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('epoch axes take whole steps (the first of 1, 2, 5, 10… at least range / target)', () => {
  expect(niceTicks(0, 12, 5, true).values).toEqual([0, 5, 10, 15]); // 12 / 5 = 2.4 → 5, where 2.5 would be chosen otherwise
  expect(niceTicks(0, 12, 5).step).toBe(2.5);
  expect(niceTicks(0, 3, 5, true).values).toEqual([0, 1, 2, 3]);
  expect(niceTicks(0, 200, 5, true).values).toEqual([0, 50, 100, 150, 200]);
});
