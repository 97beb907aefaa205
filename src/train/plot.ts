/**
 * `netspec plot`: loss and accuracy curves (train and validation) from metrics.jsonl as a standalone SVG, written by
 * hand — two panels with axes, ticks, grid and legend — so plotting needs no dependency and no browser.
 */
import * as path from 'path';
import { writeFileAtomicSync } from '../io/atomic';
import { MetricsRecord, readMetrics } from './metrics';

export interface Ticks {
  lo: number;
  hi: number;
  step: number;
  values: number[];
}

/** "Nice" axis ticks (1, 2, 2.5 or 5 × 10^k) covering [min, max] with about `target` intervals. */
export function niceTicks(min: number, max: number, target = 5, integer = false): Ticks {
  if (!(max > min)) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, target, integer);
  }
  const raw = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  // Counts (epochs) take whole steps: 1, 2, 5, 10, 20…, never 2.5.
  const multiples = integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  const step = Math.max(integer ? 1 : 0, multiples.map((m) => m * magnitude).find((s) => s >= raw)!);
  // Round to the step's decimals so 0.1 + 0.2 style noise never reaches a label.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const round = (v: number): number => Number(v.toFixed(decimals));
  const lo = round(Math.floor(min / step + 1e-9) * step);
  const hi = round(Math.ceil(max / step - 1e-9) * step);
  const values: number[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) values.push(round(v));
  return { lo, hi, step, values };
}

/** Decimals needed to write multiples of `step` exactly (0.25 → 2, 5 → 0). */
export function decimalsFor(step: number): number {
  for (let d = 0; d < 12; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 12;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

interface Panel {
  title: string;
  subtitle: string;
  series: Series[];
  percent: boolean;
}

const COLORS = { train: '#1f77b4', validation: '#d62728' };
const W = 960;
const H = 420;
const PANEL_W = W / 2;
const M = { left: 64, right: 24, top: 72, bottom: 52 };

function points(records: MetricsRecord[], key: string): [number, number][] {
  return records
    .filter((r) => typeof r[key] === 'number' && Number.isFinite(r[key] as number))
    .map((r) => [r.epoch, r[key] as number]);
}

/** Points every few pixels along a polyline, so a legend is not put across a line between two far-apart points. */
function alongCurve(pts: readonly (readonly [number, number])[]): (readonly [number, number])[] {
  const out: (readonly [number, number])[] = [...pts.slice(0, 1)];
  for (let i = 1; i < pts.length; i++) {
    const [[x0, y0], [x1, y1]] = [pts[i - 1], pts[i]];
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 4));
    for (let k = 1; k <= steps; k++) out.push([x0 + ((x1 - x0) * k) / steps, y0 + ((y1 - y0) * k) / steps]);
  }
  return out;
}

/** The legend's corner: the one of four that the curves cross least (first of the four on ties). */
function legendCorner(
  left: number, top: number, plotW: number, plotH: number, box: { w: number; h: number }, placed: readonly (readonly [number, number])[],
): { lx: number; ly: number } {
  const pad = 10;
  const corners = [
    { lx: left + plotW - box.w - pad + 8, ly: top + pad },
    { lx: left + plotW - box.w - pad + 8, ly: top + plotH - box.h - pad },
    { lx: left + pad + 8, ly: top + pad },
    { lx: left + pad + 8, ly: top + plotH - box.h - pad },
  ];
  const covered = (c: { lx: number; ly: number }): number =>
    placed.filter(([x, y]) => x >= c.lx - 8 - pad && x <= c.lx - 8 + box.w + pad && y >= c.ly - pad && y <= c.ly + box.h + pad).length;
  return corners.reduce((bestCorner, c) => (covered(c) < covered(bestCorner) ? c : bestCorner));
}

function renderPanel(panel: Panel, x0: number, maxEpoch: number): string {
  const plotW = PANEL_W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const left = x0 + M.left;
  const top = M.top;
  const all = panel.series.flatMap((s) => s.points);
  const ys = all.map((p) => p[1]);
  // A 4 % margin keeps extreme points off the frame.
  const [yMin, yMax] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  const margin = (yMax - yMin) * 0.04;
  const yt = niceTicks(yMin - margin, yMax + margin, 6);
  const xt = niceTicks(0, Math.max(1, maxEpoch), 5, true);
  const sx = (v: number): number => left + ((v - xt.lo) / (xt.hi - xt.lo)) * plotW;
  const sy = (v: number): number => top + plotH - ((v - yt.lo) / (yt.hi - yt.lo)) * plotH;
  const yDecimals = decimalsFor(panel.percent ? yt.step * 100 : yt.step);
  const yLabel = (v: number): string => (panel.percent ? `${(v * 100).toFixed(yDecimals)}%` : v.toFixed(yDecimals));
  const out: string[] = [];
  out.push(`<text x="${left + plotW / 2}" y="${top - 38}" class="title">${escapeXml(panel.title)}</text>`);
  if (panel.subtitle) out.push(`<text x="${left + plotW / 2}" y="${top - 20}" class="subtitle">${escapeXml(panel.subtitle)}</text>`);
  for (const v of yt.values) {
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${sy(v)}" y2="${sy(v)}" class="grid"/>`);
    out.push(`<text x="${left - 8}" y="${sy(v) + 4}" class="ytick">${yLabel(v)}</text>`);
  }
  for (const v of xt.values) {
    out.push(`<line x1="${sx(v)}" x2="${sx(v)}" y1="${top}" y2="${top + plotH}" class="grid"/>`);
    out.push(`<text x="${sx(v)}" y="${top + plotH + 18}" class="xtick">${v}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" class="frame"/>`);
  out.push(`<text x="${left + plotW / 2}" y="${top + plotH + 40}" class="axis">epoch</text>`);
  const markers = all.length <= 80;
  for (const s of panel.series) {
    if (s.points.length === 0) continue;
    const d = s.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" stroke="${s.color}" class="curve"/>`);
    if (markers) for (const [x, y] of s.points) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
  }
  const shown = panel.series.filter((s) => s.points.length > 0);
  const box = { w: 118, h: 18 * shown.length + 10 };
  const placed = panel.series.flatMap((ser) => alongCurve(ser.points.map(([x, y]) => [sx(x), sy(y)] as const)));
  const { lx, ly } = legendCorner(left, top, plotW, plotH, box, placed);
  const legendY = ly + 14;
  out.push(`<rect x="${lx - 8}" y="${ly}" width="${box.w}" height="${box.h}" class="legend"/>`);
  shown.forEach((s, i) => {
    const y = legendY + 18 * i;
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" class="curve"/>`);
    out.push(`<text x="${lx + 30}" y="${y}" class="legendtext">${escapeXml(s.label)}</text>`);
  });
  return out.join('\n');
}

function best(records: MetricsRecord[], key: string, pick: 'min' | 'max'): { value: number; epoch: number } | undefined {
  const pts = points(records, key);
  if (pts.length === 0) return undefined;
  const [epoch, value] = pts.reduce((a, b) => ((pick === 'max' ? b[1] > a[1] : b[1] < a[1]) ? b : a));
  return { value, epoch };
}

/** The whole figure: loss on the left, accuracy on the right; train and validation curves in each. */
export function renderMetricsSvg(records: MetricsRecord[], title = 'training'): string {
  const maxEpoch = Math.max(0, ...records.map((r) => r.epoch));
  const series = (key: string): Series[] => [
    { label: 'train', color: COLORS.train, points: points(records, key) },
    { label: 'validation', color: COLORS.validation, points: points(records, `val_${key}`) },
  ];
  const bestLoss = best(records, 'val_loss', 'min');
  const bestAcc = best(records, 'val_accuracy', 'max');
  const panels: Panel[] = [
    { title: 'Loss', subtitle: bestLoss ? `lowest validation ${bestLoss.value.toFixed(4)} (epoch ${bestLoss.epoch})` : '',
      series: series('loss'), percent: false },
    { title: 'Accuracy', subtitle: bestAcc ? `best validation ${(100 * bestAcc.value).toFixed(2)}% (epoch ${bestAcc.epoch})` : '',
      series: series('accuracy'), percent: true },
  ];
  const body = records.length === 0
    ? `<text x="${W / 2}" y="${H / 2}" class="title">no epochs recorded yet</text>`
    : panels.map((p, i) => renderPanel(p, i * PANEL_W, maxEpoch)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<title>${escapeXml(title)}</title>
<style>
  text { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; fill: #222; }
  .title { font-size: 16px; font-weight: bold; text-anchor: middle; }
  .subtitle { font-size: 12px; text-anchor: middle; fill: #555; }
  .axis { font-size: 12px; text-anchor: middle; fill: #444; }
  .xtick { font-size: 11px; text-anchor: middle; fill: #444; }
  .ytick { font-size: 11px; text-anchor: end; fill: #444; }
  .grid { stroke: #e6e6e6; stroke-width: 1; }
  .frame { fill: none; stroke: #888; stroke-width: 1; }
  .curve { fill: none; stroke-width: 2; stroke-linejoin: round; }
  .legend { fill: #fff; fill-opacity: 0.9; stroke: #ccc; }
  .legendtext { font-size: 12px; }
</style>
<rect width="${W}" height="${H}" fill="#fff"/>
${body}
</svg>
`;
}

/** Reads `<runDir>/metrics.jsonl` and writes `<runDir>/metrics.svg` (or `out`); returns the SVG's path. */
export function plotRun(runDir: string, out = path.join(runDir, 'metrics.svg')): string {
  const records = readMetrics(path.join(runDir, 'metrics.jsonl'));
  writeFileAtomicSync(out, renderMetricsSvg(records, path.basename(path.resolve(runDir))));
  return out;
}
