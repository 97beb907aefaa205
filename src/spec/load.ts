import * as fs from 'fs';
import * as path from 'path';
import { Diagnostic, error, SourceLocation } from '../diagnostics/diagnostic';
import { didYouMean } from '../diagnostics/suggest';
import { builtinNames, builtinPath, looksLikePath, specsDir } from './builtins';
import { isPlainObject } from './merge';
import { validateFileShape } from './schema';
import { firstForeignLine, LIMITS, locate, parseSpecText, SpecSource } from './source';

const MAX_EXTENDS_CHAIN = 32;

/** A spec file that parsed and passed the schema on its own. */
export interface LoadedFile {
  source: SpecSource;
  value: Record<string, unknown>;
  /** One of netspec's own specs (under specs/), not a file the user wrote. */
  builtin: boolean;
}

/** Everything read while resolving, for diagnostics with source excerpts. */
export interface LoadContext {
  sources: Map<string, string>;
  diagnostics: Diagnostic[];
  /** Folders (real paths) that `extends:` paths may reach; see `extendsRoots`. */
  roots: string[];
}

export interface SpecRef {
  /** A built-in name or a path. */
  ref: string;
  /** Directory that relative paths are taken from. */
  baseDir: string;
  /** Where the reference was written (an `extends:` value); undefined for the command line. */
  at?: SourceLocation;
}

/** Reads a spec and the specs it extends, base first. Returns undefined when any of them has errors. */
export function loadChain(start: SpecRef | { text: string; file: string; baseDir: string }, ctx: LoadContext): LoadedFile[] | undefined {
  const chain: LoadedFile[] = [];
  const seen: string[] = [];
  let next: SpecRef | undefined;
  let current = 'text' in start ? fromText(start.text, start.file, start.file, start.baseDir, ctx) : read(start, ctx);
  while (current) {
    const { loaded, id, dir } = current;
    if (seen.includes(id)) {
      const cycle = [...seen.slice(seen.indexOf(id)), id].map((p) => path.basename(p)).join(' → ');
      ctx.diagnostics.push(error('spec/extends-cycle', `extends cycle: ${cycle}`, '/extends', { location: next?.at }));
      return undefined;
    }
    if (seen.length >= MAX_EXTENDS_CHAIN) {
      ctx.diagnostics.push(error('spec/extends-depth', `more than ${MAX_EXTENDS_CHAIN} levels of extends`, '/extends', { location: next?.at }));
      return undefined;
    }
    seen.push(id);
    chain.unshift(loaded);
    const parent = loaded.value.extends;
    if (typeof parent !== 'string') return chain;
    next = {
      ref: parent,
      baseDir: dir,
      at: locate(loaded.source, '/extends'),
    };
    current = read(next, ctx);
  }
  return undefined;
}

interface Read {
  loaded: LoadedFile;
  /** Identity for cycle detection: the absolute path. */
  id: string;
  /** Where this file's relative `extends` are taken from. */
  dir: string;
}

function read(ref: SpecRef, ctx: LoadContext): Read | undefined {
  const file = resolveRef(ref, ctx);
  if (!file) return undefined;
  const fail = (code: string, message: string, hint?: string): undefined => {
    ctx.diagnostics.push(error(code, message, ref.at ? '/extends' : '', { location: ref.at ?? { file: ref.ref, line: 1, column: 1 }, hint }));
    return undefined;
  };
  let real: string;
  let text: string;
  try {
    real = fs.realpathSync(file);
    if (ref.at && looksLikePath(ref.ref)) {
      const problem = extendsProblem(ref.ref, real, ctx.roots);
      if (problem) return fail('spec/extends-outside', problem, `extends may name a built-in, or a .yaml file inside ${ctx.roots.length === 1 ? 'the spec\'s folder' : 'the spec\'s folder or an --allow-path folder'}; widen with --allow-path <dir>`);
    }
    const stat = fs.statSync(real);
    if (!stat.isFile()) return fail('spec/unreadable', `cannot read spec '${ref.ref}': not a regular file`);
    if (stat.size > LIMITS.bytes) return fail('parse/too-large', `spec '${ref.ref}' is larger than ${LIMITS.bytes} bytes; a spec is a few hundred lines`);
    text = fs.readFileSync(real, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
    return fail('spec/unreadable', `cannot read spec '${ref.ref}': ${reason}`);
  }
  return fromText(text, displayName(file), real, path.dirname(file), ctx);
}

function fromText(text: string, file: string, id: string, dir: string, ctx: LoadContext): Read | undefined {
  const foreign = firstForeignLine(text);
  if (foreign !== undefined) {
    // Not a spec: its text is kept out of `sources`, so no report quotes it.
    ctx.diagnostics.push(error('spec/not-a-spec', `line ${foreign} is not YAML mapping syntax ('key: value'); this is not a spec file`, '', {
      location: { file, line: foreign, column: 1 },
      hint: 'a spec is a YAML mapping starting with netspec: 1',
    }));
    return undefined;
  }
  ctx.sources.set(file, text);
  const { source, diagnostics } = parseSpecText(text, file);
  ctx.diagnostics.push(...diagnostics);
  if (!source) return undefined;
  if (!isPlainObject(source.value)) {
    ctx.diagnostics.push(error('schema/type', 'expected a mapping of spec fields at the top of the file', '', { location: locate(source, '') }));
    return undefined;
  }
  const shape = validateFileShape(source.value, (p, key) => locate(source, p, key));
  ctx.diagnostics.push(...shape);
  if (shape.length > 0) return undefined;
  return { loaded: { source, value: source.value, builtin: isInside(id, fs.realpathSync(specsDir)) }, id, dir };
}

/**
 * Why an `extends:` path may not be read, or undefined. The rule (docs/spec-security.md): relative, ending in .yaml or
 * .yml, and — after symbolic links are resolved — inside one of `roots` (the folder of the spec named on the command
 * line, the built-in specs, and any --allow-path folder). Absolute paths are accepted only inside an --allow-path
 * folder (roots past the first two).
 */
function extendsProblem(written: string, real: string, roots: readonly string[]): string | undefined {
  if (!/\.ya?ml$/i.test(written) || !/\.ya?ml$/i.test(real)) return `extends '${written}': only .yaml or .yml files can be extended`;
  const inside = (root: string) => isInside(real, root);
  if (path.isAbsolute(written) && !roots.slice(2).some(inside)) return `extends '${written}': absolute paths are not allowed`;
  if (!roots.some(inside)) return `extends '${written}' leads outside the spec's folder`;
  return undefined;
}

function isInside(file: string, root: string): boolean {
  return file === root || file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The folders `extends:` may reach from a spec in `specDir`, plus `allowPaths`; real paths, the spec's first. */
export function extendsRoots(specDir: string, allowPaths: readonly string[] = []): string[] {
  const real = (dir: string) => {
    try {
      return fs.realpathSync(dir);
    } catch {
      return path.resolve(dir);
    }
  };
  return [real(specDir), real(specsDir), ...allowPaths.map(real)];
}

function resolveRef(ref: SpecRef, ctx: LoadContext): string | undefined {
  if (looksLikePath(ref.ref)) return path.resolve(ref.baseDir, ref.ref);
  const file = builtinPath(ref.ref);
  if (file) return file;
  const names = builtinNames(true);
  ctx.diagnostics.push(
    error('spec/unknown-builtin', `unknown built-in spec '${ref.ref}'`, ref.at ? '/extends' : '', {
      location: ref.at,
      hint: didYouMean(ref.ref, names) ?? 'run `netspec list` for the built-ins, or give a path ending in .yaml',
    }),
  );
  return undefined;
}

function displayName(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || relative === '' ? file : relative;
}
