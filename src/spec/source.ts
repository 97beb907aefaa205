import { Alias, Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node, parseDocument, Scalar } from 'yaml';
import { Diagnostic, error, SourceLocation } from '../diagnostics/diagnostic';

/** Hostile input stays bounded: these caps are far above any real architecture file. */
export const LIMITS = {
  bytes: 1 << 20,
  aliasCount: 100,
  nesting: 64,
};

/** One parsed YAML file, kept with its positions so any JSON pointer can be traced back to `line:col`. */
export interface SpecSource {
  /** Name shown in diagnostics: the path as the user gave it, or `builtin:<name>`. */
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  value: unknown;
}

export interface ParseResult {
  source?: SpecSource;
  diagnostics: Diagnostic[];
}

export function parseSpecText(text: string, file: string): ParseResult {
  const start: SourceLocation = { file, line: 1, column: 1 };
  if (Buffer.byteLength(text) > LIMITS.bytes) {
    return fail('parse/too-large', `file is larger than ${LIMITS.bytes} bytes; a spec is a few hundred lines`, start);
  }
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  } catch (e) {
    return fail('parse/too-deep', `the document cannot be parsed (${(e as Error).message}); is it nested absurdly deep?`, start);
  }
  const diagnostics: Diagnostic[] = doc.errors.map((e) =>
    error('parse/yaml', e.message.split('\n')[0], '', { location: at(file, lineCounter, e.pos[0], e.pos[1]) }),
  );
  if (diagnostics.length > 0) return { diagnostics };
  const depthProblem = firstTooDeep(doc.contents, 0);
  if (depthProblem) {
    return fail('parse/too-deep', `nesting deeper than ${LIMITS.nesting} levels`, locationOfNode(file, lineCounter, depthProblem));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: LIMITS.aliasCount });
  } catch (e) {
    return fail('parse/aliases', `${(e as Error).message} (aliases are limited to keep memory bounded)`, start);
  }
  return { source: { file, text, doc, lineCounter, value }, diagnostics: [] };

  function fail(code: string, message: string, location: SourceLocation): ParseResult {
    return { diagnostics: [error(code, message, '', { location })] };
  }
}

function firstTooDeep(node: unknown, depth: number): Node | undefined {
  if (!isMap(node) && !isSeq(node)) return undefined;
  if (depth >= LIMITS.nesting) return node;
  for (const item of node.items) {
    const child = isPair(item) ? item.value : item;
    const found = firstTooDeep(child, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Splits a JSON pointer (`/stages/3/blocks`) into its unescaped segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function joinPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/**
 * The location of the YAML node at `pointer`; with `key`, the location of its key instead (the right place to
 * complain about an unknown property). Falls back to the deepest existing ancestor.
 */
export function locate(source: SpecSource, pointer: string, key = false): SourceLocation {
  let node: unknown = source.doc.contents;
  let keyNode: unknown;
  for (const segment of pointerSegments(pointer)) {
    node = resolveAlias(source.doc, node);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String((p.key as Scalar).value) === segment);
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && /^\d+$/.test(segment) && Number(segment) < node.items.length) {
      keyNode = undefined;
      node = node.items[Number(segment)];
    } else {
      break;
    }
  }
  const target = key && keyNode ? keyNode : node;
  return locationOfNode(source.file, source.lineCounter, target as Node | undefined);
}

function resolveAlias(doc: Document, node: unknown): unknown {
  return isAlias(node) ? (node as Alias).resolve(doc) : node;
}

function locationOfNode(file: string, lineCounter: LineCounter, node: Node | undefined | null): SourceLocation {
  const range = node?.range;
  if (!range) return { file, line: 1, column: 1 };
  const start = lineCounter.linePos(range[0]);
  const end = lineCounter.linePos(range[1]);
  const length = end.line === start.line ? Math.max(1, end.col - start.col) : 1;
  return { file, line: start.line, column: start.col, length };
}

function at(file: string, lineCounter: LineCounter, from: number, to: number): SourceLocation {
  const start = lineCounter.linePos(from);
  return { file, line: start.line, column: start.col, length: Math.max(1, to - from) };
}
