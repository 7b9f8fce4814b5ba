/**
 * Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4/7.5: two-loop recursion, initial
 * Hessian γI with γ = sᵀy/yᵀy) with a strong-Wolfe line search. Buffers are allocated once
 * per call. Frozen entries have their gradient zeroed, so every direction — and every step —
 * is exactly zero there. A failed line search keeps the best point found; progress is never
 * lost.
 */
import { requireInteger } from '../core/errors.ts';
import { encodeExact } from '../parameters/exact-numbers.ts';
import type { FloatArray } from '../core/dtype.ts';
import { ProgressBar } from './progress.ts';
import { strongWolfeLineSearch, type LineFunction } from './line-search.ts';
import { allFinite, evaluateChecked, freeInfinityNorm, requireFiniteStart } from './evaluation.ts';
import { readLbfgsState, type LbfgsState } from './lbfgs-state.ts';
import type { MinimizeOptions, MinimizeResult, StopReason } from './minimize-options.ts';
import { valueAndGradientOf, type Objective, type ValueAndGradient } from '../core/objective.ts';
import { checkFrozen } from './optimizer.ts';
import { effectiveFrozen } from '../parameters/frozen-entries.ts';

function dot(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/** L-BFGS on θ in place (see {@link minimize} for the options). */
export function lbfgs<T extends FloatArray>(
  objective: ValueAndGradient<T> | Objective<T>,
  theta: T,
  options: MinimizeOptions = {},
): MinimizeResult & { readonly lbfgsState: LbfgsState } {
  const fg = valueAndGradientOf(objective);
  const n = theta.length;
  checkFrozen(options.frozen ?? null, theta);
  // The blocks frozen in θ's layout, with the explicit mask.
  const frozen = effectiveFrozen(theta, options.frozen);
  const maxIterations = options.maxIterations ?? 1000;
  const gtol = options.gradientTolerance ?? 1e-8;
  const ftol = options.functionTolerance ?? 0;
  const m = options.memory ?? 10;
  requireInteger(m, 'L-BFGS memory', 1);

  const grad = new (theta.constructor as Float64ArrayConstructor | Float32ArrayConstructor)(n) as T;
  const x0 = new Float64Array(n); // iterate at the start of the line search
  const g0 = new Float64Array(n);
  const d = new Float64Array(n);
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  // A new pair is built here and swapped into the ring only if it is accepted, so a rejected
  // pair never overwrites the oldest one still in use.
  let sNew = new Float64Array(n);
  let yNew = new Float64Array(n);
  const rho = new Float64Array(m);
  const alphas = new Float64Array(m);
  let stored = 0; // pairs in memory
  let newest = -1; // index of the newest pair (ring buffer)
  if (options.lbfgsState) {
    // Continue with the curvature pairs of an earlier call: the same iterates as one long call.
    const st = readLbfgsState(options.lbfgsState, m, n);
    for (let j = 0; j < m; j++) {
      S[j].set(st.s[j]);
      Y[j].set(st.y[j]);
    }
    rho.set(st.rho);
    stored = st.stored;
    newest = st.newest;
  }

  let evaluations = 0;
  let f = evaluateChecked(fg, theta, grad, frozen);
  evaluations++;
  requireFiniteStart(f, grad, 'L-BFGS');
  const history = [f];
  let gnorm = freeInfinityNorm(grad, frozen);
  const bar = new ProgressBar(maxIterations, 'lbfgs', options.progress ?? 'auto');

  const phi: LineFunction = {
    value: f,
    slope: 0,
    evaluate(alpha: number) {
      for (let i = 0; i < n; i++) theta[i] = x0[i] + alpha * d[i];
      const v = evaluateChecked(fg, theta, grad, frozen);
      evaluations++;
      const slope = dot(grad, d, n);
      // A non-finite value or gradient counts as "too large": the search backs off.
      const finite = Number.isFinite(v) && Number.isFinite(slope) && allFinite(grad);
      this.value = finite ? v : Infinity;
      this.slope = finite ? slope : NaN;
    },
  };

  let reason: StopReason = 'MaxIterations';
  let iterations = 0;
  if (gnorm <= gtol) reason = 'GradientTolerance';
  while (reason === 'MaxIterations' && iterations < maxIterations) {
    // Direction d = −H·g by the two-loop recursion.
    for (let i = 0; i < n; i++) d[i] = -grad[i];
    for (let k = 0, j = newest; k < stored; k++, j = (j - 1 + m) % m) {
      alphas[j] = rho[j] * dot(S[j], d, n);
      const y = Y[j];
      const a = alphas[j];
      for (let i = 0; i < n; i++) d[i] -= a * y[i];
    }
    if (stored > 0) {
      const gamma = dot(S[newest], Y[newest], n) / dot(Y[newest], Y[newest], n);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let k = 0, j = (newest - stored + 1 + m) % m; k < stored; k++, j = (j + 1) % m) {
      const s = S[j];
      const b = alphas[j] - rho[j] * dot(Y[j], d, n);
      for (let i = 0; i < n; i++) d[i] += b * s[i];
    }
    let slope = dot(grad, d, n);
    if (!(slope < 0)) {
      // Not a descent direction (curvature information went bad): restart from steepest descent.
      stored = 0;
      for (let i = 0; i < n; i++) d[i] = -grad[i];
      slope = dot(grad, d, n);
    }
    for (let i = 0; i < n; i++) {
      x0[i] = theta[i];
      g0[i] = grad[i];
    }
    const fPrev = f;
    const alpha0 = stored === 0 ? Math.min(1, 1 / Math.max(gnorm, 1e-300)) : 1;
    const result = strongWolfeLineSearch(phi, f, slope, alpha0, options.lineSearch);
    if (!result.wolfe) {
      if (!result.decreased) {
        // Nothing better along d: put the last iterate back and stop.
        for (let i = 0; i < n; i++) {
          theta[i] = x0[i];
          grad[i] = g0[i];
        }
        reason = 'LineSearchFailed';
        break;
      }
      phi.evaluate(result.alpha); // bring θ and the gradient to the best step found
    }
    f = phi.value;
    iterations++;
    // New curvature pair s = θ − x0 (the step actually stored), y = g − g0.
    for (let i = 0; i < n; i++) {
      sNew[i] = theta[i] - x0[i];
      yNew[i] = grad[i] - g0[i];
    }
    const sy = dot(sNew, yNew, n);
    const yy = dot(yNew, yNew, n);
    if (sy > 1e-16 * yy && sy > 0) {
      const next = (newest + 1) % m;
      [S[next], sNew] = [sNew, S[next]];
      [Y[next], yNew] = [yNew, Y[next]];
      rho[next] = 1 / sy;
      newest = next;
      stored = Math.min(stored + 1, m);
    }
    gnorm = freeInfinityNorm(grad, frozen);
    history.push(f);
    if (bar.active) bar.update(iterations, `f=${f.toPrecision(6)} |g|=${gnorm.toExponential(2)}`);
    if (gnorm <= gtol) reason = 'GradientTolerance';
    else if (ftol > 0 && fPrev - f <= ftol * Math.max(Math.abs(f), Math.abs(fPrev), 1))
      reason = 'FunctionTolerance';
    else if (
      options.callback?.({
        iteration: iterations,
        value: f,
        gradientNorm: gnorm,
        evaluations,
        theta,
      }) === 'stop'
    ) {
      reason = 'Callback';
    }
  }
  bar.finish();
  const encode = (a: Float64Array, what: string) => encodeExact(a, (i) => `L-BFGS ${what}[${i}]`);
  return {
    lbfgsState: {
      memory: m,
      stored,
      newest,
      s: S.map((a, j) => encode(a, `s${j}`)),
      y: Y.map((a, j) => encode(a, `y${j}`)),
      rho: Array.from(rho),
    },
    theta,
    value: f,
    gradientNorm: gnorm,
    iterations,
    evaluations,
    converged: reason === 'GradientTolerance' || reason === 'FunctionTolerance',
    reason,
    history,
  };
}
