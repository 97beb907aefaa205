/** The PyTorch backend: IR → nn.Module source, torch state dicts, and training on torchrun. */
export { emitPyTorch, modelClassName, PyEmitOptions } from './module';
export { exportSafetensors, SafetensorsExport } from './export-safetensors';
export { torchModuleNames, torchParams, TorchParam } from './names';
export { findTorchPython, requireTorchPython, TorchPython } from './python';
