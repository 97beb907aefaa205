/** The PRNG against published reference outputs, and the properties resuming relies on. */
import { epochOrder, Rng, RngStreams, seedState, splitmix64 } from '../../src/train/rng';

test('xoshiro128** from state (1, 2, 3, 4) gives the reference sequence (rand_xoshiro test vector)', () => {
  const rng = new Rng([1, 2, 3, 4]);
  // The first three are also easy to check by hand: rotl(2 * 5, 7) * 9 = 11520; then s1 = 0; then 1029 * 5 … = 5927040.
  expect(Array.from({ length: 10 }, () => rng.nextUint32())).toEqual([
    11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
  ]);
});

test('SplitMix64 from 0 gives the published outputs, and seeds the state low word first', () => {
  let x = 0n;
  const out: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    const step = splitmix64(x);
    x = step.state;
    out.push(step.value);
  }
  expect(out).toEqual([0xe220a8397b1dcdafn, 0x6e789e6aa1b965f4n, 0x06c45d188009454fn, 0xf88bb8a8724c81ecn]);
  expect(seedState(0)).toEqual([0x7b1dcdaf, 0xe220a839, 0xa1b965f4, 0x6e789e6a]);
});

test('next() builds a 53-bit double from two draws', () => {
  // Draws 11520 and 0: (11520 >>> 5) * 2^26 / 2^53 = 360 / 2^27.
  expect(new Rng([1, 2, 3, 4]).next()).toBe(360 / 2 ** 27);
  const rng = Rng.fromSeed(7);
  const draws = Array.from({ length: 10000 }, () => rng.next());
  expect(draws.every((u) => u >= 0 && u < 1)).toBe(true);
});

test('int(n) is in range and close to uniform; the first draw of state (1,2,3,4) is 11520 mod n', () => {
  expect(new Rng([1, 2, 3, 4]).int(7)).toBe(11520 % 7);
  const rng = Rng.fromSeed(1);
  const counts = new Array(6).fill(0);
  const draws = 60000;
  for (let i = 0; i < draws; i++) counts[rng.int(6)]++;
  // Chi-square with 5 degrees of freedom: 20.5 is the 0.999 quantile.
  const expected = draws / 6;
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  expect(chi2).toBeLessThan(20.5);
  expect(() => rng.int(0)).toThrow(RangeError);
});

test('Fisher–Yates gives every permutation of three items about equally often', () => {
  const rng = Rng.fromSeed(3);
  const counts = new Map<string, number>();
  const trials = 60000;
  for (let i = 0; i < trials; i++) {
    const key = rng.shuffle(['a', 'b', 'c']).join('');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  expect(counts.size).toBe(6);
  const expected = trials / 6;
  const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  expect(chi2).toBeLessThan(20.5);
  const p = rng.permutation(1000);
  expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
});

test('a state saved mid-stream continues the same sequence', () => {
  const a = Rng.fromSeed(42);
  for (let i = 0; i < 123; i++) a.nextUint32();
  const b = new Rng(JSON.parse(JSON.stringify(a.state())));
  expect(Array.from({ length: 20 }, () => b.next())).toEqual(Array.from({ length: 20 }, () => a.next()));
  expect(() => new Rng([0, 0, 0, 0])).toThrow(RangeError);
  expect(() => new Rng([1, 2, 3] as never)).toThrow(RangeError);
  expect(() => Rng.fromSeed(-1)).toThrow(RangeError);
});

test('named streams are independent of each other and of creation order, and resume from JSON', () => {
  const one = new RngStreams(5);
  const two = new RngStreams(5);
  two.get('augment').nextUint32(); // touching another stream first must not change 'shuffle'
  expect([...epochOrder(one, 50)]).toEqual([...epochOrder(two, 50)]);
  expect(one.get('shuffle').state()).not.toEqual(one.get('augment').state());
  expect(new RngStreams(6).get('shuffle').state()).not.toEqual(new RngStreams(5).get('shuffle').state());

  // Epoch 1, checkpoint, epoch 2 — versus epochs 1 and 2 without interruption.
  const straight = new RngStreams(9);
  epochOrder(straight, 100);
  const saved = JSON.parse(JSON.stringify(straight.state()));
  const resumed = RngStreams.fromState(saved);
  expect([...epochOrder(resumed, 100)]).toEqual([...epochOrder(straight, 100)]);
  expect(resumed.get('augment').next()).toBe(straight.get('augment').next());
});

test('normal() has mean 0 and variance 1', () => {
  const rng = Rng.fromSeed(11);
  const n = 50000;
  const xs = Array.from({ length: n }, () => rng.normal());
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  // Standard errors: 1/√n ≈ 0.0045 for the mean, √(2/n) ≈ 0.0063 for the variance; allow five of them.
  expect(Math.abs(mean)).toBeLessThan(0.023);
  expect(Math.abs(variance - 1)).toBeLessThan(0.032);
});
