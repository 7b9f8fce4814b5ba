/**
 * The Jacobian ∂f/∂u and time derivative ∂f/∂t an implicit step needs: from the problem's own
 * functions when it has them, otherwise by forward differences.
 *
 * Increments: δⱼ = √ε·max(|uⱼ|, atolⱼ) for column j (atolⱼ replaced by 10⁻⁵ when it is 0) —
 * relative to the state, so a component that lives at 10⁻¹³ (Robertson's y₂) is perturbed by
 * 10⁻²¹, not by far more than its own size, and down to the absolute tolerance, the scale below
 * which the user does not resolve it. (Hairer's √(ε·max(10⁻⁵, |uⱼ|)) perturbs such a component
 * 500-fold; the Jacobian error then cost Rodas5P 14× more steps on Robertson to t = 10¹¹.)
 * The Jacobian by forward differences costs n right-hand-side calls and reuses f(t, u), which the
 * step needs anyway; its error is O(√ε) relative, so tight tolerances want an analytic `jac`.
 * ∂f/∂t by central differences with δₜ = ε^(1/3)·max(|t|, 10⁻⁵): 2 calls, error O(ε^(2/3)).
 */
import type { OdeProblem } from '../../src/core/ode-problem.ts';
import type { SolverStats } from '../return-code.ts';

const SQRT_EPS = Math.sqrt(2.220446049250313e-16);
const CBRT_EPS = Math.cbrt(2.220446049250313e-16);

/** Buffers for one problem size. */
export class JacobianEvaluator {
  private readonly uShift: Float64Array;
  private readonly fShift: Float64Array;
  private readonly problem: OdeProblem;
  private readonly p: Float64Array;
  private readonly stats: SolverStats;
  /** The problem does not depend on t explicitly (∂f/∂t = 0). */
  private readonly autonomous: boolean;

  private readonly atol: Float64Array;

  constructor(problem: OdeProblem, p: Float64Array, atol: Float64Array, stats: SolverStats) {
    this.problem = problem;
    this.atol = atol;
    this.p = p;
    this.stats = stats;
    this.uShift = new Float64Array(problem.n);
    this.fShift = new Float64Array(problem.n);
    this.autonomous = problem.autonomous ?? false;
  }

  /** J (row-major n×n) at (t, u) with t = clock[0]; f0 must hold f(t, u). */
  jacobian(J: Float64Array, u: Float64Array, clock: Float64Array, f0: Float64Array): void {
    const { problem, p } = this;
    const t = clock[0];
    const n = problem.n;
    this.stats.jacobianCalls++;
    if (problem.jac) {
      problem.jac(J, u, p, t);
      return;
    }
    const v = this.uShift;
    v.set(u);
    for (let j = 0; j < n; j++) {
      const floor = this.atol[j] > 1e-300 ? this.atol[j] : 1e-5; // atol 0 arrives as 2.2e-308
      const delta = SQRT_EPS * Math.max(Math.abs(u[j]), floor);
      v[j] = u[j] + delta;
      problem.f(this.fShift, v, p, t);
      v[j] = u[j];
      const inv = 1 / (v[j] + delta - v[j]); // the increment actually represented
      for (let i = 0; i < n; i++) J[i * n + j] = (this.fShift[i] - f0[i]) * inv;
    }
    this.stats.rhsCalls += n;
  }

  /** ∂f/∂t at (t, u), t = clock[0], into `dt`. Zero for autonomous problems. */
  timeDerivative(dt: Float64Array, u: Float64Array, clock: Float64Array): void {
    const { problem, p } = this;
    const t = clock[0];
    if (this.autonomous) {
      dt.fill(0);
      return;
    }
    if (problem.tgrad) {
      problem.tgrad(dt, u, p, t);
      return;
    }
    // Central difference: error O(δ²) with δ = ε^(1/3)·max(|t|, 10⁻⁵) (forward differences, error
    // O(√ε), capped Rodas5P at ~10⁻⁸ on non-autonomous problems).
    const delta = CBRT_EPS * Math.max(1e-5, Math.abs(t));
    const up = t + delta;
    const down = t - delta;
    problem.f(this.fShift, u, p, up);
    problem.f(this.uShift, u, p, down);
    this.stats.rhsCalls += 2;
    const inv = 1 / (up - down);
    for (let i = 0; i < problem.n; i++) dt[i] = (this.fShift[i] - this.uShift[i]) * inv;
  }
}
