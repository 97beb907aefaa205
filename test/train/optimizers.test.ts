/**
 * RMSprop and AdamW against their update rules written out here in float64 (a few steps on a six-element tensor,
 * f(w) = Σ c·w² + d·w, with the learning rate changing between steps), then the same steps in real Keras 3 (the
 * venv of scripts/ci/keras.sh) and in torch 1.13 running python/netspec_optim.py (the torch engine's optimizers).
 * Non-vacuity: the settings are chosen so that where ε sits and where the learning rate sits are visible, and
 * PyTorch's own RMSprop and tfjs' own centered RMSprop, given the same numbers, land elsewhere.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { selectBackend } from '../../src/runtime/backend';
import { tf } from '../../src/runtime/tf';
import { OptimizerConfig } from '../../src/train/config';
import { makeOptimizer, setLearningRate } from '../../src/train/optimizer';
import { describeWithKeras, kerasEnv } from '../backends/keras/keras-env';
import { describeWithTorch } from '../backends/pytorch/torch-env';

const W0 = [0.5, -1.2, 2.0, 0.01, -0.3, 1.5];
const C = [0.5, 1.0, 0.1, 2.0, 0.3, 0.05];
const D = [0.1, -0.2, 0.0, 0.05, 0.3, -0.1];
const LRS = [0.01, 0.02, 0.005, 0.01, 0.03];
const script = path.join(__dirname, 'reference', 'optimizer_steps.py');

interface Case { name: string; optimizer: OptimizerConfig & { type: 'rmsprop' | 'adamw' } }
const CASES: Case[] = [
  { name: 'rmsprop, Keras defaults', optimizer: { type: 'rmsprop', rho: 0.9, epsilon: 1e-7, momentum: 0, centered: false } },
  // ε = 0.01 is large next to v ≈ g² ~ 0.01..1: √(v + ε) and √v + ε differ in the third digit.
  { name: 'rmsprop, momentum 0.5, epsilon 0.01', optimizer: { type: 'rmsprop', rho: 0.8, epsilon: 0.01, momentum: 0.5, centered: false } },
  { name: 'rmsprop centered, momentum 0.9', optimizer: { type: 'rmsprop', rho: 0.9, epsilon: 1e-3, momentum: 0.9, centered: true } },
  { name: 'adamw, weight_decay 0.1', optimizer: { type: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.1 } },
  { name: 'adamw, Keras default 0.004', optimizer: { type: 'adamw', beta1: 0.8, beta2: 0.99, epsilon: 1e-7, weightDecay: 0.004 } },
];

const gradient = (w: number[]) => w.map((x, i) => 2 * C[i] * x + D[i]);

/** Keras 3's RMSprop.update_step, elementwise. */
function rmspropByHand(o: Extract<OptimizerConfig, { type: 'rmsprop' }>): number[] {
  const w = [...W0];
  const v = w.map(() => 0), a = w.map(() => 0), m = w.map(() => 0);
  for (const lr of LRS) {
    const g = gradient(w);
    for (let i = 0; i < w.length; i++) {
      v[i] = o.rho * v[i] + (1 - o.rho) * g[i] ** 2;
      a[i] = o.rho * a[i] + (1 - o.rho) * g[i];
      const denominator = o.centered ? v[i] - a[i] ** 2 + o.epsilon : v[i] + o.epsilon;
      const increment = (lr * g[i]) / Math.sqrt(denominator);
      m[i] = o.momentum * m[i] + increment;
      w[i] -= o.momentum > 0 ? m[i] : increment;
    }
  }
  return w;
}

/**
 * Decoupled decay w −= lr·wd·w, then Adam with bias-corrected moments: m̂ / (√v̂ + ε) as tfjs and PyTorch, or
 * (`kerasEpsilon`) Keras' α·m / (√v + ε) with α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ), where ε meets the uncorrected √v.
 */
function adamwByHand(o: Extract<OptimizerConfig, { type: 'adamw' }>, kerasEpsilon = false): number[] {
  const w = [...W0];
  const m = w.map(() => 0), v = w.map(() => 0);
  LRS.forEach((lr, step) => {
    const g = gradient(w);
    const t = step + 1;
    for (let i = 0; i < w.length; i++) {
      w[i] -= lr * o.weightDecay * w[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g[i];
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g[i] ** 2;
      w[i] -= kerasEpsilon
        ? ((lr * Math.sqrt(1 - o.beta2 ** t)) / (1 - o.beta1 ** t)) * (m[i] / (Math.sqrt(v[i]) + o.epsilon))
        : (lr * (m[i] / (1 - o.beta1 ** t))) / (Math.sqrt(v[i] / (1 - o.beta2 ** t)) + o.epsilon);
    }
  });
  return w;
}

const byHand = (o: Case['optimizer']) => (o.type === 'rmsprop' ? rmspropByHand(o) : adamwByHand(o));

/** netspec's tfjs optimizer (makeOptimizer, as the trainer makes it), the same steps. */
function tfjsSteps(o: OptimizerConfig, make = () => makeOptimizer(o, LRS[0])): number[] {
  const w = tf.variable(tf.tensor1d(W0));
  const [c, d] = [tf.tensor1d(C), tf.tensor1d(D)];
  const optimizer = make();
  for (const lr of LRS) {
    setLearningRate(optimizer, lr);
    optimizer.minimize(() => tf.sum(tf.add(tf.mul(c, tf.square(w)), tf.mul(d, w))), false, [w]);
  }
  const out = Array.from(w.dataSync());
  optimizer.dispose();
  tf.dispose([w, c, d]);
  return out;
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
const moved = maxDiff(W0, byHand(CASES[1].optimizer));

function reference(python: string, framework: string, env: NodeJS.ProcessEnv = process.env): Record<string, number[]> {
  const spec = JSON.stringify({ w0: W0, c: C, d: D, cases: CASES.map((k) => ({ name: k.name, optimizer: k.optimizer, lrs: LRS })) });
  const r = spawnSync(python, [script, framework, spec], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${python} ${script} ${framework} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number[]>;
}

beforeAll(() => selectBackend({ backend: 'cpu' }));

describe.each(CASES)('$name', ({ optimizer }) => {
  test('netspec (tfjs) follows the update rule written out by hand, float32 against float64 (|Δ| < 2e-6)', () => {
    const d = maxDiff(tfjsSteps(optimizer), byHand(optimizer));
    expect(d).toBeLessThan(2e-6);
  });
});

test('the cases are not vacuous: the weights move, and the rules differ where PyTorch and tfjs differ from Keras', () => {
  expect(moved).toBeGreaterThan(0.05);
  // tfjs' own centered RMSprop puts ε with the wrong sign inside the root.
  const centered = CASES[2].optimizer as Extract<OptimizerConfig, { type: 'rmsprop' }>;
  const builtin = tfjsSteps(centered, () => tf.train.rmsprop(LRS[0], centered.rho, centered.momentum, centered.epsilon, true));
  const d = maxDiff(builtin, byHand(centered));
  console.log(`tfjs' tf.train.rmsprop (centered) vs Keras' rule: max |Δw| ${Number.isNaN(d) ? 'NaN' : d.toExponential(2)}`);
  expect(Number.isNaN(d) || d > 1e-3).toBe(true);
  // Without decay AdamW is Adam, so the decay is what separates them.
  const adamw = CASES[3].optimizer as Extract<OptimizerConfig, { type: 'adamw' }>;
  expect(maxDiff(tfjsSteps({ type: 'adam', beta1: adamw.beta1, beta2: adamw.beta2, epsilon: adamw.epsilon }), byHand(adamw))).toBeGreaterThan(1e-3);
  expect(maxDiff(tfjsSteps({ ...adamw, weightDecay: 0 }), tfjsSteps({ type: 'adam', beta1: adamw.beta1, beta2: adamw.beta2, epsilon: adamw.epsilon }))).toBe(0);
});

describeWithKeras('real Keras 3 (jax backend) takes the same steps', (kerasPython) => {
  let keras: Record<string, number[]>;
  beforeAll(() => { keras = reference(kerasPython, 'keras', kerasEnv); }, 120_000);
  test.each(CASES)('$name: Keras follows the rule written out by hand (|Δ| < 2e-6)', ({ name, optimizer }) => {
    const rule = optimizer.type === 'adamw' ? adamwByHand(optimizer, true) : byHand(optimizer);
    expect(maxDiff(keras[name], rule)).toBeLessThan(2e-6);
  });
  // RMSprop: the same float32 operations in the same order. AdamW: Keras adds ε to √v before the bias
  // correction, netspec (tfjs' Adam, as PyTorch) after it; the bound adds that difference, computed by hand.
  test.each(CASES)('$name: netspec within float32 rounding (+ the ε placement, AdamW) of Keras', ({ name, optimizer }) => {
    const placement = optimizer.type === 'adamw' ? maxDiff(adamwByHand(optimizer, true), adamwByHand(optimizer)) : 0;
    const d = maxDiff(tfjsSteps(optimizer), keras[name]);
    console.log(`${name}: netspec vs Keras max |Δw| ${d.toExponential(2)} (ε placement alone: ${placement.toExponential(2)})`);
    expect(d).toBeLessThan(placement + 2e-6);
  });
});

describeWithTorch('the torch engine (python/netspec_optim.py on torch) takes the same steps', [], (python) => {
  let ours: Record<string, number[]>;
  let builtin: Record<string, number[]>;
  beforeAll(() => {
    ours = reference(python.executable, 'torch');
    builtin = reference(python.executable, 'torch-builtin');
  }, 120_000);
  test.each(CASES)('$name: |Δ| < 2e-6 from the rule written out by hand', ({ name, optimizer }) => {
    expect(maxDiff(ours[name], byHand(optimizer))).toBeLessThan(2e-6);
  });
  test('torch.optim.RMSprop with the same numbers does not (ε after the root, lr outside the momentum)', () => {
    const name = CASES[1].name;
    const d = maxDiff(builtin[name], byHand(CASES[1].optimizer));
    console.log(`torch.optim.RMSprop vs Keras' rule (${name}): max |Δw| ${d.toExponential(2)}`);
    expect(d).toBeGreaterThan(1e-3);
  });
});
