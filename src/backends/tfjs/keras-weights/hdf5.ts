/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly). h5wasm ships ES modules and one self-contained
 * script; netspec compiles to CommonJS and its tests run under jest, neither of which can load the ES build without
 * flags, so the script build is evaluated once and its in-memory file system receives the bytes to open.
 */
import * as fs from 'fs';
import * as path from 'path';
import { invariant } from '../../../diagnostics/diagnostic';
import { modelFileError } from '../io/file-handler';

export interface H5Attribute { value: unknown }
export interface H5Node {
  type: string;
  attrs: Record<string, H5Attribute>;
}
export interface H5Group extends H5Node {
  keys(): string[];
  get(path: string): H5Group | H5Dataset | null;
}
export interface H5Dataset extends H5Node {
  shape: number[] | null;
  /** numpy-style type string, e.g. `<B` (uint8), `<q` (int64), `|S7` (fixed-length bytes). */
  dtype: unknown;
  metadata: { type: number; size: number; signed: boolean };
  value: unknown;
}
export interface H5File extends H5Group { close(): void }

interface H5Module {
  ready: Promise<{ FS: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void } }>;
  File: new (path: string, mode: 'r') => H5File;
}

let loaded: H5Module | undefined;
/**
 * HDF5 prints its error stack (30 lines per failed open) through Emscripten's `err`, which the module binds to
 * console.error as it starts; it is handed a switch instead, so an open that netspec reports itself stays quiet.
 */
let quiet = false;

function h5wasm(): H5Module {
  if (!loaded) {
    // h5wasm's package `exports` name only the ES builds, so require.resolve cannot reach the script build.
    const script = (require.resolve.paths('h5wasm') ?? []).map((dir) => path.join(dir, 'h5wasm', 'dist', 'iife', 'h5wasm.js')).find((p) => fs.existsSync(p));
    invariant(script, 'the h5wasm package is not installed');
    const consoleError = console.error;
    console.error = (...args: unknown[]) => {
      if (!quiet) consoleError(...args);
    };
    try {
      loaded = new Function(`${fs.readFileSync(script, 'utf8')}\nreturn h5wasm;`)() as H5Module;
    } finally {
      console.error = consoleError;
    }
  }
  return loaded;
}

let opened = 0;
let fileSystem: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void } | undefined;

/** Instantiates the WebAssembly module (asynchronous, once); after it, `withHdf5Sync` needs no await. */
export async function hdf5Ready(): Promise<void> {
  fileSystem ??= (await h5wasm().ready).FS;
}

/** Opens HDF5 bytes read-only, hands the root group to `use`, and frees the copy whatever happens. */
export async function withHdf5<T>(bytes: Uint8Array, source: string, use: (root: H5File) => T): Promise<T> {
  await hdf5Ready();
  return withHdf5Sync(bytes, (message) => modelFileError(`${source} is not a readable HDF5 file: ${message}`), use);
}

/** `withHdf5` once `hdf5Ready` has resolved; `unreadable` makes the error for bytes HDF5 cannot open. */
export function withHdf5Sync<T>(bytes: Uint8Array, unreadable: (message: string) => Error, use: (root: H5File) => T): T {
  const h5 = h5wasm();
  const FS = fileSystem;
  invariant(FS, 'hdf5Ready() must resolve before HDF5 files are read synchronously');
  const name = `/netspec-${process.pid}-${opened++}.h5`;
  FS.writeFile(name, bytes);
  try {
    let file: H5File;
    quiet = true;
    try {
      file = new h5.File(name, 'r');
    } catch (e) {
      throw unreadable(e instanceof Error ? e.message : String(e));
    } finally {
      quiet = false;
    }
    // A file HDF5 cannot open still gives a File object, with a negative id.
    if (Number((file as unknown as { file_id: number | bigint }).file_id) < 0) throw unreadable('HDF5 cannot open it');
    try {
      return use(file);
    } finally {
      file.close();
    }
  } finally {
    FS.unlink(name);
  }
}

export const isGroup = (n: H5Group | H5Dataset | null): n is H5Group => n !== null && n.type === 'Group';
export const isDataset = (n: H5Group | H5Dataset | null): n is H5Dataset => n !== null && n.type === 'Dataset';
