/**
 * Snapshot file names: `checkpoint.pattern` formatted the way Keras formats ModelCheckpoint's `filepath`, which is
 * Python's `str.format(epoch=epoch + 1, **logs)`. Keras users write `epoch-{epoch:03d}.ckpt` or
 * `{epoch:02d}-{val_accuracy:.4f}.ckpt`, so the subset here is what those need: `{field}` and
 * `{field:[0][width][.precision][d|f]}`, `{{`/`}}` for braces. Numbers print as Python prints them (a float without a
 * format is Python's repr, `1.0` and `1e-05`; `.4f` rounds the exact binary value half to even), so a name is the one
 * Keras would write for the same metrics.
 */

/** What a pattern may name: the 1-based epoch and the epoch's metrics. */
export const PATTERN_FIELDS = ['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'] as const;
export type PatternField = (typeof PATTERN_FIELDS)[number];

interface Literal { text: string }
interface Placeholder { field: string; zero: boolean; width: number; precision?: number; type?: 'd' | 'f' }
type Piece = Literal | Placeholder;

/** A problem with a pattern, as the rule reports it. */
export interface PatternProblem { message: string; hint?: string }

const SPEC = /^(0)?(\d+)?(?:\.(\d+))?([a-zA-Z%])?$/;

/** The pattern's pieces, or the first thing in it that Python's `str.format` (or this subset) would not accept. */
export function parsePattern(pattern: string): Piece[] | PatternProblem {
  const pieces: Piece[] = [];
  let text = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if ((c === '{' || c === '}') && pattern[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '}') {
      return { message: `a single '}' at position ${i + 1}`, hint: "write '}}' for a literal brace" };
    } else if (c === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) return { message: `'{' at position ${i + 1} is never closed`, hint: "write '{{' for a literal brace" };
      const inner = pattern.slice(i + 1, end);
      const colon = inner.indexOf(':');
      const field = colon < 0 ? inner : inner.slice(0, colon);
      const spec = colon < 0 ? '' : inner.slice(colon + 1);
      const m = SPEC.exec(spec);
      if (!m) return { message: `format '${spec}' of {${field}} is not supported`, hint: 'use a width and precision with d or f, e.g. {epoch:03d} or {val_accuracy:.4f}' };
      if (m[4] !== undefined && m[4] !== 'd' && m[4] !== 'f') return { message: `format type '${m[4]}' of {${field}} is not supported`, hint: 'use d (integers) or f (fixed point)' };
      if (m[3] !== undefined && m[4] !== 'f') return { message: `{${inner}}: only the f type takes a precision`, hint: `e.g. {${field}:.${m[3]}f}` };
      if (text) pieces.push({ text });
      text = '';
      pieces.push({ field, zero: m[1] !== undefined, width: Number(m[2] ?? 0), precision: m[3] === undefined ? undefined : Number(m[3]), type: m[4] as Placeholder['type'] });
      i = end;
    } else {
      text += c;
    }
  }
  if (text) pieces.push({ text });
  return pieces;
}

const isPlaceholder = (p: Piece): p is Placeholder => 'field' in p;

/** The fields a (valid) pattern uses. */
export function patternFields(pattern: string): string[] {
  const pieces = parsePattern(pattern);
  return Array.isArray(pieces) ? pieces.filter(isPlaceholder).map((p) => p.field) : [];
}

/** `value` formatted by one placeholder, as Python's `format(value, spec)` for an int epoch or a float metric. */
function formatValue(p: Placeholder, value: number, isInt: boolean): string {
  let body: string;
  if (!Number.isFinite(value)) body = Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  else if (p.type === 'f') body = toFixedHalfEven(value, p.precision ?? 6);
  else body = isInt ? String(value) : pythonRepr(value);
  if (body.length >= p.width) return body;
  if (!p.zero) return body.padStart(p.width);
  const sign = body.startsWith('-') ? '-' : '';
  return sign + body.slice(sign.length).padStart(p.width - sign.length, '0');
}

/**
 * Python's `'%.{digits}f'`: the exact binary value rounded half to even (JavaScript's toFixed rounds ties up:
 * `(0.125).toFixed(2)` is 0.13, Python's `f'{0.125:.2f}'` is 0.12). Exact with BigInt: value = mantissa · 2^exponent.
 */
function toFixedHalfEven(value: number, digits: number): string {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, Math.abs(value));
  const raw = bits.getBigUint64(0);
  const biased = Number((raw >> 52n) & 0x7ffn);
  const mantissa = (raw & ((1n << 52n) - 1n)) | (biased === 0 ? 0n : 1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  const scaled = mantissa * 10n ** BigInt(digits);
  let q: bigint;
  if (exponent >= 0) {
    q = scaled << BigInt(exponent);
  } else {
    const divisor = 1n << BigInt(-exponent);
    q = scaled / divisor;
    const twice = 2n * (scaled % divisor);
    if (twice > divisor || (twice === divisor && q % 2n === 1n)) q += 1n;
  }
  const s = q.toString().padStart(digits + 1, '0');
  const out = digits === 0 ? s : `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  return value < 0 || Object.is(value, -0) ? `-${out}` : out;
}

/** Python's repr of a float: the shortest round trip, as JavaScript's, but `1.0` and `1e-05` (exponent below 1e-4). */
function pythonRepr(value: number): string {
  const [mantissa, exp] = value.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const fixed = String(value);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** Everything wrong with a pattern as a snapshot's file name: the rule behind `train/checkpoint-pattern`. */
export function patternProblems(pattern: string): PatternProblem[] {
  const problems: PatternProblem[] = [];
  if (/[/\\]/.test(pattern)) problems.push({ message: `pattern '${pattern}' has a path separator; snapshots are written into the run's checkpoints/ folder`, hint: 'give a file name only, e.g. epoch-{epoch:03d}.ckpt' });
  if (pattern.includes('..')) problems.push({ message: `pattern '${pattern}' contains '..'`, hint: 'give a plain file name, e.g. epoch-{epoch:03d}.ckpt' });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(pattern)) problems.push({ message: 'pattern has a control character', hint: 'give a plain file name, e.g. epoch-{epoch:03d}.ckpt' });
  if (!pattern.endsWith('.ckpt')) problems.push({ message: `pattern '${pattern}' does not end in .ckpt`, hint: `e.g. ${pattern.replace(/\.[A-Za-z0-9]*$/, '')}.ckpt` });
  const pieces = parsePattern(pattern);
  if (!Array.isArray(pieces)) return [...problems, { message: `pattern '${pattern}': ${pieces.message}`, hint: pieces.hint }];
  for (const p of pieces.filter(isPlaceholder)) {
    if (!(PATTERN_FIELDS as readonly string[]).includes(p.field)) {
      problems.push({ message: `pattern '${pattern}' names {${p.field}}, which is not an epoch metric`, hint: `fields: ${PATTERN_FIELDS.join(', ')}${closestField(p.field)}` });
    } else if (p.type === 'd' && p.field !== 'epoch') {
      problems.push({ message: `{${p.field}:${p.zero ? '0' : ''}${p.width || ''}d} formats a float as an integer (Python refuses it: "Unknown format code 'd' for object of type 'float'")`, hint: `use f, e.g. {${p.field}:.4f}` });
    }
  }
  if (!pieces.some((p) => isPlaceholder(p) && p.field === 'epoch')) {
    problems.push({ message: `pattern '${pattern}' has no {epoch}: two snapshots could get the same name and the later would replace the earlier`, hint: 'add the epoch, e.g. epoch-{epoch:03d}.ckpt' });
  }
  return problems;
}

function closestField(field: string): string {
  // Keras 2 logs `acc`/`val_acc`: the names its examples use.
  const alias: Record<string, string> = { acc: 'accuracy', val_acc: 'val_accuracy' };
  return alias[field] ? ` (did you mean '${alias[field]}'?)` : '';
}

/** The snapshot name for an epoch's metrics (`epoch` 1-based); the pattern has passed `patternProblems`. */
export function snapshotName(pattern: string, metrics: Readonly<Partial<Record<PatternField, number>>>): string {
  const pieces = parsePattern(pattern) as Piece[];
  return pieces.map((p) => (isPlaceholder(p) ? formatValue(p, metrics[p.field as PatternField] ?? NaN, p.field === 'epoch') : p.text)).join('');
}
