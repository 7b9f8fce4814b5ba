/**
 * Chebyshev polynomials of the first kind T₀ … T_n on an interval [a, b]: the affine map to
 * t ∈ [−1, 1], what to do outside the interval, the three-term recurrences for the values and
 * derivatives as source for the layers' generated kernels, and Clenshaw's algorithm for a series
 * (interpolants).
 */
import { ScichainError } from '../core/errors.ts';
import {
  literal,
  type Recurrence,
  type SourceScope,
  type UnivariateBasis,
} from './product-basis-kernels.ts';

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

  /**
   * The seed t = (x − center)·2/(b − a), slope 2/(b − a); x outside [a, b] per `outside`:
   * clamped to t = ±1 with slope 0 (a NaN input stays NaN — it is not this layer's to hide), or
   * an error naming the input.
   */
  seedSource(x: string, seed: readonly string[], slope: string, scope: SourceScope): string {
    const [t] = seed;
    const scale = literal(this.scale);
    const inside = `${t} = (${x} - ${literal(this.center)}) * ${scale}; ${slope} = ${scale};`;
    if (this.outside === 'extrapolate') return inside;
    const lo = literal(this.lower);
    const hi = literal(this.upper);
    const beyond =
      this.outside === 'clamp'
        ? `${t} = ${x} < ${lo} ? -1 : ${x} > ${hi} ? 1 : ${x}; ${slope} = 0;`
        : `throw ${scope(this.outsideError)}(${x});`;
    return `if (${x} >= ${lo} && ${x} <= ${hi}) { ${inside} } else { ${beyond} }`;
  }

  /**
   * T_{k+1} = 2t·T_k − T_{k−1} and, differentiated, T′_{k+1} = 2·T_k + 2t·T′_k − T′_{k−1}, from
   * T₋₁ = t, T₀ = 1 (T′₋₁ = 1, T′₀ = 0) so that every step is the same and yields T₁ = t and
   * T′₁ = 1 exactly.
   */
  recurrence(seed: readonly string[], withDerivatives: boolean): Recurrence {
    const d = withDerivatives;
    return {
      init: `const $t2 = 2 * ${seed[0]}; let $a = ${seed[0]}, $b = 1${d ? ', $da = 1, $db = 0' : ''};`,
      steps: this.degree,
      perStep: 1,
      step: () =>
        `{ const $c = $t2 * $b - $a; ` +
        `${d ? 'const $dc = 2 * $b + $t2 * $db - $da; $da = $db; $db = $dc; ' : ''}$a = $b; $b = $c; }`,
      value: () => '$b',
      derivative: () => '$db',
    };
  }

  order(k: number): number {
    return k;
  }

  /** The error for an input outside the domain under `outside: 'error'`. */
  private readonly outsideError = (x: number): ScichainError =>
    new ScichainError(
      x === x ? 'InvalidArgument' : 'NonFinite',
      `chebyshev ${this.inputName} is ${x}, outside its domain [${this.lower}, ${this.upper}] ` +
        `(outside: '${this.outside}'; use outside: 'clamp' or 'extrapolate' to allow it)`,
    );
}
