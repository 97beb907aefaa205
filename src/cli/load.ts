import { DiagnosticError, hasErrors } from '../diagnostics/diagnostic';
import { renderDiagnostic } from '../diagnostics/render';
import { compileSpec, CompileResult } from '../ir/compile';
import { IRGraph } from '../ir/types';

/** Shared by every command that takes a spec: `<name|file>` plus repeatable `--set`. */
export function collectSets(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `--allow-path <dir>` (repeatable), on every command that reads a spec: folders beyond the spec's own that its
 * `extends:` may read (docs/spec-security.md).
 */
export const ALLOW_PATH_FLAG = '--allow-path <dir>';
export const ALLOW_PATH_HELP = "let extends: read .yaml files under <dir> too (repeatable; default: the spec's own folder and the built-ins)";

/** Compiles a spec to IR or exits with its diagnostics (exit 2). Warnings are printed and do not stop. */
export function loadGraph(ref: string, sets: string[] = [], allowPaths: string[] = []): { graph: IRGraph; result: CompileResult } {
  const result = compileSpec(ref, { sets, allowPaths });
  if (!result.graph || hasErrors(result.diagnostics)) throw new DiagnosticError(result.diagnostics, result.sources);
  for (const d of result.diagnostics) process.stderr.write(renderDiagnostic(d, result.sources, process.stderr.isTTY) + '\n');
  return { graph: result.graph, result };
}
