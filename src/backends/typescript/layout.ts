/**
 * Line layout the TypeScript formatter leaves alone: blank lines between top-level declarations, long calls with an
 * object argument broken one property per line, long comments wrapped. The formatter then fixes indentation.
 */

export const MAX_WIDTH = 120;

/** Words of `text` in lines of at most `width` characters. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

const DECLARATION = /^(\/\*\*|export |interface |function |class |type |const |\/\/ )/;

/** A blank line before each top-level declaration, except between consecutive `const`s and after its doc comment. */
export function separateDeclarations(source: string): string {
  const lines = source.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    const prev = out[out.length - 1];
    const attached = prev === undefined || prev === '' || prev.startsWith(' */') || prev.startsWith('/**') && prev.endsWith('*/');
    const sameKind = (line.startsWith('const ') && prev?.startsWith('const ')) || (line.startsWith('// ') && prev?.startsWith('//'));
    if (i > 0 && DECLARATION.test(line) && !attached && !sameKind) out.push('');
    out.push(line);
  });
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

/** Breaks code lines longer than MAX_WIDTH at their widest `{ … }` (or `(…)` argument list), recursively. */
export function wrapLongLines(source: string): string {
  return source.split('\n').flatMap((line) => wrapLine(line)).join('\n');
}

function wrapLine(line: string): string[] {
  const trimmed = line.trimStart();
  if (line.length <= MAX_WIDTH || trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*')) return [line];
  const indent = line.slice(0, line.length - trimmed.length);
  // An object literal reads best broken up; an argument list only when there is none.
  const span = widestGroup(line, '{') ?? widestGroup(line, '(');
  if (!span) return [line];
  const [open, close] = span;
  const items = splitTopLevel(line.slice(open + 1, close)).map((s) => s.trim()).filter(Boolean);
  const inner = `${indent}  `;
  return [
    line.slice(0, open + 1).trimEnd(),
    ...items.flatMap((item) => wrapLine(`${inner}${item},`)),
    `${indent}${line.slice(close).trimStart()}`,
  ];
}

/** Characters outside string and template literals, with their index. */
function* code(text: string): Generator<[number, string]> {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
    } else {
      yield [i, c];
    }
  }
}

/** The `opener` group with the most characters and at least two items: [index of opener, index of closer]. */
function widestGroup(line: string, opener: '{' | '('): [number, number] | undefined {
  const stack: number[] = [];
  let best: [number, number] | undefined;
  for (const [i, c] of code(line)) {
    if ('([{'.includes(c)) stack.push(i);
    else if (')]}'.includes(c)) {
      const open = stack.pop();
      if (open === undefined || line[open] !== opener || (best && i - open <= best[1] - best[0])) continue;
      if (splitTopLevel(line.slice(open + 1, i)).filter((s) => s.trim()).length > 1) best = [open, i];
    }
  }
  return best;
}

/** Splits on commas that are not inside brackets or strings. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (const [i, c] of code(text)) {
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
