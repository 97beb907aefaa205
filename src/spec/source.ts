import { Alias, Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node, parseDocument, Scalar } from 'yaml';
import { MAX_DIAGNOSTICS } from '../diagnostics/cap';
import { Diagnostic, error, SourceLocation } from '../diagnostics/diagnostic';
import { FORBIDDEN_KEY_HINT, isForbiddenKey, NON_FINITE_HINT } from './safety';

/** Hostile input stays bounded: these caps are far above any real architecture file. */
export const LIMITS = {
  bytes: 1 << 20,
  /**
   * Lines plus commas, a cheap upper bound on YAML items counted before parsing. The yaml parser takes ~30 µs per
   * item here, so a 1 MiB file of 150,000 one-line keys took 5 s; ResNet specs have under 300 lines.
   */
  items: 10_000,
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
  const crowded = itemLimitOffset(text);
  if (crowded !== undefined) {
    const line = text.slice(0, crowded).split('\n').length;
    return fail('parse/too-large', `more than ${LIMITS.items} lines and list items; a spec is a few hundred lines`, { file, line, column: 1 });
  }
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    // Duplicate keys are found by scanTree: yaml's own check compares every pair of keys (47 s for 40,000 keys).
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true });
  } catch (e) {
    return fail('parse/too-deep', `the document cannot be parsed (${(e as Error).message}); is it nested absurdly deep?`, start);
  }
  const diagnostics: Diagnostic[] = doc.errors.map((e) =>
    error('parse/yaml', e.message.split('\n')[0], '', { location: at(file, lineCounter, e.pos[0], e.pos[1]) }),
  );
  if (diagnostics.length > 0) return { diagnostics };
  const problems = scanTree(doc.contents, file, lineCounter);
  if (problems.length > 0) return { diagnostics: problems };
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

/** Where the text passes LIMITS.items lines and commas, or undefined. */
function itemLimitOffset(text: string): number | undefined {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 10 || c === 44) && ++count > LIMITS.items) return i;
  }
  return undefined;
}

/**
 * One pass over the YAML tree, before it becomes JavaScript: nesting too deep (stops the walk), keys that reach
 * Object.prototype, and non-finite numbers. Iterative, so a deep file cannot overflow the stack here.
 */
function scanTree(root: unknown, file: string, lineCounter: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack: { node: unknown; depth: number; pointer: string }[] = [{ node: root, depth: 0, pointer: '' }];
  while (stack.length > 0 && out.length < MAX_DIAGNOSTICS) {
    const { node, depth, pointer } = stack.pop()!;
    if (isScalar(node) && typeof node.value === 'number' && !Number.isFinite(node.value)) {
      out.push(error('schema/non-finite', `expected a finite number; got ${String(node.value)}`, pointer, { location: locationOfNode(file, lineCounter, node), hint: NON_FINITE_HINT }));
    }
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth >= LIMITS.nesting) {
      return [error('parse/too-deep', `nesting deeper than ${LIMITS.nesting} levels`, '', { location: locationOfNode(file, lineCounter, node) })];
    }
    const children: { node: unknown; depth: number; pointer: string }[] = [];
    const keys = new Set<string>();
    node.items.forEach((item, i) => {
      if (!isPair(item)) {
        children.push({ node: item, depth: depth + 1, pointer: `${pointer}/${i}` });
        return;
      }
      const key = isScalar(item.key) ? String(item.key.value) : '?';
      const child = `${pointer}/${escapeSegment(key)}`;
      const at = () => locationOfNode(file, lineCounter, item.key as Node);
      if (isScalar(item.key) && keys.has(key)) out.push(error('parse/yaml', `Map keys must be unique ('${key}' appears twice)`, child, { location: at() }));
      keys.add(key);
      if (isForbiddenKey(key)) out.push(error('spec/forbidden-key', `'${key}' cannot be a key`, child, { location: at(), hint: FORBIDDEN_KEY_HINT }));
      children.push({ node: item.key, depth: depth + 1, pointer: child }, { node: item.value, depth: depth + 1, pointer: child });
    });
    // Reversed onto the stack, so the walk (and the diagnostics) follow the file's order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

/**
 * The first top-level line that is not YAML mapping syntax (`key: value`, a comment, a document marker, an indented
 * or flow continuation), 1-based. A spec is a mapping; a file that fails this is not one, and nothing of it beyond
 * that line number is reported (`extends: /etc/shadow` used to list every line as an unknown key).
 */
export function firstForeignLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '' || /^[\s#]/.test(line) || /^(---|\.\.\.)(\s|$)/.test(line) || /^%/.test(line)) continue;
    if (/^[-?:](\s|$)/.test(line) || /^[{}[\]]/.test(line)) continue;
    if (/^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"&*!|>@`:,[\]{}][^#]*?)\s*:(\s|$)/.test(line)) continue;
    return i + 1;
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
  return segments.map((s) => '/' + escapeSegment(String(s))).join('');
}

interface Entry {
  node: unknown;
  key?: unknown;
}

/** pointer → node, built once per file: locating 40,000 errors by scanning mappings was quadratic. */
const indexes = new WeakMap<SpecSource, Map<string, Entry>>();

function indexOf(source: SpecSource): Map<string, Entry> {
  let index = indexes.get(source);
  if (index) return index;
  index = new Map();
  const stack: { node: unknown; pointer: string; key?: unknown }[] = [{ node: source.doc.contents, pointer: '' }];
  while (stack.length > 0) {
    const { node, pointer, key } = stack.pop()!;
    if (index.has(pointer)) continue;
    index.set(pointer, { node, key });
    // Aliases are not followed here (an alias bomb would expand); `locate` walks into them step by step.
    if (isMap(node)) {
      for (const pair of node.items) if (isScalar(pair.key)) stack.push({ node: pair.value, pointer: `${pointer}/${escapeSegment(String(pair.key.value))}`, key: pair.key });
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, pointer: `${pointer}/${i}` }));
    }
  }
  indexes.set(source, index);
  return index;
}

/**
 * The location of the YAML node at `pointer`; with `key`, the location of its key instead (the right place to
 * complain about an unknown property). Falls back to the deepest existing ancestor.
 */
export function locate(source: SpecSource, pointer: string, key = false): SourceLocation {
  const index = indexOf(source);
  const exact = index.get(pointer);
  if (exact) return locationOfNode(source.file, source.lineCounter, (key && exact.key ? exact.key : exact.node) as Node | undefined);
  const segments = pointerSegments(pointer);
  let depth = segments.length;
  let entry: Entry | undefined;
  while (!entry) entry = index.get(joinPointer(segments.slice(0, --depth)));
  let { node, key: keyNode } = entry;
  // Only an alias can hide more of the path than the index holds.
  let viaAlias = false;
  for (const segment of segments.slice(depth)) {
    if (isAlias(node)) {
      node = resolveAlias(source.doc, node);
      viaAlias = true;
    } else if (!viaAlias) break;
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

function escapeSegment(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
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
