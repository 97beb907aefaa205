import { Diagnostic } from './diagnostic';

/**
 * `file:line:col: error: message`, then the offending source line with a caret, then the hint — the form compilers
 * and editors understand. `sources` maps a file name to its text, for the excerpt.
 */
export function renderDiagnostic(d: Diagnostic, sources?: ReadonlyMap<string, string>, color = false): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}` : d.file ?? 'netspec';
  const severity = color ? paint(d.severity === 'error' ? 31 : 33, d.severity) : d.severity;
  const lines = [`${where}: ${severity}: ${d.message} [${d.code}${d.pointer ? ` at ${d.pointer}` : ''}]`];
  const text = d.location && sources?.get(d.location.file);
  if (d.location && text !== undefined && text !== null) {
    const sourceLine = text.split(/\r?\n/)[d.location.line - 1];
    if (sourceLine !== undefined) {
      const gutter = `${d.location.line} | `;
      lines.push(`  ${gutter}${sourceLine}`);
      const caret = '^'.repeat(Math.max(1, Math.min(d.location.length ?? 1, sourceLine.length - d.location.column + 1)));
      lines.push(`  ${' '.repeat(gutter.length + d.location.column - 1)}${color ? paint(31, caret) : caret}`);
    }
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}

/** One line per problem: the machine-readable form for `netspec validate`. */
export function renderDiagnosticLine(d: Diagnostic): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}` : d.file ?? 'netspec';
  return `${where}: ${d.severity}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`;
}

function paint(code: number, text: string): string {
  return `\u001b[${code}m${text}\u001b[0m`;
}
