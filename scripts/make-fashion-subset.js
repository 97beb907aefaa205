#!/usr/bin/env node
/*
 * Regenerates data/fashion-mnist-small/ from the full Fashion-MNIST idx files that Debian ships
 * (`apt-get install dataset-fashion-mnist` → /usr/share/datasets/fashion-mnist/).
 *
 * The subset is stratified and deterministic without any randomness: the first N examples of each class, in the
 * original file order (which is already shuffled), so the classes stay interleaved and any prefix is roughly balanced.
 * The output uses the same four gzipped idx files as the original, so every idx reader can read it.
 *
 *   node scripts/make-fashion-subset.js [--src DIR] [--out DIR] [--train-per-class N] [--test-per-class N]
 */
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function parseArgs(argv) {
  const opts = {
    src: '/usr/share/datasets/fashion-mnist',
    out: path.join(__dirname, '..', 'data', 'fashion-mnist-small'),
    trainPerClass: 600,
    testPerClass: 100,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) fail(`missing value after ${flag}`);
    if (flag === '--src') opts.src = value;
    else if (flag === '--out') opts.out = value;
    else if (flag === '--train-per-class') opts.trainPerClass = positiveInt(flag, value);
    else if (flag === '--test-per-class') opts.testPerClass = positiveInt(flag, value);
    else fail(`unknown option ${flag}`);
  }
  return opts;
}

function positiveInt(flag, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) fail(`${flag} needs a positive integer, got ${value}`);
  return n;
}

function fail(message) {
  process.stderr.write(`make-fashion-subset: ${message}\n`);
  process.exit(2);
}

/** Reads an idx file (gzipped or not) and checks its header against its size. */
function readIdx(file) {
  if (!fs.existsSync(file)) fail(`${file} not found (apt-get install dataset-fashion-mnist)`);
  let bytes = fs.readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) fail(`${file}: not an idx file of unsigned bytes`);
  const ndims = bytes[3];
  const dims = [];
  for (let i = 0; i < ndims; i++) dims.push(bytes.readUInt32BE(4 + 4 * i));
  const header = 4 + 4 * ndims;
  const expected = header + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) fail(`${file}: expected ${expected} bytes, found ${bytes.length}`);
  return { dims, data: bytes.subarray(header) };
}

function idxFile(dims, data) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  // Level 9 and Node's fixed gzip header (no file name, mtime 0) make the output byte-for-byte reproducible.
  return zlib.gzipSync(Buffer.concat([header, data]), { level: 9 });
}

/** Writes via a temporary file and a rename, so an interrupted run never leaves a half-written data file. */
function writeAtomic(file, bytes) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

function subset(prefix, perClass, opts) {
  const images = readIdx(path.join(opts.src, `${prefix}-images-idx3-ubyte.gz`));
  const labels = readIdx(path.join(opts.src, `${prefix}-labels-idx1-ubyte.gz`));
  const [n, h, w] = images.dims;
  if (labels.dims[0] !== n) fail(`${prefix}: ${labels.dims[0]} labels for ${n} images`);
  const taken = new Array(CLASSES.length).fill(0);
  const keep = [];
  for (let i = 0; i < n && keep.length < perClass * CLASSES.length; i++) {
    const label = labels.data[i];
    if (taken[label] < perClass) {
      taken[label]++;
      keep.push(i);
    }
  }
  if (taken.some((t) => t < perClass)) fail(`${prefix}: not enough examples for ${perClass} per class (${taken})`);
  const size = h * w;
  const outImages = Buffer.alloc(keep.length * size);
  const outLabels = Buffer.alloc(keep.length);
  keep.forEach((src, dst) => {
    images.data.copy(outImages, dst * size, src * size, (src + 1) * size);
    outLabels[dst] = labels.data[src];
  });
  writeAtomic(path.join(opts.out, `${prefix}-images-idx3-ubyte.gz`), idxFile([keep.length, h, w], outImages));
  writeAtomic(path.join(opts.out, `${prefix}-labels-idx1-ubyte.gz`), idxFile([keep.length], outLabels));
  return { prefix, size: keep.length, lastSourceIndex: keep[keep.length - 1] };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  fs.mkdirSync(opts.out, { recursive: true });
  const results = [subset('train', opts.trainPerClass, opts), subset('t10k', opts.testPerClass, opts)];
  writeAtomic(path.join(opts.out, 'classes.txt'), CLASSES.join('\n') + '\n');
  for (const r of results) {
    process.stdout.write(`${r.prefix}: ${r.size} examples (first ${r.size / CLASSES.length} per class, ` +
      `from source examples 0..${r.lastSourceIndex})\n`);
  }
}

main();
