/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`, then the raw
 * little-endian tensor bytes, offsets relative to the end of the header. The npm registry has no maintained reader
 * and writer (the packages found are unmaintained one-offs or browser viewers), and the format is this small, so
 * netspec implements it here, checking every bound before it reads: a truncated or hostile file is an error naming
 * the tensor, never an out-of-range read. No code runs on load, unlike a pickled `.pt`.
 */
import * as fs from 'fs';
import { userError } from '../diagnostics/diagnostic';
import { environmentError } from '../diagnostics/environment';
import { writeFileAtomicSync } from './atomic';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Readonly<Record<SafetensorsDtype, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** A tensor as read: its dtype in the file, and its values as float32 (integers converted; I64 within 2^53). */
export interface StoredTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  values: Float32Array;
}

/** A tensor to write: float32 values, int64 (`num_batches_tracked`, labels) or uint8 (images). */
export type TensorToWrite =
  | { dtype: 'F32'; shape: number[]; values: Float32Array }
  | { dtype: 'I64'; shape: number[]; values: BigInt64Array }
  | { dtype: 'U8'; shape: number[]; values: Uint8Array };

/** Headers beyond this are not state dicts (safetensors itself caps them at 100 MB). */
const MAX_HEADER = 100 * 1024 * 1024;

function formatError(file: string, message: string) {
  return userError('io/safetensors', message, { file, hint: 'expected a safetensors file (8-byte header length, JSON header, tensor data); convert a .pt/.pth state dict with python/safetensors_io.py' });
}

export function readSafetensors(file: string): Map<string, StoredTensor> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw environmentError(e, `cannot read ${file}`) ?? e;
  }
  return parseSafetensors(bytes, file);
}

export function parseSafetensors(bytes: Uint8Array, file = '<memory>'): Map<string, StoredTensor> {
  if (bytes.byteLength < 8) throw formatError(file, `${bytes.byteLength} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER, bytes.byteLength - 8))) {
    throw formatError(file, `header length ${headerLength} exceeds the file (${bytes.byteLength} bytes)`);
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, dataStart - 8).toString('utf8'));
  } catch (e) {
    throw formatError(file, `header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw formatError(file, 'header is not a JSON object');
  const dataLength = bytes.byteLength - dataStart;
  const out = new Map<string, StoredTensor>();
  const spans: Array<[number, number, string]> = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in BYTES)) throw formatError(file, `tensor '${name}': unsupported dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw formatError(file, `tensor '${name}': shape ${JSON.stringify(shape)} is not a list of sizes`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw formatError(file, `tensor '${name}': data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    const size = BYTES[dtype as SafetensorsDtype];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLength) throw formatError(file, `tensor '${name}': bytes ${begin}…${end} lie outside the ${dataLength} data bytes`);
    if (end - begin !== count * size) throw formatError(file, `tensor '${name}': ${end - begin} bytes for shape [${(shape as number[]).join(', ')}] of ${dtype} (expected ${count * size})`);
    spans.push([begin, end, name]);
    out.set(name, { dtype: dtype as SafetensorsDtype, shape: shape as number[], values: decode(view, dataStart + begin, count, dtype as SafetensorsDtype) });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) throw formatError(file, `tensors '${spans[i - 1][2]}' and '${spans[i][2]}' overlap`);
  }
  return out;
}

function decode(view: DataView, at: number, count: number, dtype: SafetensorsDtype): Float32Array {
  const out = new Float32Array(count);
  const size = BYTES[dtype];
  const read: Record<SafetensorsDtype, (o: number) => number> = {
    F64: (o) => view.getFloat64(o, true),
    F32: (o) => view.getFloat32(o, true),
    F16: (o) => halfToFloat(view.getUint16(o, true)),
    BF16: (o) => new Float32Array(new Uint32Array([view.getUint16(o, true) << 16]).buffer)[0],
    I64: (o) => Number(view.getBigInt64(o, true)),
    I32: (o) => view.getInt32(o, true),
    I16: (o) => view.getInt16(o, true),
    I8: (o) => view.getInt8(o),
    U8: (o) => view.getUint8(o),
    BOOL: (o) => view.getUint8(o),
  };
  const get = read[dtype];
  for (let i = 0; i < count; i++) out[i] = get(at + i * size);
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** The file's bytes: tensors in the given order, the header padded with spaces to 8 bytes as torch's writer does. */
export function serializeSafetensors(tensors: ReadonlyMap<string, TensorToWrite>, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = Object.keys(metadata).length > 0 ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, t] of tensors) {
    const length = t.values.length * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    const raw = Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength);
    // Both typed arrays are little-endian on every platform Node runs on (x86, ARM).
    raw.copy(out, at);
    at += raw.length;
  }
  return out;
}

export function writeSafetensors(file: string, tensors: ReadonlyMap<string, TensorToWrite>, metadata: Record<string, string> = {}): void {
  writeFileAtomicSync(file, serializeSafetensors(tensors, metadata));
}
