/**
 * The input gradient of a strided convolution without zero-stuffing ("sub-pixel" decomposition).
 *
 * Zero-stuffing dy (conv-grads-as-conv.ts) makes a stride-s gradient cost s² times the forward convolution: most
 * products are with inserted zeros. Instead, split dx by output phase: the rows i with (i + top) ≡ a (mod s)
 * receive only the taps kh ≡ a (mod s), so each phase is a stride-1 convolution of dy with a sub-kernel of
 * ⌈(K − a)/s⌉ taps. The s² phase results are interleaved back (a depth-to-space). Same products as the forward
 * pass, exact.
 *
 * For dx row i = s·q + p, with a = (p + top) mod s and m0 = ⌊(p + top)/s⌋:
 *   dx[i] = Σ_j dy[q + m0 − j] · w[a + s·j],  j = 0 … J−1,  J = ⌈(K − a)/s⌉
 * i.e. a correlation of dy, padded by J − 1 − m0 on top, with the sub-kernel flipped.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { KernelScope, Paddings } from './kernel-scope';
import { padOrCrop } from './kernel-scope';

export interface PhaseGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  stride: number;
  padTop: number;
  padLeft: number;
}

interface AxisPhase {
  /** Taps of the sub-kernel along this axis (0: the phase receives nothing). */
  taps: number;
  /** First tap of the flipped sub-kernel in the 180°-rotated filter. */
  begin: number;
  /** Signed padding of dy before / after along this axis. */
  pad: [number, number];
}

function axisPhase(p: number, pad: number, kernel: number, stride: number, rows: number, dyRows: number): AxisPhase {
  const a = (p + pad) % stride;
  const m0 = Math.floor((p + pad) / stride);
  const taps = a < kernel ? Math.ceil((kernel - a) / stride) : 0;
  const before = taps - 1 - m0;
  return { taps, begin: kernel - 1 - a - stride * (taps - 1), pad: [before, rows + taps - 1 - before - dyRows] };
}

/** dx for a stride-s, dilation-1 convolution; `rotated` is the filter turned 180° with in/out swapped (HWOI). */
export function inputGradByPhases(scope: KernelScope, dy: TensorInfo, rotated: TensorInfo, g: PhaseGeometry): TensorInfo {
  const s = g.stride;
  const rows = Math.ceil(g.inHeight / s);
  const cols = Math.ceil(g.inWidth / s);
  const phases: TensorInfo[] = [];
  for (let ph = 0; ph < s; ph++) {
    const v = axisPhase(ph, g.padTop, g.filterHeight, s, rows, g.outHeight);
    for (let pw = 0; pw < s; pw++) {
      const h = axisPhase(pw, g.padLeft, g.filterWidth, s, cols, g.outWidth);
      if (v.taps === 0 || h.taps === 0) {
        phases.push(scope.run('Fill', {}, { shape: [g.batch, rows, cols, g.inChannels], value: 0, dtype: 'float32' }));
        continue;
      }
      const sub = scope.run('StridedSlice', { x: rotated }, {
        begin: [v.begin, h.begin, 0, 0],
        end: [v.begin + s * (v.taps - 1) + 1, h.begin + s * (h.taps - 1) + 1, g.outChannels, g.inChannels],
        strides: [s, s, 1, 1], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
      });
      const paddings: Paddings = [[0, 0], v.pad, h.pad, [0, 0]];
      const crop = paddings.map(([b, a]) => [Math.min(0, b), Math.min(0, a)] as [number, number]);
      const convPad = paddings.map(([b, a]) => [Math.max(0, b), Math.max(0, a)] as [number, number]);
      phases.push(scope.run('Conv2D', { x: padOrCrop(scope, dy, crop), filter: sub }, {
        strides: 1, dilations: 1, pad: convPad, dataFormat: 'NHWC',
      }));
    }
  }
  return interleave(scope, phases, g, rows, cols);
}

/**
 * dx[n, s·q + ph, s·r + pw, c] = phase[ph·s + pw][n, q, r, c], then cropped to the input size. Two rank-4
 * transposes (~1 ms per million values): the wasm backend's DepthToSpace and rank-6 Transpose are per-element
 * loops, 60× slower.
 */
function interleave(scope: KernelScope, phases: TensorInfo[], g: PhaseGeometry, rows: number, cols: number): TensorInfo {
  const s = g.stride;
  const m = g.batch * rows;
  const r = cols * g.inChannels;
  const flat = phases.map((t) => scope.run('Reshape', { x: t }, { shape: [1, m, r] }));
  const stacked = scope.run('Concat', flat as unknown as Record<string, TensorInfo>, { axis: 0 });
  // [ph, pw, (n q), (r c)] → [(n q), ph, pw, (r c)]
  const byRow = scope.run('Transpose', { x: scope.run('Reshape', { x: stacked }, { shape: [s, s, m, r] }) },
    { perm: [2, 0, 1, 3] });
  // [(n q ph), pw, r, c] → [(n q ph), r, pw, c]
  const byCol = scope.run('Transpose', { x: scope.run('Reshape', { x: byRow }, { shape: [m * s, s, cols, g.inChannels] }) },
    { perm: [0, 2, 1, 3] });
  const full = scope.run('Reshape', { x: byCol }, { shape: [g.batch, rows * s, cols * s, g.inChannels] });
  if (rows * s === g.inHeight && cols * s === g.inWidth) return full;
  return scope.run('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [g.batch, g.inHeight, g.inWidth, g.inChannels] });
}
