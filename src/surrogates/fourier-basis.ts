/**
 * The trigonometric basis 1, cos(θ), sin(θ), cos(2θ), sin(2θ), …, cos(Hθ), sin(Hθ) of one
 * input with phase θ = 2πx/L. Function index j: 0 is the constant, 2k − 1 is cos(kθ), 2k is
 * sin(kθ).
 *
 * One Math.cos and one Math.sin per input per sample; the harmonics follow by angle addition,
 * cos((k+1)θ) = cos kθ·cos θ − sin kθ·sin θ, sin((k+1)θ) = sin kθ·cos θ + cos kθ·sin θ (a
 * rotation, so its rounding error grows only linearly with k — fine for the tens of harmonics
 * a surrogate uses). The phase is reduced to [−π, π] through x/L first, so large inputs (times
 * in hours over a 24 h period) keep their accuracy.
 */
import type { UnivariateBasis } from './product-basis.ts';

/** The trigonometric basis of one input (see the module comment). */
export class FourierBasis implements UnivariateBasis {
  readonly size: number;
  /** cos θ and sin θ. */
  readonly seedSize = 2;
  readonly harmonics: number;
  readonly period: number;
  /** dθ/dx = 2π/L. */
  private readonly angularFrequency: number;

  constructor(harmonics: number, period: number) {
    this.harmonics = harmonics;
    this.period = period;
    this.size = 2 * harmonics + 1;
    this.angularFrequency = (2 * Math.PI) / period;
  }

  seed(x: number, seed: Float64Array, at: number): number {
    let cycles = x / this.period;
    cycles -= Math.round(cycles);
    const angle = 2 * Math.PI * cycles;
    seed[at] = Math.cos(angle);
    seed[at + 1] = Math.sin(angle);
    return this.angularFrequency;
  }

  values(seed: Float64Array, at: number, out: Float64Array, outAt: number): void {
    const c1 = seed[at];
    const s1 = seed[at + 1];
    out[outAt] = 1;
    let c = 1;
    let s = 0;
    for (let k = 1; k <= this.harmonics; k++) {
      const next = c * c1 - s * s1;
      s = s * c1 + c * s1;
      c = next;
      out[outAt + 2 * k - 1] = c;
      out[outAt + 2 * k] = s;
    }
  }

  /** d cos(kθ)/dθ = −k·sin(kθ), d sin(kθ)/dθ = k·cos(kθ). */
  derivatives(
    _seed: Float64Array,
    _at: number,
    values: Float64Array,
    valuesAt: number,
    out: Float64Array,
    outAt: number,
  ): void {
    out[outAt] = 0;
    for (let k = 1; k <= this.harmonics; k++) {
      out[outAt + 2 * k - 1] = -k * values[valuesAt + 2 * k];
      out[outAt + 2 * k] = k * values[valuesAt + 2 * k - 1];
    }
  }

  /** The harmonic number of function j. */
  order(j: number): number {
    return Math.ceil(j / 2);
  }
}
