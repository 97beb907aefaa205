/**
 * netspec as a library: the same pipeline the CLI runs, one step per export.
 *
 *   const { graph, diagnostics, sources } = compileSpec('resnet50');      // spec → IR, every problem located
 *   diagnostics.forEach((d) => console.error(renderDiagnostic(d, sources)));
 *   const model = buildLayersModel(graph!);                                 // IR → tfjs LayersModel
 *   const code = emitTypeScript(graph!, { ... });                           // IR → TypeScript module
 *
 * Only what is exported here is public; deep imports into dist/ may change without notice.
 */
export { compileSpec, compileSpecText } from './ir/compile';
export type { CompileResult } from './ir/compile';
export { resolveSpec, resolveSpecText } from './spec/resolve';
export type { ResolveOptions, ResolveResult } from './spec/resolve';
export { builtinNames } from './spec/builtins';
export type { ResolvedSpec } from './spec/types';
export type { IRGraph, IRNode, NodeScope, OpKind, ParamCounts, Shape, StageSummary } from './ir/types';

export { DiagnosticError, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, hasErrors } from './diagnostics/diagnostic';
export type { Diagnostic, Severity, SourceLocation } from './diagnostics/diagnostic';
export { renderDiagnostic, renderDiagnosticLine } from './diagnostics/render';

export { buildLayersModel, loadModel, saveModel, transferFrom } from './backends/tfjs';
export { emitTypeScript } from './backends/typescript';
export type { EmitOptions } from './backends/typescript';
export { selectBackend } from './runtime/backend';
export type { BackendChoice, BackendInfo, BackendOptions } from './runtime/backend';

export { startTraining } from './train/run';
export type { TrainRun, TrainRunEvents, TrainRunOptions } from './train/run';
export { loadServedModel } from './train/served-model';
export { evaluate } from './train/evaluate';
export { predictFiles } from './train/predict';
