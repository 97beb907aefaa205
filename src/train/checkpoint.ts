/**
 * A training checkpoint is one file: a JSON header (epoch, step, RNG and schedule state, tensor manifest) followed
 * by the float32 values of the model's weights and the optimizer's slots. One file means one atomic rename: a
 * checkpoint is either the previous one or the complete new one, whenever the process dies.
 */
import * as fs from 'fs';
import { DiagnosticError, userError } from '../diagnostics/diagnostic';
import { writeFileAtomic } from '../io/atomic';

const MAGIC = 'NETSPEC-CKPT-1\n';

export interface TensorEntry {
  name: string;
  shape: number[];
}

export interface CheckpointHeader<State> {
  state: State;
  model: TensorEntry[];
  optimizer: TensorEntry[];
}

export interface Checkpoint<State> extends CheckpointHeader<State> {
  modelValues: Float32Array[];
  optimizerValues: Float32Array[];
}

/** A checkpoint the user pointed at (or a run holds) that cannot be used: named, with what is wrong with it. */
export function checkpointError(file: string, reason: string, hint?: string): DiagnosticError {
  return userError('checkpoint/invalid', reason, { file, hint });
}

export async function writeCheckpoint<State>(file: string, ckpt: Checkpoint<State>): Promise<void> {
  const header = Buffer.from(JSON.stringify({ state: ckpt.state, model: ckpt.model, optimizer: ckpt.optimizer }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const chunks = function* () {
    yield Buffer.from(MAGIC);
    yield length;
    yield header;
    for (const v of [...ckpt.modelValues, ...ckpt.optimizerValues]) yield new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  };
  await writeFileAtomic(file, chunks());
}

export function readCheckpoint<State>(file: string): Checkpoint<State> {
  const bytes = fs.readFileSync(file);
  if (bytes.subarray(0, MAGIC.length).toString() !== MAGIC) throw checkpointError(file, 'not a netspec checkpoint');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  let header: CheckpointHeader<State>;
  try {
    header = JSON.parse(bytes.subarray(start, start + headerLength).toString());
  } catch {
    throw checkpointError(file, 'damaged header');
  }
  let offset = start + headerLength;
  const read = (entries: TensorEntry[]) =>
    entries.map((e) => {
      const n = e.shape.reduce((a, b) => a * b, 1);
      if (offset + 4 * n > bytes.length) throw checkpointError(file, `truncated at tensor ${e.name}`);
      const values = new Float32Array(n);
      Buffer.from(values.buffer).set(bytes.subarray(offset, offset + 4 * n));
      offset += 4 * n;
      return values;
    });
  const modelValues = read(header.model);
  const optimizerValues = read(header.optimizer);
  if (offset !== bytes.length) throw checkpointError(file, `${bytes.length - offset} unexpected trailing bytes`);
  return { ...header, modelValues, optimizerValues };
}
