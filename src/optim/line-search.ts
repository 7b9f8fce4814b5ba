/**
 * Line search for the strong Wolfe conditions (Nocedal & Wright, Numerical Optimization,
 * 2nd ed., Algorithms 3.5 and 3.6), with safeguarded cubic interpolation in the zoom phase.
 * A non-finite objective at a trial step (an ODE that blew up, say) counts as "too large", so
 * the search backs off instead of failing.
 */

import { ScichainError, requireInteger } from '../core/errors.ts';

/** φ(α) = f(x + α·d): `evaluate` sets `value` and `slope` = φ′(α) for the trial step. */
export interface LineFunction {
  evaluate(alpha: number): void;
  value: number;
  slope: number;
}

/** Parameters of the search. */
export interface LineSearchOptions {
  /** Sufficient decrease constant c₁ (default 1e-4). */
  c1?: number;
  /** Curvature constant c₂ (default 0.9, the usual choice for quasi-Newton methods). */
  c2?: number;
  /** Evaluation budget of one search (default 30). */
  maxEvaluations?: number;
  /** Largest step tried (default 1e10). */
  alphaMax?: number;
}

/** Outcome: `wolfe` when both conditions hold at `alpha`; otherwise the best decreasing step. */
export interface LineSearchResult {
  /** The step whose point was evaluated last (always the returned one when `wolfe`). */
  alpha: number;
  value: number;
  wolfe: boolean;
  /** A step with sufficient decrease was found (possibly without the curvature condition). */
  decreased: boolean;
  evaluations: number;
}

/** Minimiser of the cubic through (a, fa, da), (b, fb, db), or NaN when it has none. */
function cubicMinimizer(
  a: number,
  fa: number,
  da: number,
  b: number,
  fb: number,
  db: number,
): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0) || !Number.isFinite(disc)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  const denom = db - da + 2 * d2;
  if (denom === 0) return NaN;
  return b - (b - a) * ((db + d2 - d1) / denom);
}

/** Searches along the direction behind `phi` from φ(0) = f0 with slope g0 < 0. */
export function strongWolfeLineSearch(
  phi: LineFunction,
  f0: number,
  g0: number,
  alpha0: number,
  options: LineSearchOptions = {},
): LineSearchResult {
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const maxEvaluations = options.maxEvaluations ?? 30;
  const alphaMax = options.alphaMax ?? 1e10;
  if (!(c1 > 0 && c1 < c2 && c2 < 1)) {
    throw new ScichainError(
      'InvalidArgument',
      `line search needs 0 < c1 < c2 < 1, got c1 = ${c1}, c2 = ${c2}`,
    );
  }
  requireInteger(maxEvaluations, 'line search maxEvaluations', 1);
  if (!(alphaMax > 0))
    throw new ScichainError('InvalidArgument', `line search alphaMax must be > 0, got ${alphaMax}`);
  let evaluations = 0;
  const armijo = (alpha: number, f: number): boolean =>
    Number.isFinite(f) && f <= f0 + c1 * alpha * g0;

  // Best point with sufficient decrease, in case the budget runs out.
  let bestAlpha = 0;
  let bestValue = f0;
  const remember = (alpha: number, f: number): void => {
    if (armijo(alpha, f) && f < bestValue) {
      bestAlpha = alpha;
      bestValue = f;
    }
  };
  const fallback = (): LineSearchResult => ({
    alpha: bestAlpha,
    value: bestValue,
    wolfe: false,
    decreased: bestAlpha > 0,
    evaluations,
  });

  const zoom = (
    lo: number,
    flo: number,
    glo: number,
    hi: number,
    fhi: number,
    ghi: number,
  ): LineSearchResult => {
    while (evaluations < maxEvaluations) {
      const width = hi - lo;
      if (Math.abs(width) <= 1e-16 * Math.max(1, Math.abs(lo))) break;
      let alpha = Number.isFinite(fhi) ? cubicMinimizer(lo, flo, glo, hi, fhi, ghi) : NaN;
      const left = Math.min(lo, hi) + 0.1 * Math.abs(width);
      const right = Math.max(lo, hi) - 0.1 * Math.abs(width);
      if (!(alpha >= left && alpha <= right)) alpha = lo + 0.5 * width;
      phi.evaluate(alpha);
      evaluations++;
      const f = phi.value;
      const g = phi.slope;
      remember(alpha, f);
      if (!armijo(alpha, f) || f >= flo) {
        hi = alpha;
        fhi = f;
        ghi = g;
      } else {
        if (Math.abs(g) <= -c2 * g0)
          return { alpha, value: f, wolfe: true, decreased: true, evaluations };
        if (g * (hi - lo) >= 0) {
          hi = lo;
          fhi = flo;
          ghi = glo;
        }
        lo = alpha;
        flo = f;
        glo = g;
      }
    }
    return fallback();
  };

  let prevAlpha = 0;
  let prevValue = f0;
  let prevSlope = g0;
  let alpha = Math.min(alpha0, alphaMax);
  for (let i = 0; evaluations < maxEvaluations; i++) {
    phi.evaluate(alpha);
    evaluations++;
    const f = phi.value;
    const g = phi.slope;
    remember(alpha, f);
    if (!armijo(alpha, f) || (i > 0 && f >= prevValue))
      return zoom(prevAlpha, prevValue, prevSlope, alpha, f, g);
    if (Math.abs(g) <= -c2 * g0)
      return { alpha, value: f, wolfe: true, decreased: true, evaluations };
    if (g >= 0) return zoom(alpha, f, g, prevAlpha, prevValue, prevSlope);
    if (alpha >= alphaMax) break;
    prevAlpha = alpha;
    prevValue = f;
    prevSlope = g;
    alpha = Math.min(2 * alpha, alphaMax);
  }
  return fallback();
}
