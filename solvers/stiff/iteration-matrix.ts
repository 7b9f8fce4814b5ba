/**
 * The linear algebra every Rosenbrock step shares: J = ∂f/∂u and ∂f/∂t at the step's
 * start (evaluated once per point — a rejected step keeps them, only h changes), the iteration
 * matrix W = a·I − b·J for the method's a, b and h, its LU factorisation, and solves with it.
 */
import type { OdeProblem } from '../../src/core/ode-problem.ts';
import type { SolverStats } from '../return-code.ts';
import { JacobianEvaluator } from './jacobian.ts';
import { luFactor, luSolve } from '../../src/linalg/lu.ts';

/** Outcome of a factorisation. */
export type FactorResult = 'ok' | 'singular' | 'notFinite';

/** J, ∂f/∂t and the factorised iteration matrix for one problem size. */
export class IterationMatrix {
  /** ∂f/∂t at the current point. */
  readonly dfdt: Float64Array;
  /** ‖J‖∞ at the current point (an upper bound of the spectral radius). */
  jacobianNorm = NaN;
  private readonly J: Float64Array;
  private readonly W: Float64Array;
  private readonly pivot: Int32Array;
  private readonly n: number;
  private readonly evaluator: JacobianEvaluator;
  private readonly stats: SolverStats;

  constructor(problem: OdeProblem, p: Float64Array, atol: Float64Array, stats: SolverStats) {
    const n = problem.n;
    this.n = n;
    this.stats = stats;
    this.evaluator = new JacobianEvaluator(problem, p, atol, stats);
    this.dfdt = new Float64Array(n);
    this.J = new Float64Array(n * n);
    this.W = new Float64Array(n * n);
    this.pivot = new Int32Array(n);
  }

  /** J, ∂f/∂t and ‖J‖∞ at (clock[0], u), given f0 = f(t, u). */
  evaluate(u: Float64Array, clock: Float64Array, f0: Float64Array): void {
    const { n, J } = this;
    this.evaluator.jacobian(J, u, clock, f0);
    this.evaluator.timeDerivative(this.dfdt, u, clock);
    let norm = 0;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) row += Math.abs(J[i * n + j]);
      norm = Math.max(norm, row);
    }
    this.jacobianNorm = norm;
  }

  /**
   * [diagonal, scale] of the next {@link factor}. Passed through a typed array because a double
   * argument of a call the JIT does not inline is boxed on the heap — one allocation per step.
   */
  readonly coefficients = new Float64Array(2);

  /** Factorises W = diagonal·I − scale·J with [diagonal, scale] from {@link coefficients}. */
  factor(): FactorResult {
    const { n, J, W } = this;
    const diagonal = this.coefficients[0];
    const scale = this.coefficients[1];
    for (let i = 0; i < n * n; i++) W[i] = -scale * J[i];
    for (let i = 0; i < n; i++) W[i * n + i] += diagonal;
    this.stats.luFactorizations++;
    if (luFactor(W, n, this.pivot)) return 'ok';
    return Number.isFinite(this.jacobianNorm) ? 'singular' : 'notFinite';
  }

  /** b ← W⁻¹b with the last factorisation. */
  solve(b: Float64Array): void {
    luSolve(this.W, this.n, this.pivot, b);
    this.stats.linearSolves++;
  }
}
