/**
 * Hostile and special `--data`: gzip bombs, image headers declaring gigapixels, /dev/zero, FIFOs, folders where
 * files belong. Each is loaded in a child process (the real built reader), which reports the error, its wall time and
 * its peak resident memory: every case must be a clear data error within 5 s and a few hundred MB. Before the reads
 * were bounded, 1 GiB of gzipped zeros took 6.4 s and 2.1 GB, a PNG declaring 20000×20000 25 s and 3.9 GB, and a
 * FIFO blocked forever.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as jpeg from 'jpeg-js';
import { MAX_IMAGE_PIXELS } from '../../../src/train/data/image';
import { idxBytes, tempDir } from './files';

const dataModule = path.join(__dirname, '..', '..', '..', 'dist', 'src', 'train', 'data', 'index.js');
const MiB = 1024 ** 2;

interface Outcome {
  code?: string;
  message?: string;
  seconds: number;
  /** Peak resident set of the child, in MiB (`process.resourceUsage().maxRSS`). */
  peakMiB: number;
  /** The child was killed by the 20 s guard: the read blocked or ran away. */
  hung: boolean;
}

/** Loads `p` with the built `loadData` in a fresh node process. */
function loadInChild(p: string): Outcome {
  const script = `
    const started = process.hrtime.bigint();
    let out = {};
    try { require(process.argv[1]).loadData(process.argv[2]); out = { message: 'loaded' }; }
    catch (e) { out = { code: e.diagnostics ? e.diagnostics[0].code : e.code, message: e.message }; }
    out.seconds = Number(process.hrtime.bigint() - started) / 1e9;
    out.peakMiB = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', script, dataModule, p], { encoding: 'utf8', timeout: 20_000 });
  if (r.signal) return { seconds: 20, peakMiB: NaN, hung: true };
  return { ...JSON.parse(r.stdout), hung: false };
}

/** A baseline: the same child loading a tiny valid dataset, so memory limits are relative to what node itself takes. */
let baselineMiB: number;
let dir: string;

beforeAll(() => {
  dir = tempDir('hostile');
  const ok = path.join(dir, 'ok');
  fs.mkdirSync(ok);
  fs.writeFileSync(path.join(ok, 'train-images-idx3-ubyte'), idxBytes([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]));
  fs.writeFileSync(path.join(ok, 'train-labels-idx1-ubyte'), idxBytes([2], [0, 1]));
  const base = loadInChild(ok);
  expect(base.message).toBe('loaded');
  baselineMiB = base.peakMiB;
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `mib` MiB of zeros after `head`, as concatenated gzip members (RFC 1952 §2.2 allows any number): ~1 KB per MiB. */
function gzipZeros(head: Buffer, mib: number): Buffer {
  const zeros = zlib.gzipSync(Buffer.alloc(MiB), { level: 9 });
  return Buffer.concat([zlib.gzipSync(head), ...new Array<Buffer>(mib).fill(zeros)]);
}

/** An idx folder whose training images are `images` (written as given) with a valid one-label file beside them. */
function idxFolder(name: string, imagesName: string, images: Buffer | ((file: string) => void)): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d);
  const file = path.join(d, imagesName);
  if (typeof images === 'function') images(file);
  else fs.writeFileSync(file, images);
  fs.writeFileSync(path.join(d, 'train-labels-idx1-ubyte'), idxBytes([10], new Array(10).fill(0)));
  return d;
}

/** CRC-32 of PNG chunks (ISO 3309 polynomial, as the PNG specification's sample code). */
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG whose IHDR declares width×height (8-bit, `colorType` 0 grey / 6 RGBA) and whose IDAT inflates to `idatMiB`. */
function pngDeclaring(width: number, height: number, colorType: number, idatMiB: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = colorType;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const idat = zlib.deflateSync(Buffer.alloc(idatMiB * MiB), { level: 9 });
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A real 16×16 baseline JPEG (jpeg-js' encoder) whose start-of-frame is patched to declare width×height. */
function jpegDeclaring(width: number, height: number): Buffer {
  const bytes = Buffer.from(jpeg.encode({ width: 16, height: 16, data: Buffer.alloc(16 * 16 * 4, 128) }, 90).data);
  for (let i = 2; i < bytes.length; i += 2 + bytes.readUInt16BE(i + 2)) {
    if (bytes[i + 1] === 0xc0) {
      bytes.writeUInt16BE(height, i + 5);
      bytes.writeUInt16BE(width, i + 7);
      return bytes;
    }
  }
  throw new Error('the encoder wrote no baseline start-of-frame');
}

/** A one-class image folder holding `bytes` as its only image, in train/ and test/. */
function imageFolder(name: string, file: string, bytes: Buffer): string {
  const root = path.join(dir, name);
  for (const split of ['train', 'test']) {
    fs.mkdirSync(path.join(root, split, 'a'), { recursive: true });
    fs.writeFileSync(path.join(root, split, 'a', file), bytes);
  }
  return root;
}

function expectBoundedDataError(o: Outcome, message: RegExp): void {
  expect(o.hung).toBe(false);
  expect(o.code).toBe('data/invalid');
  expect(o.message).toMatch(message);
  expect(o.seconds).toBeLessThan(5);
}

test("Pillow's MAX_IMAGE_PIXELS is the pixel cap: 2^30 / 4 / 3", () => {
  expect(MAX_IMAGE_PIXELS).toBe(89_478_485);
});

test('1 GiB of gzipped zeros named like idx images is rejected from its first bytes', () => {
  const o = loadInChild(idxFolder('zeros-gz', 'train-images-idx3-ubyte.gz', gzipZeros(Buffer.alloc(0), 1024)));
  expectBoundedDataError(o, /idx element type is unknown type 0x0/);
  expect(o.peakMiB - baselineMiB).toBeLessThan(64);
});

test('a valid idx header followed by 1 GiB of gzipped zeros stops one byte past what the header promises', () => {
  const head = idxBytes([10, 28, 28], new Array(10 * 28 * 28).fill(0));
  const o = loadInChild(idxFolder('trailing-gz', 'train-images-idx3-ubyte.gz', gzipZeros(head, 1024)));
  expectBoundedDataError(o, /expected 7856 bytes for dimensions 10×28×28, found more after decompression/);
  expect(o.peakMiB - baselineMiB).toBeLessThan(64);
});

test('an idx header announcing 93 GiB is refused before anything past the header is inflated', () => {
  const head = idxBytes([100_000, 1000, 1000], []);
  const o = loadInChild(idxFolder('huge-header', 'train-images-idx3-ubyte.gz', gzipZeros(head, 16)));
  expectBoundedDataError(o, /announces dimensions 100000×1000×1000 \(93\.1 GiB\), more than the 1 GiB netspec reads/);
  expect(o.peakMiB - baselineMiB).toBeLessThan(64);
});

test('a raw idx file longer than its header says is rejected by its size, without reading it', () => {
  // A sparse 8 GiB file: nothing is written to disk past the header.
  const o = loadInChild(idxFolder('sparse', 'train-images-idx3-ubyte', (file) => {
    fs.writeFileSync(file, idxBytes([10, 28, 28], new Array(10 * 28 * 28).fill(0)));
    fs.truncateSync(file, 8 * 1024 ** 3);
  }));
  expectBoundedDataError(o, /expected 7856 bytes for dimensions 10×28×28, found 8 GiB \(trailing bytes/);
  expect(o.peakMiB - baselineMiB).toBeLessThan(64);
});

test('a CIFAR batch that inflates past the largest published one (154 MB) stops at 256 MiB', () => {
  const d = path.join(dir, 'cifar-gz');
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 'data_batch_1.bin'), gzipZeros(Buffer.alloc(0), 1024));
  const o = loadInChild(d);
  expectBoundedDataError(o, /decompresses to more: more than the 256 MiB netspec reads from one data file/);
  expect(o.peakMiB - baselineMiB).toBeLessThan(400);
});

test('PNG and JPEG headers declaring more than the pixel cap are refused before decoding', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['png-100k.png', pngDeclaring(100_000, 100_000, 6, 16), /declares 100000×100000 = 10000\.0 megapixels, more than the 89\.5 MP/],
    // A real bomb: its IDAT inflates to 64 MiB of zero rows from 64 KB.
    ['png-20k.png', pngDeclaring(20_000, 20_000, 0, 64), /declares 20000×20000 = 400\.0 megapixels/],
    ['jpeg-65k.jpg', jpegDeclaring(65_000, 65_000), /declares 65000×65000 = 4225\.0 megapixels/],
    ['jpeg-just-over.jpg', jpegDeclaring(9_500, 9_500), /declares 9500×9500 = 90\.3 megapixels/],
  ];
  for (const [file, bytes, message] of cases) {
    const o = loadInChild(imageFolder(file.replace(/\W/g, '-'), file, bytes));
    expectBoundedDataError(o, message);
    expect({ file, extraMiB: o.peakMiB - baselineMiB < 64 }).toEqual({ file, extraMiB: true });
  }
});

test('an image just under the cap is not refused by the check (the decoder reads it)', () => {
  // 4000×4000 grey with real rows: decoded, so the cap does not reject ordinary large photos.
  const rows = Buffer.alloc(4000 * 4001);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(4000, 0);
  ihdr.writeUInt32BE(4000, 4);
  ihdr[8] = 8;
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
  expect(loadInChild(imageFolder('png-4k', 'ok.png', png)).message).toBe('loaded');
});

test('special files and folders in place of data files are refused at once', () => {
  const fifoDir = idxFolder('fifo', 'train-images-idx3-ubyte', (file) => execFileSync('mkfifo', [file]));
  const zeroDir = idxFolder('devzero', 'train-images-idx3-ubyte', (file) => fs.symlinkSync('/dev/zero', file));
  const folderDir = idxFolder('folder', 'train-images-idx3-ubyte', (file) => fs.mkdirSync(file));
  const fifo = path.join(dir, 'plain-fifo');
  execFileSync('mkfifo', [fifo]);
  const cases: [string, RegExp][] = [
    ['/dev/zero', /^\/dev\/zero: is a character device, not a data file or folder$/],
    [fifo, /plain-fifo: is a FIFO \(named pipe\), not a data file or folder$/],
    [fifoDir, /train-images-idx3-ubyte: is a FIFO \(named pipe\), not a regular file$/],
    [zeroDir, /train-images-idx3-ubyte: is a character device, not a regular file$/],
    [folderDir, /train-images-idx3-ubyte: is a directory, not a regular file$/],
  ];
  for (const [p, message] of cases) expectBoundedDataError(loadInChild(p), message);
});

test('a FIFO or /dev/zero as a class-name list is refused too', () => {
  const d = path.join(dir, 'names');
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 'train-images-idx3-ubyte'), idxBytes([1, 1, 1], [0]));
  fs.writeFileSync(path.join(d, 'train-labels-idx1-ubyte'), idxBytes([1], [0]));
  fs.symlinkSync('/dev/zero', path.join(d, 'classes.txt'));
  expectBoundedDataError(loadInChild(d), /classes\.txt: is a character device, not a regular file$/);
});
