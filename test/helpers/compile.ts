import { compileSpec, compileSpecText } from '../../src/ir/compile';
import { IRGraph } from '../../src/ir/types';

/** Compiles a built-in or file and fails the test with the diagnostics if it does not compile. */
export function graphOf(ref: string, sets: string[] = []): IRGraph {
  const result = compileSpec(ref, { sets });
  if (!result.graph) throw new Error(`${ref} did not compile:\n${result.diagnostics.map((d) => d.message).join('\n')}`);
  return result.graph;
}

export function graphOfText(text: string): IRGraph {
  const result = compileSpecText(text, 'inline.yaml');
  if (!result.graph) throw new Error(`inline spec did not compile:\n${result.diagnostics.map((d) => d.message).join('\n')}`);
  return result.graph;
}

/** The diagnostics of a spec given as text, e.g. for exact line:column assertions. */
export function diagnosticsOf(text: string, sets: string[] = []) {
  return compileSpecText(text, 'bad.yaml', { sets }).diagnostics;
}
