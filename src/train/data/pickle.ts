/**
 * A reader for the pickles of CIFAR's "python version" (`cifar-10-batches-py`, `cifar-100-python`), and nothing more.
 *
 * A pickle is a program for Python's unpickling machine: GLOBAL names any importable callable and REDUCE calls it,
 * which is why `pickle.load` on an untrusted file runs arbitrary code. This reader interprets only the opcodes that
 * plain data needs (dicts, lists, tuples, bytes, strings, ints, floats, memo) and knows four globals by name without
 * importing or calling anything: numpy's `_reconstruct`, `ndarray` and `dtype` (which CIFAR's `data` arrays are
 * pickled with) and `_codecs.encode` (how Python 3 writes bytes at protocol 2). Any other global is refused. On npm,
 * `pickleparser` (one author, two releases on one day) reads pickles generally, maps unknown globals to placeholder
 * objects and bounds nothing; a 200-line reader that admits only CIFAR's shapes is easier to trust.
 *
 * CIFAR's files were written by Python 2's cPickle at protocol 2; Python 3 re-saves (protocols 2 to 4) read too.
 * Protocol 5 writes arrays through `numpy.core.numeric._frombuffer`, which is not admitted.
 */
import { dataError, displayPath } from './errors';

/** A numpy array, as its pickled state describes it; only uint8 arrays carry data here. */
export interface NdArray {
  kind: 'ndarray';
  shape: number[];
  dtype: string;
  data: Uint8Array;
}

export type PickleValue =
  | null | boolean | number | string | Uint8Array | NdArray | PickleValue[] | Map<string, PickleValue>
  | { kind: 'tuple'; items: PickleValue[] }
  | { kind: 'dtype'; code: string }
  | { kind: 'global'; name: string }
  | { kind: 'mark' };

const GLOBALS = new Set([
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct', 'numpy.ndarray', 'numpy.dtype', '_codecs.encode',
]);

const MARK: PickleValue = { kind: 'mark' };

const isTuple = (v: PickleValue): v is { kind: 'tuple'; items: PickleValue[] } => typeof v === 'object' && v !== null && 'kind' in v && v.kind === 'tuple';
const isKind = <K extends string>(v: PickleValue, kind: K): boolean => typeof v === 'object' && v !== null && 'kind' in v && v.kind === kind;

/** Decodes one pickle; `file` names it in errors. */
export function readPickle(bytes: Uint8Array, file: string): PickleValue {
  const where = displayPath(file);
  const fail = (problem: string): Error => dataError(where, `${problem} at byte ${pos}`, 'is it a CIFAR python batch? netspec reads only the plain data these files hold');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const stack: PickleValue[] = [];
  const memo = new Map<number, PickleValue>();

  const need = (n: number) => {
    if (pos + n > bytes.length) throw fail(`truncated: ${n} more bytes needed, ${bytes.length - pos} left`);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u32 = () => (need(4), pos += 4, view.getUint32(pos - 4, true));
  const take = (n: number) => (need(n), pos += n, bytes.subarray(pos - n, pos));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 256) throw fail('unterminated global name');
    const text = Buffer.from(bytes.subarray(pos, end)).toString('latin1');
    pos = end + 1;
    return text;
  };
  const pop = (): PickleValue => {
    if (stack.length === 0) throw fail('stack underflow');
    return stack.pop()!;
  };
  const top = (): PickleValue => {
    if (stack.length === 0) throw fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw fail('no MARK');
    const items = stack.splice(at);
    return items.slice(1);
  };
  const key = (k: PickleValue): string => {
    if (typeof k === 'string') return k;
    if (k instanceof Uint8Array) return Buffer.from(k).toString('latin1'); // Python 2's str keys
    if (typeof k === 'number') return String(k);
    throw fail('a dict key that is not a string or number');
  };
  const setItems = (dict: PickleValue, items: PickleValue[]) => {
    if (!(dict instanceof Map) || items.length % 2 !== 0) throw fail('SETITEM(S) on something that is not a dict');
    for (let i = 0; i < items.length; i += 2) dict.set(key(items[i]), items[i + 1]);
  };
  const append = (list: PickleValue, items: PickleValue[]) => {
    if (!Array.isArray(list)) throw fail('APPEND(S) on something that is not a list');
    for (const item of items) list.push(item);
  };
  const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: take(8); break; // FRAME (protocol 4): a length hint
      case 0x2e: { // STOP
        const result = pop();
        if (stack.length !== 0) throw fail('values left on the stack at STOP');
        return result;
      }
      case 0x28: stack.push(MARK); break;
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push({ kind: 'tuple', items: [] }); break; // EMPTY_TUPLE
      case 0x74: stack.push({ kind: 'tuple', items: popMark() }); break; // TUPLE
      case 0x85: case 0x86: case 0x87: { // TUPLE1..3
        const n = op - 0x84;
        if (stack.length < n) throw fail('stack underflow');
        stack.push({ kind: 'tuple', items: stack.splice(stack.length - n) });
        break;
      }
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x61: { const v = pop(); append(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) throw fail(`memo entry ${i} read before it was written`);
        stack.push(memo.get(i)!);
        break;
      }
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: need(2); stack.push(view.getUint16(pos, true)); pos += 2; break; // BININT2
      case 0x4a: need(4); stack.push(view.getInt32(pos, true)); pos += 4; break; // BININT
      case 0x8a: { // LONG1: little-endian two's complement, CIFAR's -1 in dtype states
        const b = take(u8());
        if (b.length > 6) throw fail('an integer of more than 48 bits');
        let v = 0;
        for (let i = b.length - 1; i >= 0; i--) v = v * 256 + b[i];
        if (b.length > 0 && b[b.length - 1] & 0x80) v -= 2 ** (8 * b.length);
        stack.push(v);
        break;
      }
      case 0x47: need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; // BINFLOAT
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x55: case 0x43: stack.push(take(u8())); break; // SHORT_BINSTRING (Python 2 str), SHORT_BINBYTES
      case 0x54: case 0x42: stack.push(take(u32())); break; // BINSTRING, BINBYTES
      case 0x8c: stack.push(text(take(u8()))); break; // SHORT_BINUNICODE
      case 0x58: stack.push(text(take(u32()))); break; // BINUNICODE
      case 0x63: case 0x93: { // GLOBAL, STACK_GLOBAL (protocol 4): named, never imported
        let name: string;
        if (op === 0x63) {
          name = `${line()}.${line()}`;
        } else {
          const [module, attr] = [pop(), pop()].reverse();
          if (typeof module !== 'string' || typeof attr !== 'string') throw fail('STACK_GLOBAL without a module and a name');
          name = `${module}.${attr}`;
        }
        if (!GLOBALS.has(name)) throw fail(`refused global '${name}' (only numpy arrays and plain data are read)`);
        stack.push({ kind: 'global', name });
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        if (!isKind(fn, 'global') || !isTuple(args)) throw fail('REDUCE of something that is not a known global');
        stack.push(reduce((fn as { name: string }).name, args.items, fail));
        break;
      }
      case 0x62: { // BUILD: __setstate__
        const state = pop();
        const obj = top();
        if (isKind(obj, 'ndarray') && isTuple(state)) buildArray(obj as NdArray, state.items, fail);
        else if (!isKind(obj, 'dtype')) throw fail('BUILD of something that is not a numpy array or dtype');
        break;
      }
      default:
        throw fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

function reduce(name: string, args: PickleValue[], fail: (p: string) => Error): PickleValue {
  if (name === '_codecs.encode') {
    // Python 3 at protocol 2 writes bytes b as _codecs.encode(b.decode('latin1'), 'latin1').
    if (typeof args[0] !== 'string' || args[1] !== 'latin1') throw fail('_codecs.encode with arguments other than (str, "latin1")');
    return Uint8Array.from(Buffer.from(args[0], 'latin1'));
  }
  if (name === 'numpy.dtype') {
    const code = args[0] instanceof Uint8Array ? Buffer.from(args[0]).toString('latin1') : args[0]; // Python 2: a str
    if (typeof code !== 'string') throw fail('numpy.dtype without a type code');
    return { kind: 'dtype', code };
  }
  if (name.endsWith('._reconstruct')) {
    if (!isKind(args[0], 'global') || (args[0] as { name: string }).name !== 'numpy.ndarray') throw fail('_reconstruct of something other than numpy.ndarray');
    return { kind: 'ndarray', shape: [], dtype: '', data: new Uint8Array(0) };
  }
  throw fail(`global '${name}' cannot be called`);
}

/** ndarray.__setstate__((version, shape, dtype, is_fortran, raw bytes)): uint8 C-order arrays only. */
function buildArray(a: NdArray, state: PickleValue[], fail: (p: string) => Error): void {
  const [, shape, dtype, fortran, raw] = state;
  if (!isTuple(shape) || !shape.items.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) throw fail('an array shape that is not a tuple of sizes');
  if (!isKind(dtype, 'dtype')) throw fail('an array without a dtype');
  const code = (dtype as { code: string }).code;
  if (code !== 'u1') throw fail(`an array of dtype '${code}' (CIFAR images are uint8)`);
  if (fortran === true) throw fail('a Fortran-order array');
  const dims = shape.items as number[];
  const size = dims.reduce((p, d) => p * d, 1);
  if (!(raw instanceof Uint8Array) || raw.length !== size) {
    throw fail(`an array of shape (${dims.join(', ')}) with ${raw instanceof Uint8Array ? raw.length : 'no'} data bytes`);
  }
  Object.assign(a, { shape: dims, dtype: code, data: raw });
}
