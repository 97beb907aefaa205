/**
 * torch state dicts in and out of a tfjs model, by netspec's torch module names (src/backends/pytorch/names.ts):
 * `compile --weights model.safetensors` and `export --format safetensors`. Layouts are converted per weight (conv
 * OIHW ↔ HWIO, linear transposed); `num_batches_tracked` is read and ignored, and written as 0 so a torch module
 * loads the file with `strict=True`. Problems are collected like a tfjs-to-tfjs transfer: every missing,
 * unexpected and shape-mismatched name (shapes in torch's layout) at once.
 */
import * as path from 'path';
import type { LayersModel } from '@tensorflow/tfjs';
import { userError } from '../../diagnostics/diagnostic';
import { IRGraph } from '../../ir/types';
import { packageRoot } from '../../io/package-root';
import { readSafetensors, StoredTensor, TensorToWrite } from '../../io/safetensors';
import { inverse, permute, torchParams } from '../pytorch/names';
import { tf } from '../../runtime/tf';
import { sameShape, TransferOptions, TransferReport } from './transfer';

const IGNORED = /(^|\.)num_batches_tracked$/;

/** Whether `--weights` names a torch file rather than a tfjs model. */
export function isTorchWeightsFile(file: string): boolean {
  return /\.(safetensors|pt|pth)$/i.test(file);
}

/** Reads a state dict; `.pt`/`.pth` are refused with the one-line conversion (their pickles can run code). */
export function readTorchStateDict(file: string): Map<string, StoredTensor> {
  if (!/\.safetensors$/i.test(file)) {
    throw userError('io/torch-pickle', `netspec reads torch state dicts as .safetensors, not pickled .pt/.pth files`, {
      file,
      hint: `convert it once with torch: python3 ${path.join(packageRoot, 'python', 'safetensors_io.py')} ${file} ${file.replace(/\.[^.]+$/, '')}.safetensors (ships with netspec, needs only torch); a pickle is a program, and unpickling one without Python is unsound in general`,
    });
  }
  return readSafetensors(file);
}

export interface TorchTransfer extends TransferReport {
  applied: boolean;
}

/** Compares the file's names and shapes with the graph's state dict and, when complete (or allowed), writes them. */
export function transferStateDict(model: LayersModel, graph: IRGraph, state: ReadonlyMap<string, StoredTensor>, source: string, opts: TransferOptions = {}): TorchTransfer {
  const report: TransferReport = { source, total: 0, loaded: [], missing: [], unexpected: [], mismatched: [] };
  const params = torchParams(graph);
  const variables = new Map(model.weights.map((w) => [w.originalName, w]));
  for (const p of params) {
    report.total++;
    const t = state.get(p.torch);
    if (t === undefined) report.missing.push(p.torch);
    else if (!sameShape(t.shape, p.torchShape)) report.mismatched.push({ name: p.torch, expected: p.torchShape, received: t.shape });
    else report.loaded.push(p.torch);
  }
  const known = new Set(params.map((p) => p.torch));
  report.unexpected = [...state.keys()].filter((k) => !known.has(k) && !IGNORED.test(k));
  const applied = (report.missing.length === 0 && report.mismatched.length === 0) || !!opts.allowPartial;
  if (applied) {
    const loaded = new Set(report.loaded);
    for (const p of params.filter((q) => loaded.has(q.torch))) {
      const variable = variables.get(p.tfjs);
      if (variable === undefined) throw new Error(`netspec internal error: the model has no weight ${p.tfjs}`);
      const values = permute(state.get(p.torch)!.values, p.torchShape, inverse(p.perm));
      tf.tidy(() => { variable.write(tf.tensor(values, p.tfjsShape, 'float32')); });
    }
  }
  return { ...report, applied };
}

/** The model's weights as a torch state dict, in module order, with each BN's `num_batches_tracked`. */
export function stateDictOf(model: LayersModel, graph: IRGraph): Map<string, TensorToWrite> {
  const variables = new Map(model.weights.map((w) => [w.originalName, w]));
  const out = new Map<string, TensorToWrite>();
  for (const p of torchParams(graph)) {
    const variable = variables.get(p.tfjs);
    if (variable === undefined) throw new Error(`netspec internal error: the model has no weight ${p.tfjs}`);
    out.set(p.torch, { dtype: 'F32', shape: p.torchShape, values: permute(variable.read().dataSync() as Float32Array, p.tfjsShape, p.perm) });
    if (p.torch.endsWith('.running_var')) {
      out.set(p.torch.replace(/running_var$/, 'num_batches_tracked'), { dtype: 'I64', shape: [], values: new BigInt64Array(1) });
    }
  }
  return out;
}
