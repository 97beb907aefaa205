/**
 * Runs an emitted PyTorch module on the tfjs model's weights (exported as a state dict, loaded with strict=True)
 * and the same input, in eval mode, and compares: the shared body of the PyTorch parity tests.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Tensor } from '@tensorflow/tfjs';
import { exportSafetensors } from '../../../src/backends/pytorch/export-safetensors';
import { emitPyTorch } from '../../../src/backends/pytorch/module';
import { TorchPython } from '../../../src/backends/pytorch/python';
import { IRGraph } from '../../../src/ir/types';
import { readSafetensors, writeSafetensors } from '../../../src/io/safetensors';
import { tf } from '../../../src/runtime/tf';
import { build, randomInput, randomizeWeights } from '../tfjs/support/models';
import { runPython } from './torch-env';

const CHECK = path.join(__dirname, 'emitted_check.py');

/**
 * Emits `graph` under `dir/<tag>.*`, runs it in torch (float32 and float64) on the tfjs model's seeded random
 * weights, and asserts the tfjs outputs are within float32 noise of torch's float64 ones: at most 1e-5 relative, or
 * twice torch's own float32 error where that is larger.
 */
export function expectTorchParity(python: TorchPython, dir: string, tag: string, graph: IRGraph, emit: { source: string; sets: string[] }): void {
  const model = build(graph);
  const files = { module: path.join(dir, `${tag}.py`), weights: path.join(dir, `${tag}.safetensors`), io: path.join(dir, `${tag}.io.safetensors`), out: path.join(dir, `${tag}.out.safetensors`) };
  try {
    randomizeWeights(model);
    fs.writeFileSync(files.module, emitPyTorch(graph, emit));
    exportSafetensors(model, graph, files.weights);
    const x = randomInput(graph, 2) as Tensor;
    const nchw = tf.transpose(x, [0, 3, 1, 2]);
    writeSafetensors(files.io, new Map([['x', { dtype: 'F32' as const, shape: nchw.shape, values: nchw.dataSync() as Float32Array }]]));
    fs.writeFileSync(path.join(dir, `${tag}.json`), JSON.stringify([files]));
    runPython(python, [CHECK, path.join(dir, `${tag}.json`)]);
    const out = readSafetensors(files.out);
    const ours = (model.predict(x) as Tensor).dataSync();
    const y32 = out.get('y32')!.values;
    const y64 = out.get('y64')!.values;
    expect(y32.length).toBe(ours.length);
    const scale = Math.max(...y64.map(Math.abs));
    const diff = (a: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - y64[i]))) / scale;
    console.log(`${emit.source} ${emit.sets.join(' ')}: outputs up to ${scale.toPrecision(3)}; relative |Δ| tfjs ${diff(ours).toExponential(2)}, torch fp32 ${diff(y32).toExponential(2)}`);
    expect(scale).toBeGreaterThan(0.1);
    expect(diff(ours)).toBeLessThanOrEqual(Math.max(1e-5, 2 * diff(y32)));
    tf.dispose([x, nchw]);
  } finally {
    model.dispose();
  }
}
