import * as path from 'path';
import { Diagnostic, hasErrors, SourceLocation } from '../diagnostics/diagnostic';
import { familyLayer } from './family';
import { picksOtherVariant } from './discriminated';
import { capDiagnostics } from '../diagnostics/cap';
import { looksLikePath, specsDir } from './builtins';
import { extendsRoots, LoadContext, loadChain, LoadedFile } from './load';
import { Layer, mergeLayers, originOf, Origins, Replaces } from './merge';
import { applySets, COMMAND_LINE, parseSets, SetOverride } from './overrides';
import { runRules } from './rules';
import { discriminatedObjects, specSchema, validateComplete } from './schema';
import { locate } from './source';
import { conventionTable } from './tables';
import { toResolvedSpec } from './convert';
import { ResolvedSpec } from './types';

export interface ResolveOptions {
  /** `--set key.path=value` overrides, applied last. */
  sets?: readonly string[];
  /** Folders beyond the spec's own that `extends:` paths may read (`--allow-path`). */
  allowPaths?: readonly string[];
}

export interface ResolveResult {
  spec?: ResolvedSpec;
  /** The merged YAML form with defaults (what `netspec inspect --resolved` prints). */
  raw?: Record<string, unknown>;
  /** Where each value of `raw` was written. */
  origins: Origins;
  /** Text of every file read, for excerpts in diagnostics. */
  sources: Map<string, string>;
  diagnostics: Diagnostic[];
  /**
   * Moves a diagnostic located in a built-in spec that the user's file extends to that file's `extends:` line (the
   * built-in position goes into the hint): the user can change their file, not netspec's.
   */
  relocate: (d: Diagnostic) => Diagnostic;
}

/** Resolves a built-in name or a path to a spec file. */
export function resolveSpec(ref: string, options: ResolveOptions = {}): ResolveResult {
  const specDir = looksLikePath(ref) ? path.dirname(path.resolve(ref)) : specsDir;
  const ctx: LoadContext = { sources: new Map(), diagnostics: [], roots: extendsRoots(specDir, options.allowPaths) };
  const chain = loadChain({ ref, baseDir: process.cwd() }, ctx);
  return finish(chain, defaultName(ref), options, ctx);
}

/** Resolves spec text that is not (yet) a file: tests, editors, stdin. */
export function resolveSpecText(text: string, file = 'spec.yaml', options: ResolveOptions & { baseDir?: string } = {}): ResolveResult {
  const baseDir = options.baseDir ?? process.cwd();
  const ctx: LoadContext = { sources: new Map(), diagnostics: [], roots: extendsRoots(baseDir, options.allowPaths) };
  const chain = loadChain({ text, file, baseDir }, ctx);
  return finish(chain, defaultName(file), options, ctx);
}

function finish(chain: LoadedFile[] | undefined, name: string, options: ResolveOptions, ctx: LoadContext): ResolveResult {
  const result = resolveChain(chain, name, options, ctx);
  const relocate = relocator(chain, parseSets(options.sets ?? [], []));
  return { ...result, relocate, diagnostics: capDiagnostics(result.diagnostics).map(relocate) };
}

/**
 * Moves a diagnostic that points into a built-in file to what the user wrote: their own spec's `extends:` line, or,
 * when the spec named on the command line is itself a built-in (valid as shipped, so only a `--set` can have made
 * it wrong), the `--set` whose path is nearest the problem. The built-in position stays in the hint.
 */
function relocator(chain: LoadedFile[] | undefined, sets: readonly SetOverride[]): (d: Diagnostic) => Diagnostic {
  const leaf = chain?.[chain.length - 1];
  if (!chain || !leaf || (leaf.builtin && sets.length === 0)) return (d) => d;
  const builtinFiles = new Set(chain.filter((f) => f.builtin).map((f) => f.source.file));
  const at = (d: Diagnostic) => (leaf.builtin ? nearestSet(sets, d.pointer).location : locate(leaf.source, '/extends'));
  return (d) => {
    const from = d.location;
    if (!from || !builtinFiles.has(from.file)) return d;
    const inherited = `inherited from ${from.file}:${from.line}:${from.column}`;
    return { ...d, location: at(d), hint: d.hint ? `${d.hint}; ${inherited}` : inherited };
  };
}

/** The --set sharing the longest path prefix with `pointer` (the last one on a tie: it was applied last). */
function nearestSet(sets: readonly SetOverride[], pointer: string): SetOverride {
  const parts = pointer.split('/').slice(1);
  const shared = (s: SetOverride) => {
    let n = 0;
    while (n < s.path.length && n < parts.length && String(s.path[n]) === parts[n]) n++;
    return n;
  };
  return sets.reduce((best, s) => (shared(s) >= shared(best) ? s : best));
}

function resolveChain(chain: LoadedFile[] | undefined, name: string, options: ResolveOptions, ctx: LoadContext): ResolveResult {
  const result: ResolveResult = { origins: new Map(), sources: ctx.sources, diagnostics: ctx.diagnostics, relocate: (d) => d };
  if (!chain || hasErrors(ctx.diagnostics)) return result;
  const sets = parseSets(options.sets ?? [], ctx.diagnostics);
  if (sets.length) ctx.sources.set(COMMAND_LINE, (options.sets ?? []).join('\n'));
  if (hasErrors(ctx.diagnostics)) return result;

  const files: Layer[] = chain.map((f) => ({ value: f.value, locate: (p) => locate(f.source, p) }));
  // First pass: what the files and --set say, to learn the convention and the depth.
  const replaces = replacesVariant();
  const first = mergeLayers(files, replaces);
  const starts = discriminatedObjects();
  applySets(first.value, sets, ctx.diagnostics, (p, at) => first.origins.set(p, at), starts);
  if (hasErrors(ctx.diagnostics)) return result;
  const leaf = chain[chain.length - 1].source;
  const fallback: SourceLocation = { file: leaf.file, line: 1, column: 1 };
  const at = (p: string) => originOf(first.origins, p) ?? fallback;

  const presets: Layer[] = [];
  const conventionName = (first.value.convention as string | undefined) ?? defaultConvention();
  const preset = conventionTable().get(conventionName);
  if (preset) presets.push(constantLayer(preset, at('/convention')));
  const family = familyLayer(first.value, { depth: at('/depth'), family: at('/family') }, ctx.diagnostics);
  if (hasErrors(ctx.diagnostics)) return result;
  if (family) presets.push(constantLayer(family, at('/depth')));

  // Second pass: presets under the files, --set over everything.
  const merged = mergeLayers([...presets, ...files], replaces);
  applySets(merged.value, sets, ctx.diagnostics, (p, loc) => {
    for (const key of [...merged.origins.keys()]) if (key.startsWith(p + '/')) merged.origins.delete(key);
    merged.origins.set(p, loc);
  }, starts);
  result.origins = merged.origins;
  const locator = (p: string) => originOf(merged.origins, p);
  ctx.diagnostics.push(...validateComplete(merged.value, locator));
  result.raw = merged.value;
  if (hasErrors(ctx.diagnostics)) return result;

  const spec = toResolvedSpec(merged.value, name);
  ctx.diagnostics.push(...runRules(spec, locator));
  if (!hasErrors(ctx.diagnostics)) result.spec = spec;
  return result;
}

/** A child that picks another `type` for a discriminated object (train.optimizer, train.schedule) replaces it. */
function replacesVariant(): Replaces {
  const variants = discriminatedObjects();
  return (pointer, base, over) => {
    const d = variants.get(pointer);
    return !!d && picksOtherVariant(d, base, over[d.key]);
  };
}

/** A preset or table entry: every value it contributes is attributed to the line that selected it. */
function constantLayer(value: Record<string, unknown>, at: SourceLocation): Layer {
  return { value, locate: () => at };
}

function defaultConvention(): string {
  const props = specSchema().properties as Record<string, { default?: string }>;
  return props.convention.default ?? 'torchvision';
}

function defaultName(ref: string): string {
  return path.basename(ref).replace(/\.ya?ml$/i, '');
}
