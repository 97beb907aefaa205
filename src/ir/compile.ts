import { Diagnostic, hasErrors } from '../diagnostics/diagnostic';
import { originOf } from '../spec/merge';
import { resolveSpec, ResolveOptions, ResolveResult, resolveSpecText } from '../spec/resolve';
import { lowerSpec } from './lower';
import { resourceDiagnostics } from './resources';
import { IRGraph } from './types';

export interface CompileResult extends ResolveResult {
  graph?: IRGraph;
}

/** Spec reference → resolved spec → IR, with every diagnostic located in the source that caused it. */
export function compileSpec(ref: string, options: ResolveOptions = {}): CompileResult {
  return lower(resolveSpec(ref, options));
}

export function compileSpecText(text: string, file?: string, options: ResolveOptions & { baseDir?: string } = {}): CompileResult {
  return lower(resolveSpecText(text, file, options));
}

function lower(resolved: ResolveResult): CompileResult {
  if (!resolved.spec || hasErrors(resolved.diagnostics)) return resolved;
  const lowered = lowerSpec(resolved.spec);
  const graph = lowered.graph;
  // An architecture the planner can lay out but no backend can allocate is bad input, found here for every command.
  const diagnostics = [...lowered.diagnostics, ...(graph && !hasErrors(lowered.diagnostics) ? resourceDiagnostics(graph, resolved.spec) : [])];
  const located: Diagnostic[] = diagnostics.map((d) => resolved.relocate({ ...d, location: d.location ?? originOf(resolved.origins, d.pointer) }));
  return { ...resolved, graph, diagnostics: [...resolved.diagnostics, ...located] };
}
