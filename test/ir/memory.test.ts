/**
 * The memory estimate from the IR: the weights' part from the published parameter counts (REFERENCE.md), the
 * activations' part from ResNet-20's architecture counted by hand (one tensor per layer, as tfjs keeps them), the
 * estimate below what netspec was measured to use, and the refusal before the first step.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DiagnosticError } from '../../src/diagnostics/diagnostic';
import { compileSpec } from '../../src/ir/compile';
import { inferenceMemory, optimizerSlots, trainingMemory } from '../../src/ir/memory';
import { clearMemoryNeed, expectMemoryNeed, memoryExhausted } from '../../src/runtime/memory-need';
import { startTraining } from '../../src/train/run';

// The machine's memory, made small for one test (a namespace import cannot be spied on).
jest.mock('os', () => {
  const actual = jest.requireActual<typeof import('os')>('os');
  return { ...actual, totalmem: jest.fn(actual.totalmem) };
});
const totalmem = os.totalmem as jest.MockedFunction<typeof os.totalmem>;

const resnet20 = compileSpec('cifar/resnet20').graph!;
const resnet50 = compileSpec('resnet50').graph!;

// ResNet-20 (He et al. 2016, §4.2; option-A shortcuts), values per example:
const RESNET20_VALUES =
  32 * 32 * 3 + // the input
  24 * 32 * 32 * 16 + // stem conv, BN, ReLU, then 3 blocks × (conv, BN, ReLU, conv, BN, add, ReLU)
  22 * 16 * 16 * 32 + // 3 blocks × 7, plus the option-A shortcut (subsample and zero channels)
  22 * 8 * 8 * 64 + //   the same at 8×8
  34 * 34 * 16 + 18 * 18 * 32 + // the explicit 1-pixel padding before each stride-2 3×3 conv
  64 + 10; // global pool, classifier
const LARGEST = 34 * 34 * 16;

test('training: weights, their gradients and Adam\'s two slots; every activation of the batch', () => {
  // torchvision's 25,557,032 trainable weights, and the BN running mean and variance (2 × 26,560 channels).
  const adam = trainingMemory(resnet50, { batch: 8, optimizerSlots: optimizerSlots({ type: 'adam' }) });
  expect(adam.weights).toBe(4 * (25_557_032 * 4 + 2 * 26_560));
  const sgd = trainingMemory(resnet50, { batch: 8, optimizerSlots: optimizerSlots({ type: 'sgd', momentum: 0.9 }) });
  expect(adam.weights - sgd.weights).toBe(4 * 25_557_032);
  expect(optimizerSlots({ type: 'sgd', momentum: 0 })).toBe(0);

  const r20 = trainingMemory(resnet20, { batch: 64, optimizerSlots: 1 });
  expect(r20.activations).toBe(4 * 64 * (RESNET20_VALUES + 2 * LARGEST));
  expect(r20.total).toBe(r20.weights + r20.activations);
});

test('inference: the weights once, the input and the two largest activations', () => {
  const est = inferenceMemory(resnet20, { batch: 64 });
  expect(est.weights).toBe(4 * resnet20.params.total);
  expect(est.activations).toBe(4 * 64 * (32 * 32 * 3 + 34 * 34 * 16 + 32 * 32 * 16));
});

test('a lower bound of what netspec was measured to hold (ResNet-50 224², Adam, peak RSS of the bench)', () => {
  // docs/speed-bench.txt: onednn, 2 threads, peak RSS 3,875 MB at batch 8 and 17,717 MB at batch 64.
  for (const [batch, measuredMB] of [[8, 3875], [64, 17717]]) {
    const est = trainingMemory(resnet50, { batch, optimizerSlots: 2 }).total / 1e6;
    expect(est).toBeLessThan(measuredMB);
  }
});

describe('the estimate in errors', () => {
  afterEach(clearMemoryNeed);

  test('a run whose estimate exceeds the machine is refused up front, with the estimate', () => {
    let caught: unknown;
    try {
      expectMemoryNeed({ bytes: 3 * 2 ** 30, what: 'training resnet50 at batch 64' }, 2 * 2 ** 30);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DiagnosticError);
    const d = (caught as DiagnosticError).diagnostics[0];
    expect(d.code).toBe('memory/insufficient');
    expect(d.message).toBe("training resnet50 at batch 64 needs at least 3,072 MiB (weights, gradients, optimizer state and the activations backpropagation keeps), more than the machine's 2,048 MiB");
    expect(d.hint).toContain('smaller batch size');
  });

  test('an allocation that fails later quotes the estimate', () => {
    expect(memoryExhausted(2 ** 20, 0).message).not.toContain('estimated');
    expectMemoryNeed({ bytes: 5 * 2 ** 20, what: 'training tiny at batch 4' }, 2 ** 40);
    expect(memoryExhausted(2 ** 20, 0).message).toContain('a tensor of 1 MiB could not be allocated');
    expect(memoryExhausted(2 ** 20, 0).message).toContain('training tiny at batch 4 was estimated to need at least 5 MiB');
  });
});

test('training refuses a run that cannot fit before its first step, naming the spec and batch', async () => {
  // The tiny fixture (12×12, 8 and 16 filters) at batch 8 needs ~0.7 MiB: a machine of 64 KiB cannot hold it.
  totalmem.mockReturnValue(2 ** 16);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-memory-'));
  try {
    const spec = path.join(__dirname, '..', 'fixtures', 'train', 'tiny.yaml');
    const e = await startTraining({ spec, data: 'synthetic', limit: 16, batchSize: 8, epochs: 1, out: path.join(out, 'run') }, {})
      .then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(DiagnosticError);
    const d = (e as DiagnosticError).diagnostics[0];
    expect(d.code).toBe('memory/insufficient');
    expect(d.message).toMatch(/^training \S+ at batch 8 needs at least [\d,]+ MiB .*more than the machine's 1 MiB$/);
    expect(fs.existsSync(path.join(out, 'run', 'checkpoints'))).toBe(false);
  } finally {
    totalmem.mockImplementation(jest.requireActual<typeof import('os')>('os').totalmem);
    fs.rmSync(out, { recursive: true, force: true });
  }
});
