/**
 * CPU time (user + system) of a call, in ms. Time budgets are asserted on CPU time: the test machines are shared
 * (load averages of 20 on 2 cores), so wall time measures the neighbours; CPU time measures netspec's own work.
 */
export function cpuTimed<T>(f: () => T): { value: T; ms: number } {
  const start = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(start);
  return { value, ms: (used.user + used.system) / 1000 };
}
