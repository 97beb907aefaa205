/**
 * Seeded random streams for training: xoshiro128** (Blackman & Vigna) seeded through SplitMix64, as the authors
 * recommend. The state is four uint32 words, so it serialises as plain JSON and a resumed run continues every stream
 * exactly where the checkpoint left it. Each consumer (shuffling, augmentation, synthetic data, …) draws from its
 * own named stream, so adding draws in one place never shifts the numbers another place sees.
 */

export type RngState = [number, number, number, number];

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64 (Steele, Lea & Flood): one step from `x`, returning the new state and the output. */
export function splitmix64(x: bigint): { state: bigint; value: bigint } {
  const state = (x + 0x9e3779b97f4a7c15n) & MASK64;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return { state, value: z ^ (z >> 31n) };
}

/** 64-bit FNV-1a of a stream name: turns names into seed offsets so streams are independent of creation order. */
function fnv1a64(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & MASK64;
  return h;
}

/** The initial state of stream `name` for a run seed: two SplitMix64 outputs, low word first. */
export function seedState(seed: number, name = ''): RngState {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  let x = BigInt(seed) ^ (name ? fnv1a64(name) : 0n);
  const words: number[] = [];
  for (let i = 0; i < 2; i++) {
    const step = splitmix64(x);
    x = step.state;
    words.push(Number(step.value & 0xffffffffn), Number(step.value >> 32n));
  }
  // The all-zero state is the one state xoshiro never leaves; SplitMix64 cannot produce two zero outputs in a row,
  // but guard anyway since the state may also come from a file.
  if (!words.some((w) => w !== 0)) words[0] = 1;
  return words as RngState;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(state: Readonly<RngState>) {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new RangeError(`an RNG state is four uint32 words, got ${JSON.stringify(state)}`);
    }
    if (state.every((w) => w === 0)) throw new RangeError('the all-zero RNG state is invalid for xoshiro128**');
    [this.s0, this.s1, this.s2, this.s3] = state;
  }

  static fromSeed(seed: number, name = ''): Rng {
    return new Rng(seedState(seed, name));
  }

  /** A copy of the state, e.g. for a checkpoint. */
  state(): RngState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Next uint32 (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits (the usual two-draw construction). */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n), without modulo bias (rejection of the incomplete last bucket). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new RangeError(`int(n) needs 1 ≤ n ≤ 2^32, got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal (Box–Muller, one of the pair; no cached spare, so the state stays four words). */
  normal(): number {
    const u1 = 1 - this.next(); // (0, 1]: log is finite
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** In-place Fisher–Yates (Durstenfeld) shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Serialised form of `RngStreams`, stored in checkpoints. */
export interface RngStreamsState {
  seed: number;
  streams: Record<string, RngState>;
}

/** Named streams derived from one run seed; created on first use, all saved and restored together. */
export class RngStreams {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: number) {
    seedState(seed); // validates the seed
  }

  get(name: string): Rng {
    let rng = this.streams.get(name);
    if (!rng) {
      rng = Rng.fromSeed(this.seed, name);
      this.streams.set(name, rng);
    }
    return rng;
  }

  state(): RngStreamsState {
    const streams: Record<string, RngState> = {};
    for (const name of [...this.streams.keys()].sort()) streams[name] = this.streams.get(name)!.state();
    return { seed: this.seed, streams };
  }

  static fromState(state: RngStreamsState): RngStreams {
    const rs = new RngStreams(state.seed);
    for (const [name, words] of Object.entries(state.streams)) rs.streams.set(name, new Rng(words));
    return rs;
  }
}

/**
 * The order of the examples for the next epoch: a fresh permutation from the run's "shuffle" stream. The stream is
 * part of the checkpoint, so a resumed run shuffles exactly like an uninterrupted one.
 */
export function epochOrder(streams: RngStreams, size: number): Int32Array {
  return streams.get('shuffle').permutation(size);
}
