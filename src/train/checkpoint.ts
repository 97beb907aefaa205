/**
 * A training checkpoint is one file: a JSON header (epoch, step, RNG and schedule state, tensor manifest) followed
 * by the float32 values of the model's weights and the optimizer's slots, then the SHA-256 of everything before it.
 * One file means one atomic rename: a checkpoint is either the previous one or the complete new one, whenever the
 * process dies. The digest catches what the rename cannot: a file edited or damaged afterwards (a 4-byte change of
 * the header once made an epoch "train" with 0 steps). Format 1 (no digest) is rejected with a message saying so:
 * its content cannot be trusted to resume exactly.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DiagnosticError, userError } from '../diagnostics/diagnostic';
import { isTempPath, tempPathFor, writeFileAtomic } from '../io/atomic';
import { formatBytes, openRegularFile, readAt } from '../io/read';
import { testPause } from '../io/test-pause';

const MAGIC = 'NETSPEC-CKPT-2\n';
const OLD_MAGIC = 'NETSPEC-CKPT-1\n';
const DIGEST_BYTES = 32;
/** Magic, header length, an empty header and the digest: nothing shorter can be a checkpoint. */
const MIN_BYTES = MAGIC.length + 4 + 2 + DIGEST_BYTES;

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

/** The file's bytes: header, tensors, then their SHA-256. */
export function checkpointBytes<State>(ckpt: Checkpoint<State>): Buffer[] {
  const header = Buffer.from(JSON.stringify({ state: ckpt.state, model: ckpt.model, optimizer: ckpt.optimizer }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const chunks: Buffer[] = [Buffer.from(MAGIC), length, header];
  for (const v of [...ckpt.modelValues, ...ckpt.optimizerValues]) chunks.push(Buffer.from(v.buffer as ArrayBuffer, v.byteOffset, v.byteLength));
  const hash = createHash('sha256');
  for (const c of chunks) hash.update(c);
  return [...chunks, hash.digest()];
}

export async function writeCheckpoint<State>(file: string, ckpt: Checkpoint<State>): Promise<void> {
  await writeFileAtomic(file, checkpointBytes(ckpt));
}

/**
 * best.ckpt is last.ckpt of the best epoch: a hard link to it under a temporary name, renamed over the target, so it
 * is atomic and costs no copy (a ResNet-152 checkpoint with Adam's slots is 723 MB). last.ckpt is later replaced by a
 * rename, which leaves the linked file as it was. Where links are not allowed, the bytes are copied.
 */
export async function copyCheckpoint(dir: string, from: string, to: string): Promise<void> {
  const source = path.join(dir, from);
  const target = path.join(dir, to);
  checkPlainFile(source);
  const tmp = tempPathFor(target);
  try {
    await fs.promises.link(source, tmp);
  } catch {
    await writeFileAtomic(target, readBytes(source));
    return;
  }
  // No directory fsync: if a power loss undoes this rename, a resume re-links best.ckpt from its record.
  testPause(to);
  await fs.promises.rename(tmp, target);
}

/** The checkpoint files in a run's checkpoints/ folder, sorted (temporary files of killed writes left out). */
export function runCheckpointNames(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  return fs.readdirSync(dir).filter((n) => n.endsWith('.ckpt') && !isTempPath(n)).sort();
}

function checkPlainFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    throw checkpointError(file, 'no such checkpoint');
  }
  if (stat.isSymbolicLink()) throw checkpointError(file, 'is a symbolic link; netspec reads and writes only its own files in a run', 'replace the link with the checkpoint file itself');
  if (!stat.isFile()) throw checkpointError(file, `is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}, not a checkpoint`, 'remove it, or resume from another checkpoint (--resume-from best)');
}

/** A header is epoch history and a tensor manifest: ResNet-152's is under 100 KiB. */
const MAX_HEADER_BYTES = 64 * 1024 ** 2;

/**
 * The file's bytes, read only as far as its header promises: the magic and header come first, the size they
 * announce (header, tensors, digest) is checked against the file's before anything else is read, so a huge or
 * endless file is an error up front. Whatever is wrong inside is found by the digest afterwards.
 */
function readBytes(file: string): Buffer {
  checkPlainFile(file);
  const { fd, size } = openRegularFile(file, (problem, hint) => checkpointError(file, problem, hint));
  try {
    const start = MAGIC.length + 4;
    const head = readAt(fd, start);
    // Not a format-2 checkpoint, or too short for one: its first bytes are enough for readCheckpoint to say which.
    if (head.subarray(0, MAGIC.length).toString() !== MAGIC || size < MIN_BYTES) return readAt(fd, Math.min(size, MIN_BYTES));
    const headerLength = head.readUInt32LE(MAGIC.length);
    if (headerLength > MAX_HEADER_BYTES || start + headerLength > size) {
      throw checkpointError(file, `damaged: header of ${headerLength} bytes in a ${size}-byte file`);
    }
    const values = tensorValues(readAt(fd, headerLength, start));
    if (values === undefined) throw checkpointError(file, 'damaged header');
    const promised = start + headerLength + 4 * values + DIGEST_BYTES;
    if (promised !== size) {
      const problem = size < promised ? 'truncated' : 'damaged';
      throw checkpointError(file, `${problem}: its header promises ${promised} bytes (${formatBytes(promised)}), the file has ${size}`);
    }
    return readAt(fd, size);
  } finally {
    fs.closeSync(fd);
  }
}

/** How many float32 values the header's manifest lists; undefined when it is not a manifest. */
function tensorValues(header: Buffer): number | undefined {
  try {
    const { model, optimizer } = JSON.parse(header.toString()) as CheckpointHeader<unknown>;
    const n = [...model, ...optimizer].reduce((sum, e) => sum + e.shape.reduce((a, b) => a * b, 1), 0);
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function readCheckpoint<State>(file: string): Checkpoint<State> {
  const bytes = readBytes(file);
  const magic = bytes.subarray(0, MAGIC.length).toString();
  if (magic === OLD_MAGIC) {
    throw checkpointError(file, 'is a format-1 checkpoint (no checksum), which this netspec does not resume from', 'start a new run; format-2 checkpoints carry a SHA-256 digest');
  }
  if (magic !== MAGIC) throw checkpointError(file, 'not a netspec checkpoint (its first bytes are not NETSPEC-CKPT-2)');
  if (bytes.length < MIN_BYTES) throw checkpointError(file, `truncated: ${bytes.length} bytes, a checkpoint has at least ${MIN_BYTES}`);
  const body = bytes.subarray(0, bytes.length - DIGEST_BYTES);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(bytes.subarray(bytes.length - DIGEST_BYTES))) {
    throw checkpointError(file, 'damaged: its SHA-256 digest does not match its contents (truncated, or changed after it was written)');
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  if (start + headerLength > body.length) throw checkpointError(file, `damaged: header of ${headerLength} bytes in a ${bytes.length}-byte file`);
  let header: CheckpointHeader<State>;
  try {
    header = JSON.parse(body.subarray(start, start + headerLength).toString());
  } catch {
    throw checkpointError(file, 'damaged header');
  }
  let offset = start + headerLength;
  const read = (entries: TensorEntry[]) =>
    entries.map((e) => {
      const n = e.shape.reduce((a, b) => a * b, 1);
      if (offset + 4 * n > body.length) throw checkpointError(file, `truncated at tensor ${e.name}`);
      const values = new Float32Array(n);
      Buffer.from(values.buffer).set(body.subarray(offset, offset + 4 * n));
      offset += 4 * n;
      return values;
    });
  const modelValues = read(header.model);
  const optimizerValues = read(header.optimizer);
  if (offset !== body.length) throw checkpointError(file, `${body.length - offset} unexpected trailing bytes`);
  return { ...header, modelValues, optimizerValues };
}
