/**
 * The training benchmark's parts, without timing anything that matters and without PyTorch: the step breakdown
 * charges kernels to the right category and puts the kernels back; the timing loop makes the calls it promises;
 * the peer's output is read as printed (a stand-in interpreter plays PyTorch).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Scalar, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { selectBackend } from '../../src/runtime/backend';
import { tf } from '../../src/runtime/tf';
import { CATEGORIES, profileSteps } from '../../bench/step-breakdown';
import { imagesPerSecond } from '../../bench/train';
import { measurePeer } from '../../bench/train-peer';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm', threads: 1 });
});

test('the breakdown charges conv, elementwise and optimizer kernels to their categories, and restores the kernels', () => {
  const kernelsBefore = tf.getKernelsForBackend('wasm').map((k) => k.kernelFunc);
  const w = tf.variable(tf.randomNormal([3, 3, 4, 4], 0, 0.1, 'float32', 1));
  const x = tf.randomNormal([8, 16, 16, 4], 0, 1, 'float32', 2) as Tensor4D;
  const optimizer = tf.train.momentum(0.01, 0.9);
  let steps = 0;
  const b = profileSteps(() => {
    tf.dispose(optimizer.minimize(() => tf.sum(tf.relu(tf.conv2d(x, w as unknown as Tensor4D, 1, 'same'))) as Scalar, true) ?? []);
    steps++;
  }, 2);
  expect(steps).toBe(2);
  for (const c of ['conv', 'elementwise', 'optimizer'] as const) expect(b[c]).toBeGreaterThan(0);
  expect(b['batch-norm']).toBe(0);
  const sum = CATEGORIES.reduce((s, c) => s + b[c], 0);
  expect(sum).toBeCloseTo(b.total, 6);
  expect(tf.getKernelsForBackend('wasm').map((k) => k.kernelFunc)).toEqual(kernelsBefore);
  tf.dispose([w, x]);
  optimizer.dispose();
});

test('the breakdown puts the kernels back when the step throws', () => {
  const before = tf.getKernel('Relu', 'wasm')!.kernelFunc;
  expect(() => profileSteps(() => {
    tf.tidy(() => tf.relu(tf.ones([2])));
    throw new Error('step failed');
  })).toThrow('step failed');
  expect(tf.getKernel('Relu', 'wasm')!.kernelFunc).toBe(before);
});

test('imagesPerSecond warms up, then makes at least minCalls calls per round', () => {
  let calls = 0;
  const rate = imagesPerSecond(() => { calls++; }, 64, { warmup: 3, rounds: 2, seconds: 0, minCalls: 5 });
  expect(calls).toBe(3 + 2 * 5);
  expect(rate).toBeGreaterThan(0);
});

test('the peer is run with threads, batch and timing, and its JSON line is read', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-peer-'));
  try {
    // A stand-in interpreter: echoes its arguments after the script (`-c <script> threads batch seconds rounds`).
    const fake = path.join(dir, 'python');
    fs.writeFileSync(fake, '#!/bin/sh\necho "warming up"\necho "{\\"version\\": \\"9.9\\", \\"train\\": $3, \\"inference\\": $4}"\n', { mode: 0o755 });
    expect(measurePeer(2, 64, 1, 3, fake)).toEqual({ name: 'pytorch 9.9', train: 2, inference: 64 });
    const failing = path.join(dir, 'broken');
    fs.writeFileSync(failing, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    expect(measurePeer(1, 64, 1, 3, failing)).toBeNull();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a relu-only step has no conv time', () => {
  const x = tf.randomNormal([4, 8]);
  const b = profileSteps(() => tf.dispose(tf.relu(x) as Tensor));
  expect(b.conv).toBe(0);
  expect(b.elementwise).toBeGreaterThan(0);
  x.dispose();
});
