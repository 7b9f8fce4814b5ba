/**
 * Checks any right-hand-side VJP against central finite differences: for a random cotangent λ,
 * λᵀ∂f/∂uⱼ and λᵀ∂f/∂pₖ are compared with λᵀ(f(x + hₖeₖ) − f(x − hₖeₖ))/(2hₖ).
 */
import { ScichainError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import type { RhsFunction, RhsVjp } from './ode-model.ts';

/** The worst disagreement found by {@link checkVjp}. */
export interface VjpCheck {
  /** Largest |analytic − numeric| / max(|numeric|, scale) over u- and p-entries. */
  readonly maxRelativeError: number;
  readonly maxAbsoluteError: number;
  /** Where the worst relative error is: `u[3]` or `p[12]`. */
  readonly worst: string;
  readonly analytic: { readonly u: Float64Array; readonly p: Float64Array };
  readonly numeric: { readonly u: Float64Array; readonly p: Float64Array };
}

/** Options of {@link checkVjp}. */
export interface VjpCheckOptions {
  /** Cotangent λ (default: standard normal, seeded). */
  lambda?: ArrayLike<number>;
  seed?: number;
  /** Relative step (default ε^(1/3) ≈ 6e-6, the optimum for central differences). */
  step?: number;
  /**
   * Floor of the denominator of the relative error, as a fraction of the largest numeric entry
   * (default 1e-6): entries that are ~0 are then judged by their absolute error.
   */
  floor?: number;
}

/** Compares `vjp` with central differences of `f` at (u, p, t); see {@link VjpCheck}. */
export function checkVjp(
  model: { f: RhsFunction; vjp: RhsVjp },
  u: ArrayLike<number>,
  p: ArrayLike<number>,
  t: number,
  options: VjpCheckOptions = {},
): VjpCheck {
  const n = u.length;
  const np = p.length;
  const uu = Float64Array.from(u);
  const pp = Float64Array.from(p);
  const rng = new Rng(options.seed ?? 1);
  const lambda = options.lambda
    ? Float64Array.from(options.lambda)
    : Float64Array.from({ length: n }, () => rng.normal());
  if (lambda.length !== n) {
    throw new ScichainError('ShapeMismatch', `λ has ${lambda.length} entries for ${n} states`);
  }
  const uBar = new Float64Array(n);
  const pBar = new Float64Array(np);
  model.vjp(lambda, uu, pp, t, uBar, pBar);

  const rel = options.step ?? Math.cbrt(2.220446049250313e-16);
  const fPlus = new Float64Array(n);
  const fMinus = new Float64Array(n);
  const directional = (x: Float64Array, k: number): number => {
    const x0 = x[k];
    const h = rel * Math.max(1, Math.abs(x0));
    x[k] = x0 + h;
    const up = x[k];
    model.f(fPlus, uu, pp, t);
    x[k] = x0 - h;
    const down = x[k];
    model.f(fMinus, uu, pp, t);
    x[k] = x0;
    let s = 0;
    for (let i = 0; i < n; i++) s += lambda[i] * (fPlus[i] - fMinus[i]);
    return s / (up - down);
  };
  const uNum = Float64Array.from({ length: n }, (_, k) => directional(uu, k));
  const pNum = Float64Array.from({ length: np }, (_, k) => directional(pp, k));

  let largest = 0;
  for (const v of [...uNum, ...pNum]) largest = Math.max(largest, Math.abs(v));
  const scale = Math.max(largest * (options.floor ?? 1e-6), 1e-300);
  let maxRel = 0;
  let maxAbs = 0;
  let worst = 'none';
  const compare = (a: Float64Array, b: Float64Array, name: string): void => {
    for (let k = 0; k < a.length; k++) {
      const abs = Math.abs(a[k] - b[k]);
      const r = abs / Math.max(Math.abs(b[k]), scale);
      if (!(r <= maxRel)) {
        maxRel = Number.isNaN(r) ? Infinity : r;
        worst = `${name}[${k}]`;
      }
      maxAbs = Math.max(maxAbs, Number.isNaN(abs) ? Infinity : abs);
    }
  };
  compare(uBar, uNum, 'u');
  compare(pBar, pNum, 'p');
  return {
    maxRelativeError: maxRel,
    maxAbsoluteError: maxAbs,
    worst,
    analytic: { u: uBar, p: pBar },
    numeric: { u: uNum, p: pNum },
  };
}
