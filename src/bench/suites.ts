import { BenchSuite } from './types';

/**
 * The registry of benchmark suites. Each loads its modules only when run, so `netspec bench --suite compile`
 * does not pay for tfjs.
 */
export const benchSuites: readonly BenchSuite[] = [
  {
    name: 'compile',
    description: 'parse + validate + IR + counts of the largest built-ins (target ≤ 50 ms)',
    run: async (o) => (await import('./compile')).benchCompile(o),
  },
  {
    name: 'kernels',
    description: 'conv forward / input-gradient / filter-gradient GFLOP/s on wasm (built-in vs forward-conv fallback) and cpu',
    run: async () => (await import('./kernels')).benchConvKernels({}),
  },
  {
    name: 'native',
    description: 'oneDNN conv kernels GFLOP/s at 1 and 2 threads (when the native addon is built)',
    run: async () => (await import('./native')).benchNativeKernels({}),
  },
];
