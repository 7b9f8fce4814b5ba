/**
 * Chebyshev polynomials of the first kind T₀ … T_n on an interval [a, b]: the affine map to
 * t ∈ [−1, 1], what to do outside the interval, the three-term recurrences for the values and
 * derivatives, and Clenshaw's algorithm for a series.
 */
import { ScichainError } from '../errors.ts';
import type { FloatArray } from '../memory/dtype.ts';
import type { UnivariateBasis } from './product-basis.ts';

/** An interval [a, b] with a < b. */
export type Interval = readonly [number, number];

/**
 * What a Chebyshev surrogate does with an input outside its domain:
 * - `'extrapolate'`: evaluates the polynomial beyond [−1, 1] (smooth, grows like |t|^degree);
 * - `'clamp'`: evaluates at the nearest end of the domain; the derivative with respect to the
 *   input is 0 there;
 * - `'error'`: throws a ScichainError naming the input, its value and the domain.
 */
export type OutsideDomain = 'extrapolate' | 'clamp' | 'error';

/** The accepted values of {@link OutsideDomain}. */
export const outsideDomainModes: readonly OutsideDomain[] = ['extrapolate', 'clamp', 'error'];

/**
 * Σ_{k=0}^{degree} c_k T_k(t) for `c = coefficients[offset …]`, by Clenshaw's recurrence
 * b_k = c_k + 2t·b_{k+1} − b_{k+2}, sum = c₀ + t·b₁ − b₂: backward stable, O(degree).
 */
export function clenshaw(
  t: number,
  coefficients: ArrayLike<number>,
  offset: number,
  degree: number,
): number {
  const t2 = 2 * t;
  let b1 = 0;
  let b2 = 0;
  for (let k = degree; k >= 1; k--) {
    const b = coefficients[offset + k] + t2 * b1 - b2;
    b2 = b1;
    b1 = b;
  }
  return coefficients[offset] + t * b1 - b2;
}

/** Checks an interval and names the input it belongs to when it is not finite with a < b. */
export function checkInterval(domain: unknown, what: string): Interval {
  if (
    !Array.isArray(domain) ||
    domain.length !== 2 ||
    typeof domain[0] !== 'number' ||
    typeof domain[1] !== 'number'
  ) {
    throw new ScichainError(
      'InvalidArgument',
      `${what} must be an interval [a, b] of two numbers, got ${JSON.stringify(domain)}`,
    );
  }
  const [a, b] = domain as [number, number];
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) {
    throw new ScichainError(
      'InvalidArgument',
      `${what} is [${a}, ${b}]; it must be finite with a < b`,
    );
  }
  return [a, b];
}

/** The Chebyshev basis T₀ … T_degree of one input on [a, b] (see {@link UnivariateBasis}). */
export class ChebyshevBasis implements UnivariateBasis {
  readonly size: number;
  readonly seedSize = 1;
  readonly degree: number;
  readonly domain: Interval;
  readonly outside: OutsideDomain;
  private readonly lower: number;
  private readonly upper: number;
  private readonly center: number;
  /** dt/dx = 2/(b − a). */
  private readonly scale: number;
  /** Names the input in errors, e.g. `input 2 of 3`. */
  private readonly inputName: string;

  constructor(degree: number, domain: Interval, outside: OutsideDomain, inputName: string) {
    this.degree = degree;
    this.size = degree + 1;
    this.domain = domain;
    this.outside = outside;
    this.lower = domain[0];
    this.upper = domain[1];
    this.center = 0.5 * domain[0] + 0.5 * domain[1];
    this.scale = 2 / (domain[1] - domain[0]);
    this.inputName = inputName;
  }

  /** t = (x − center)·2/(b − a), the seed; handles x outside [a, b] per `outside`. */
  seed(x: number, seed: Float64Array, at: number): number {
    if ((x >= this.lower && x <= this.upper) || this.outside === 'extrapolate') {
      seed[at] = (x - this.center) * this.scale;
      return this.scale;
    }
    if (this.outside === 'clamp') {
      // A NaN input stays NaN (it is not this layer's to hide), with slope 0 like any clamp.
      seed[at] = x < this.lower ? -1 : x > this.upper ? 1 : x;
      return 0;
    }
    throw new ScichainError(
      x === x ? 'InvalidArgument' : 'NonFinite',
      `chebyshev ${this.inputName} is ${x}, outside its domain [${this.lower}, ${this.upper}] ` +
        `(outside: '${this.outside}'; use outside: 'clamp' or 'extrapolate' to allow it)`,
    );
  }

  /** T_0 = 1, T_1 = t, T_{k+1} = 2t·T_k − T_{k−1}. */
  values(seed: Float64Array, at: number, out: Float64Array, outAt: number): void {
    const t = seed[at];
    out[outAt] = 1;
    if (this.degree === 0) return;
    out[outAt + 1] = t;
    const t2 = 2 * t;
    for (let k = 2; k <= this.degree; k++) {
      out[outAt + k] = t2 * out[outAt + k - 1] - out[outAt + k - 2];
    }
  }

  /** T′_0 = 0, T′_1 = 1, T′_{k+1} = 2·T_k + 2t·T′_k − T′_{k−1} (the recurrence differentiated). */
  derivatives(
    seed: Float64Array,
    at: number,
    values: Float64Array,
    valuesAt: number,
    out: Float64Array,
    outAt: number,
  ): void {
    const t2 = 2 * seed[at];
    out[outAt] = 0;
    if (this.degree === 0) return;
    out[outAt + 1] = 1;
    for (let k = 2; k <= this.degree; k++) {
      out[outAt + k] = 2 * values[valuesAt + k - 1] + t2 * out[outAt + k - 1] - out[outAt + k - 2];
    }
  }

  order(k: number): number {
    return k;
  }

  series(seed: Float64Array, at: number, coefficients: FloatArray, offset: number): number {
    return clenshaw(seed[at], coefficients, offset, this.degree);
  }
}
