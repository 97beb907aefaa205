/** 25636712 → "25,636,712". */
export function formatCount(n: number | null): string {
  return n === null ? '-' : n.toLocaleString('en-US');
}

export function formatMacs(macs: number): string {
  if (macs >= 1e9) return `${(macs / 1e9).toFixed(3)} G`;
  if (macs >= 1e6) return `${(macs / 1e6).toFixed(3)} M`;
  return `${macs}`;
}

export function formatShape(shape: readonly number[]): string {
  return `(None, ${shape.join(', ')})`;
}

/** A wall time as people say it: `12.3 s` under a minute, `4.2 min` above. */
export function formatDuration(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
}
