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
import { literal, type Recurrence, type UnivariateBasis } from './product-basis-kernels.ts';

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

  /** The seed cos θ, sin θ with θ = 2π·(x/L − round(x/L)); slope 2π/L. */
  seedSource(x: string, seed: readonly string[], slope: string): string {
    const [c, s] = seed;
    return `{
      let $cycles = ${x} / ${literal(this.period)};
      $cycles -= Math.round($cycles);
      const $angle = ${literal(2 * Math.PI)} * $cycles;
      ${c} = Math.cos($angle);
      ${s} = Math.sin($angle);
      ${slope} = ${literal(this.angularFrequency)};
    }`;
  }

  /**
   * Harmonics by rotation, cos((k+1)θ) = cos kθ·cos θ − sin kθ·sin θ and sin((k+1)θ) =
   * sin kθ·cos θ + cos kθ·sin θ, one step per harmonic h yielding cos hθ and sin hθ;
   * d cos(hθ)/dθ = −h·sin(hθ), d sin(hθ)/dθ = h·cos(hθ).
   */
  recurrence(seed: readonly string[]): Recurrence {
    return {
      init: `const $c1 = ${seed[0]}, $s1 = ${seed[1]}; let $c = 1, $s = 0;`,
      steps: this.harmonics,
      perStep: 2,
      step: () => '{ const $n = $c * $c1 - $s * $s1; $s = $s * $c1 + $c * $s1; $c = $n; }',
      value: (f) => (f === 0 ? '$c' : '$s'),
      derivative: (f, h) => (f === 0 ? `-(${h}) * $s` : `${h} * $c`),
    };
  }

  /** The harmonic number of function j. */
  order(j: number): number {
    return Math.ceil(j / 2);
  }
}
