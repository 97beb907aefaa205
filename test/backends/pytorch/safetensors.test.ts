/**
 * The safetensors reader and writer against hand-built files: the byte layout of the format's specification, and
 * every bound the reader must check before touching tensor data. A wrong state dict is reported all at once.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DiagnosticError } from '../../../src/diagnostics/diagnostic';
import { parseSafetensors, serializeSafetensors, writeSafetensors } from '../../../src/io/safetensors';
import { graphOf } from '../../helpers/compile';
import { torchParams } from '../../../src/backends/pytorch/names';
import { netspec } from '../../helpers/cli';

/** A file as the format describes it: u64 LE header size, the JSON header, the data. */
function file(header: object, data: Uint8Array = new Uint8Array()): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([size, json, data]);
}

const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

describe('safetensors', () => {
  test('reads the layout of the specification (F32, F16, I64) and ignores __metadata__', () => {
    const data = Buffer.concat([f32(1.5, -2), Buffer.from([0x00, 0x3c, 0x00, 0xc0]), Buffer.from(new BigInt64Array([7n]).buffer)]);
    const t = parseSafetensors(file({
      __metadata__: { format: 'pt' },
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      h: { dtype: 'F16', shape: [2], data_offsets: [8, 12] },
      n: { dtype: 'I64', shape: [], data_offsets: [12, 20] },
    }, data));
    expect([...t.keys()]).toEqual(['a', 'h', 'n']);
    expect([...t.get('a')!.values]).toEqual([1.5, -2]);
    expect([...t.get('h')!.values]).toEqual([1, -2]);
    expect(t.get('n')!.shape).toEqual([]);
    expect([...t.get('n')!.values]).toEqual([7]);
  });

  test('writes an 8-byte-aligned header with offsets relative to the data, and reads its own output back', () => {
    const bytes = serializeSafetensors(new Map([
      ['w', { dtype: 'F32' as const, shape: [1, 3], values: new Float32Array([1, 2, 3]) }],
      ['c', { dtype: 'I64' as const, shape: [], values: new BigInt64Array([0n]) }],
    ]));
    const n = Number(bytes.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    expect(JSON.parse(bytes.subarray(8, 8 + n).toString())).toEqual({
      w: { dtype: 'F32', shape: [1, 3], data_offsets: [0, 12] },
      c: { dtype: 'I64', shape: [], data_offsets: [12, 20] },
    });
    expect(bytes.length).toBe(8 + n + 20);
    expect([...parseSafetensors(bytes).get('w')!.values]).toEqual([1, 2, 3]);
  });

  test.each([
    ['too short', Buffer.alloc(4), /too short/],
    ['header past the end', (() => { const b = Buffer.alloc(16); b.writeBigUInt64LE(1000n); return b; })(), /exceeds the file/],
    ['not JSON', (() => { const b = Buffer.alloc(12); b.writeBigUInt64LE(4n); b.write('{{{{', 8); return b; })(), /not JSON/],
    ['data past the end', file({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(1)), /outside the 4 data bytes/],
    ['size not matching the shape', file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(1, 2)), /8 bytes for shape \[3\]/],
    ['overlapping tensors', file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1, 2)), /overlap/],
    ['unknown dtype', file({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /unsupported dtype "Q4"/],
    ['negative size', file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /not a list of sizes/],
  ])('%s is a located user error, not a crash', (_, bytes, message) => {
    let caught: unknown;
    try {
      parseSafetensors(bytes, 'bad.safetensors');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DiagnosticError);
    expect((caught as DiagnosticError).diagnostics[0]).toMatchObject({ code: 'io/safetensors', file: 'bad.safetensors' });
    expect((caught as DiagnosticError).message).toMatch(message);
  });
});

describe('compile --weights with a state dict that does not fit', () => {
  test('a pickled .pth is refused with the one-line conversion, not unpickled (exit 2)', async () => {
    const r = await netspec('compile', 'resnet18', '--weights', 'resnet18.pth', '--out', path.join(os.tmpdir(), 'netspec-never'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('netspec reads torch state dicts as .safetensors, not pickled .pt/.pth files');
    expect(r.stderr).toMatch(/python3 \S+python\/safetensors_io\.py resnet18\.pth resnet18\.safetensors/);
  });

  test('lists every missing, mismatched and unexpected name with torch shapes, writes nothing, exits 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-st-'));
    try {
      const params = torchParams(graphOf('cifar/resnet20'));
      const state = new Map(params
        .filter((p) => p.torch !== 'layer1.0.bn1.running_var')
        .map((p) => [p.torch, { dtype: 'F32' as const, shape: p.torch === 'fc.weight' ? [12, 64] : p.torchShape, values: new Float32Array(p.torchShape.reduce((a, b) => a * b, 1) * (p.torch === 'fc.weight' ? 12 / 10 : 1)) }]));
      state.set('layer9.0.conv1.weight', { dtype: 'F32', shape: [1], values: new Float32Array(1) });
      const weights = path.join(dir, 'w.safetensors');
      writeSafetensors(weights, state);
      const r = await netspec('compile', 'cifar/resnet20', '--weights', weights, '--out', path.join(dir, 'out'));
      expect(r.code).toBe(2);
      expect(r.stdout).toContain(`loaded ${params.length - 2} of ${params.length} weights`);
      expect(r.stdout).toMatch(/missing from the file \(1 weights\):\n {2}layer1\.0\.bn1\.running_var\n/);
      expect(r.stdout).toContain('fc.weight: [10, 64] vs [12, 64]');
      expect(r.stdout).toContain('layer9.0.conv1.weight');
      expect(fs.existsSync(path.join(dir, 'out', 'model.json'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
