import * as fs from 'fs';
import * as path from 'path';
import { Diagnostic, error, SourceLocation } from '../diagnostics/diagnostic';
import { didYouMean } from '../diagnostics/suggest';
import { builtinNames, builtinPath, looksLikePath } from './builtins';
import { isPlainObject } from './merge';
import { validateFileShape } from './schema';
import { locate, parseSpecText, SpecSource } from './source';

const MAX_EXTENDS_CHAIN = 32;

/** A spec file that parsed and passed the schema on its own. */
export interface LoadedFile {
  source: SpecSource;
  value: Record<string, unknown>;
}

/** Everything read while resolving, for diagnostics with source excerpts. */
export interface LoadContext {
  sources: Map<string, string>;
  diagnostics: Diagnostic[];
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
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    ctx.diagnostics.push(error('spec/unreadable', `cannot read spec '${ref.ref}': ${reason}`, ref.at ? '/extends' : '', { location: ref.at ?? { file: ref.ref, line: 1, column: 1 } }));
    return undefined;
  }
  return fromText(text, displayName(file), file, path.dirname(file), ctx);
}

function fromText(text: string, file: string, id: string, dir: string, ctx: LoadContext): Read | undefined {
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
  return { loaded: { source, value: source.value }, id, dir };
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
