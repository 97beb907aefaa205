/**
 * What every fuzz case must satisfy, whatever the input: no exception (an exception reaching the CLI is an
 * "internal error"), a verdict within 2 s of CPU time, errors located in the user's own file or on the command line, no report
 * that quotes a file outside the spec, and an untouched Object.prototype.
 */
import { hasErrors } from '../../src/diagnostics/diagnostic';
import { renderDiagnostic } from '../../src/diagnostics/render';
import { compileSpecText } from '../../src/ir/compile';
import { COMMAND_LINE } from '../../src/spec/overrides';
import { cpuTimed } from '../helpers/time';

/** Cases per property: a few hundred in CI, any number with `npm run fuzz -- --runs N`. */
export const RUNS = Number(process.env.NETSPEC_FUZZ_RUNS ?? 100);
/** `npm run fuzz -- --seed S` replays a reported failure. */
export const SEED = process.env.NETSPEC_FUZZ_SEED === undefined ? undefined : Number(process.env.NETSPEC_FUZZ_SEED);

/** fast-check parameters for every property. */
export const params = () => ({ numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) });
export const USER_FILE = 'fuzz.yaml';
export const CASE_BUDGET_MS = 2000;
/** Heap after a case: a spec is capped at 1 MiB, so anything near this means a blow-up (an alias bomb, a sparse list). */
export const HEAP_BUDGET_BYTES = 1024 * 1024 * 1024;

export interface Outcome {
  ms: number;
  valid: boolean;
  report: string;
}

export function judge(text: string, sets: string[] = [], baseDir = process.cwd()): Outcome {
  const { value: result, ms } = cpuTimed(() => compileSpecText(text, USER_FILE, { sets, baseDir }));
  const report = result.diagnostics.map((d) => renderDiagnostic(d, result.sources)).join('\n');
  const valid = !!result.graph && !hasErrors(result.diagnostics);
  if (ms > CASE_BUDGET_MS) throw new Error(`took ${ms} ms:\n${text.slice(0, 300)}`);
  const heap = process.memoryUsage().heapUsed;
  if (heap > HEAP_BUDGET_BYTES) throw new Error(`heap at ${(heap / 2 ** 20).toFixed(0)} MiB after:\n${text.slice(0, 300)}`);
  if (/internal error/.test(report)) throw new Error(`internal error:\n${report}`);
  if (Object.keys(Object.prototype).length > 0 || ({} as Record<string, unknown>).x !== undefined) throw new Error('Object.prototype was changed');
  if (!valid) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length === 0) throw new Error('no result and no error');
    const unlocated = errors.find((d) => !d.location);
    if (unlocated) throw new Error(`unlocated error ${unlocated.code}: ${unlocated.message}`);
    const own = errors.some((d) => d.location!.file === USER_FILE || d.location!.file === COMMAND_LINE);
    if (!own) throw new Error(`no error in ${USER_FILE} or ${COMMAND_LINE}:\n${report}`);
  }
  return { ms, valid, report };
}
