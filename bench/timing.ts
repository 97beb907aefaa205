/**
 * Fastest of several runs after one warm-up run (operator creation, JIT, heap growth happen on the first call),
 * repeating at least `minRuns` times and until `minSeconds` have passed. Best-of is what survives a shared machine.
 */
export function bestSeconds(run: () => void, minSeconds: number, minRuns = 3): number {
  run();
  let best = Infinity;
  let total = 0;
  for (let i = 0; i < minRuns || total < minSeconds; i++) {
    const start = process.hrtime.bigint();
    run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.min(best, seconds);
    total += seconds;
  }
  return best;
}
