import { DiagnosticError, hasErrors } from '../diagnostics/diagnostic';
import { renderDiagnostic } from '../diagnostics/render';
import { compileSpec, CompileResult } from '../ir/compile';
import { IRGraph } from '../ir/types';

/** Shared by every command that takes a spec: `<name|file>` plus repeatable `--set`. */
export function collectSets(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Compiles a spec to IR or exits with its diagnostics (exit 2). Warnings are printed and do not stop. */
export function loadGraph(ref: string, sets: string[] = []): { graph: IRGraph; result: CompileResult } {
  const result = compileSpec(ref, { sets });
  if (!result.graph || hasErrors(result.diagnostics)) throw new DiagnosticError(result.diagnostics, result.sources);
  for (const d of result.diagnostics) process.stderr.write(renderDiagnostic(d, result.sources, process.stderr.isTTY) + '\n');
  return { graph: result.graph, result };
}
