/**
 * Step-size selection: the initial step of Hairer, Nørsett & Wanner (Solving ODEs I, II.4,
 * "Automatic selection of the initial step size") and the PI controller of Hairer's DOPRI5
 * (Gustafsson's proportional–integral control, β = 0.2/(q + 1)).
 */
import type { OdeProblem } from '../src/core/ode-problem.ts';
import type { SolverStats } from './return-code.ts';

/** Weighted RMS norm ‖v‖ with weights atol + rtol·|u|. */
function weightedNorm(v: Float64Array, u: Float64Array, atol: Float64Array, rtol: number): number {
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    const r = v[i] / (atol[i] + rtol * Math.abs(u[i]));
    acc += r * r;
  }
  return Math.sqrt(acc / v.length);
}

/**
 * Hairer's initial step for a method of order `order`: h₀ from ‖u₀‖/‖f₀‖, one explicit Euler
 * trial step to estimate the second derivative, h₁ = (0.01/max(‖f₀‖, ‖f′‖))^(1/(order+1)),
 * h = min(100·h₀, h₁, hmax). Costs one right-hand-side call. Returns a positive size.
 */
export function initialStepSize(
  problem: OdeProblem,
  p: Float64Array,
  t0: number,
  u0: Float64Array,
  f0: Float64Array,
  direction: number,
  order: number,
  atol: Float64Array,
  rtol: number,
  hmax: number,
  stats: SolverStats,
): number {
  const n = u0.length;
  const d0 = weightedNorm(u0, u0, atol, rtol);
  const d1 = weightedNorm(f0, u0, atol, rtol);
  let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  h0 = Math.min(h0, hmax);
  const u1 = new Float64Array(n);
  for (let i = 0; i < n; i++) u1[i] = u0[i] + direction * h0 * f0[i];
  const f1 = new Float64Array(n);
  problem.f(f1, u1, p, t0 + direction * h0);
  stats.rhsCalls++;
  for (let i = 0; i < n; i++) f1[i] = (f1[i] - f0[i]) / h0;
  const d2 = weightedNorm(f1, u0, atol, rtol);
  const dmax = Math.max(d1, d2);
  const h1 =
    dmax <= 1e-15 || !Number.isFinite(dmax)
      ? Math.max(1e-6, h0 * 1e-3)
      : Math.pow(0.01 / dmax, 1 / (order + 1));
  const h = Math.min(100 * h0, h1, hmax);
  return Number.isFinite(h) && h > 0 ? h : Math.min(1e-6, hmax);
}

/** PI step-size control on the weighted RMS error (accept when err ≤ 1). */
export class PiController {
  private readonly alpha: number;
  private readonly beta: number;
  private readonly safety = 0.9;
  /** Largest growth and shrink factors per step. */
  private readonly maxGrowth = 10;
  private readonly maxShrink = 0.2;
  private previousError = 1e-4;
  private lastRejected = false;

  /** `errorOrder`: order q of the embedded estimate (the error behaves like h^(q+1)). */
  constructor(errorOrder: number) {
    const q = errorOrder + 1;
    this.beta = 0.2 / q;
    this.alpha = 1 / q - 0.75 * this.beta;
  }

  /** Step size after an accepted step with error `err`. */
  accepted(h: number, err: number): number {
    const e = Math.max(err, 1e-10);
    let factor = (this.safety * Math.pow(this.previousError, this.beta)) / Math.pow(e, this.alpha);
    factor = Math.min(this.maxGrowth, Math.max(this.maxShrink, factor));
    if (this.lastRejected) factor = Math.min(factor, 1);
    this.previousError = Math.max(err, 1e-4);
    this.lastRejected = false;
    return h * factor;
  }

  /** Step size after a rejected step with error `err` (> 1, or non-finite). */
  rejected(h: number, err: number): number {
    this.lastRejected = true;
    if (!Number.isFinite(err)) return h * 0.25;
    const factor = Math.max(this.maxShrink, this.safety / Math.pow(err, this.alpha));
    return h * Math.min(factor, 0.9);
  }

  /** Forgets the error history (after an event or a switch of method). */
  reset(): void {
    this.previousError = 1e-4;
    this.lastRejected = false;
  }
}
