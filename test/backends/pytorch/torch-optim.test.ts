/**
 * The torch engine takes the same optimizer, loss and weight_decay_on as the tfjs engine (their update rules are
 * compared step by step in test/train/optimizers.test.ts and the loss in test/train/loss.test.ts): here whole runs
 * on torchrun with Keras' RMSprop and binary cross-entropy, and with AdamW, the L2 kernels named from the IR, their
 * optimizer state surviving --resume bit for bit, and a pairing the engine cannot train refused before Python starts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { trainOnTorch } from '../../../src/backends/pytorch/train/launch';
import { readSafetensors } from '../../../src/io/safetensors';
import { readMetrics } from '../../../src/train/metrics';
import { readRunInfo } from '../../../src/train/run-dir';
import { netspec } from '../../helpers/cli';
import { describeWithTorch, runPython } from './torch-env';

describeWithTorch('torch engine: optimizers, losses, weight_decay_on', [], (python) => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-torch-optim-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const train = (name: string, sets: string[]) => trainOnTorch({ spec: 'fashion/resnet8', sets, out: path.join(dir, name), epochs: 1, limit: 128, python: python.executable });
  const optimizerState = (run: string) => JSON.parse(runPython(python, ['-c', [
    'import json, sys, torch', `s = torch.load(${JSON.stringify(path.join(run, 'checkpoints', 'torch-last.ckpt'))})["optimizer"]`,
    'print(json.dumps({"slots": sorted({k for v in s["state"].values() for k in v}), "group": {k: v for k, v in s["param_groups"][0].items() if k != "params"}}))',
  ].join('\n')])) as { slots: string[]; group: Record<string, unknown> };

  test('RMSprop (Keras) with binary cross-entropy on a sigmoid head and L2 on convs only trains; the L2 list is resnet8\'s 7 convs', async () => {
    const r = await train('rmsprop', ['train.optimizer={type: rmsprop, momentum: 0.5}', 'head.activation=sigmoid', 'train.loss={type: binary_crossentropy}', 'train.weight_decay_on=[conv]']);
    expect(r.code).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(r.dir, 'torch', 'config.json'), 'utf8')) as { l2: string[] };
    expect(config.l2).toEqual(['conv1.weight', ...[1, 2, 3].flatMap((s) => [`layer${s}.0.conv1.weight`, `layer${s}.0.conv2.weight`])]);
    const [m] = readMetrics(path.join(r.dir, 'metrics.jsonl'));
    expect(Number.isFinite(m.val_loss)).toBe(true);
    // BCE over 10 sigmoid units starts near ln 2 per unit; categorical cross-entropy would start near ln 10.
    expect(m.val_loss!).toBeLessThan(1.5);
    expect(readRunInfo(r.dir).loss).toBe('binary_crossentropy');
    const state = optimizerState(r.dir);
    expect(state.slots).toEqual(['momentum', 'velocity']);
    expect(state.group).toMatchObject({ rho: 0.9, epsilon: 1e-7, momentum: 0.5, centered: false });
  });

  test('AdamW takes the spec\'s weight_decay (not PyTorch\'s 0.01) and epsilon', async () => {
    const r = await train('adamw', ['train.optimizer={type: adamw}']);
    expect(r.code).toBe(0);
    expect(optimizerState(r.dir).group).toMatchObject({ weight_decay: 0.004, eps: 1e-7, betas: [0.9, 0.999] });
  });

  test.each([
    ['RMSprop (centered, momentum)', 'train.optimizer={type: rmsprop, momentum: 0.9, centered: true}'],
    ['AdamW', 'train.optimizer={type: adamw, weight_decay: 0.05}'],
  ])('%s: 1 epoch, then --resume to 2, ends with the weights of a straight 2-epoch run, bit for bit', async (_name, set) => {
    // One OpenMP thread: the comparison is of resume, not of how torch splits a reduction across threads.
    const threads = process.env.OMP_NUM_THREADS;
    process.env.OMP_NUM_THREADS = '1';
    const o = { spec: 'fashion/resnet8', sets: [set], limit: 128, python: python.executable };
    const straight = await trainOnTorch({ ...o, out: path.join(dir, `straight-${_name}`), epochs: 2 });
    const cut = path.join(dir, `cut-${_name}`);
    const first = await trainOnTorch({ ...o, out: cut, epochs: 1 });
    const resumed = await trainOnTorch({ out: cut, resume: true, epochs: 2, python: python.executable });
    expect([straight.code, first.code, resumed.code]).toEqual([0, 0, 0]);
    const [a, b] = [straight.dir, cut].map((d) => readSafetensors(path.join(d, 'torch', 'last.safetensors')));
    expect([...b.keys()]).toEqual([...a.keys()]);
    if (threads === undefined) delete process.env.OMP_NUM_THREADS;
    else process.env.OMP_NUM_THREADS = threads;
    const differ = [...a].filter(([k, v]) => !Buffer.from(v.values.buffer).equals(Buffer.from(b.get(k)!.values.buffer))).map(([k]) => k);
    expect(differ).toEqual([]);
  });

  test('categorical cross-entropy on a sigmoid head is refused by the torch engine (exit 2, before Python starts)', async () => {
    const r = await netspec('train', 'fashion/resnet8', '--engine', 'torch', '--set', 'head.activation=sigmoid', '--epochs', '1', '--out', path.join(dir, 'refused'), '--python', python.executable);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the torch engine trains categorical_crossentropy on a softmax or linear head; this head\'s activation is sigmoid');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
