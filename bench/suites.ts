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
    name: 'build',
    description: 'tfjs model build time of keras/resnet50 and resnet152 from spec vs the same model written by hand (target ≤ 1.1×)',
    run: async (o) => (await import('./build')).benchBuild(o),
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
  {
    name: 'train',
    description: 'ResNet-20 CIFAR (batch 64) training and inference img/s per backend at 1 and 2 threads, PyTorch 2.x and 1.13 as peers, step breakdown',
    run: async (o) => (await import('./train')).benchTraining({
      quick: o.quick, log: (line) => process.stderr.write(`  ${line}\n`),
    }),
  },
  {
    name: 'onnx',
    description: 'ResNet-20 CIFAR (batch 64) inference img/s of the exported ONNX model in onnxruntime-node vs netspec, same threads',
    run: async (o) => (await import('./onnx')).benchOnnx({
      quick: o.quick, log: (line) => process.stderr.write(`  ${line}\n`),
    }),
  },
  {
    name: 'torch',
    description: 'the same ResNet-20 (batch 64) trained by the torch engine on torchrun, 1 and 2 DDP processes (when torch is installed)',
    run: async (o) => (await import('./torch-engine')).benchTorchEngine({ quick: o.quick, log: (line) => process.stderr.write(`  ${line}\n`) }),
  },
  {
    name: 'resnet50',
    description: 'ResNet-50 224² training (Adam, batch 8 and 64) and inference (batch 8) img/s and peak RSS on onednn, 2 threads, PyTorch as peer',
    run: async () => (await import('./resnet50')).benchResnet50({ log: (line) => process.stderr.write(`  ${line}\n`) }),
  },
];
