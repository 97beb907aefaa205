/**
 * `netspec export <run|model.json> --format safetensors`: a tfjs model's weights as a torch state dict under
 * netspec's torch module names, which the emitted PyTorch module (and torchvision, for the specs that mirror it)
 * loads with `strict=True`. The export command calls this with the model and graph it has resolved.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { IRGraph } from '../../ir/types';
import { stateDictOf } from '../tfjs/torch-weights';
import { writeSafetensors } from '../../io/safetensors';

export interface SafetensorsExport {
  file: string;
  tensors: number;
  bytes: number;
}

export function exportSafetensors(model: LayersModel, graph: IRGraph, file: string): SafetensorsExport {
  const state = stateDictOf(model, graph);
  writeSafetensors(file, state, { format: 'pt', producer: 'netspec', model: graph.name });
  let bytes = 0;
  for (const t of state.values()) bytes += t.values.byteLength;
  return { file, tensors: state.size, bytes };
}
