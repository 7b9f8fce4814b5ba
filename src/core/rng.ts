import { mersenne, mersenneFromState } from 'pure-rand/generator/mersenne';
import { ScichainError } from './errors.ts';
import type { FloatArray } from './dtype.ts';

/** A generator's complete state, JSON-serialisable, so training can resume bit-exactly. */
export interface RngState {
  readonly algorithm: 'mt19937';
  /** The generator's position and its 624 state words. */
  readonly words: readonly number[];
  /** The second normal deviate of the last polar pair, if not yet used. */
  readonly spareNormal: number | null;
}

type Generator = ReturnType<typeof mersenne>;

// splitmix32 finaliser: spreads seeds (and seeds mixed with labels) before they reach the
// generator's own seeding.
function mix32(a: number): number {
  a = (a + 0x9e3779b9) | 0;
  let t = a ^ (a >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t = t ^ (t >>> 15);
  t = Math.imul(t, 0x735a2d97);
  return t ^ (t >>> 15);
}

function hashLabel(label: string | number): number {
  const text = String(label);
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/**
 * Seeded pseudo-random numbers: the Mersenne Twister MT19937 from `pure-rand` (its outputs match
 * the reference implementation), whose 32 output bits are all of full quality. The same seed
 * gives the same bits on every platform. Uniform doubles take 53 bits from two outputs (the
 * reference `genrand_res53`), normals come from the Marsaglia polar method.
 */
export class Rng {
  private generator: Generator;
  private spare: number | null = null;

  /** A generator for an integer seed (any safe integer; both 32-bit halves are used). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new ScichainError('InvalidArgument', `seed must be a safe integer, got ${seed}`);
    }
    const low = seed | 0;
    const high = Math.floor(seed / 4294967296) | 0;
    this.generator = mersenne(mix32(low ^ mix32(high)));
  }

  /** Restores a generator saved with {@link Rng.state}. */
  static fromState(state: RngState): Rng {
    if (state.algorithm !== 'mt19937' || state.words.length !== 625) {
      throw new ScichainError(
        'InvalidArgument',
        'RNG state was not produced by scichain Rng.state()',
      );
    }
    const rng = new Rng(0);
    rng.generator = mersenneFromState([...state.words]);
    rng.spare = state.spareNormal;
    return rng;
  }

  /** The complete state (restorable with {@link Rng.fromState}). */
  state(): RngState {
    return {
      algorithm: 'mt19937',
      words: [...this.generator.getState()],
      spareNormal: this.spare,
    };
  }

  /**
   * An independent generator derived from this one's current state and a label, without
   * advancing this one: `rng.fork('net')` is the same stream however many other forks exist.
   */
  fork(label: string | number): Rng {
    // Hash the whole state with the label into the child's seed.
    let h = hashLabel(label);
    for (const w of this.generator.getState()) h = mix32(h ^ w);
    const child = new Rng(0);
    child.generator = mersenne(h);
    return child;
  }

  /** A raw 32-bit unsigned integer. */
  nextUint32(): number {
    return this.generator.next() >>> 0;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.generator.next() >>> 5; // 27 bits
    const b = this.generator.next() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  integer(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new ScichainError('InvalidArgument', `integer range must be in 1..2^32, got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let v = this.nextUint32();
    while (v >= limit) v = this.nextUint32();
    return v % n;
  }

  /** Standard normal deviate (Marsaglia polar method, the pair's second value cached). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** Fills `out` with normal deviates of the given mean and standard deviation. */
  fillNormal(out: FloatArray, mean = 0, sd = 1): FloatArray {
    for (let i = 0; i < out.length; i++) out[i] = mean + sd * this.normal();
    return out;
  }

  /** Fills `out` with uniform deviates on [low, high). */
  fillUniform(out: FloatArray, low = 0, high = 1): FloatArray {
    const w = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + w * this.uniform();
    return out;
  }

  /** Shuffles `values` in place (Fisher–Yates). */
  shuffle(values: { length: number; [i: number]: number }): void {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }
}

/** Accepts either a seed or an existing generator. */
export function toRng(seedOrRng: number | Rng): Rng {
  return typeof seedOrRng === 'number' ? new Rng(seedOrRng) : seedOrRng;
}
