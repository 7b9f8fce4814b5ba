/**
 * The Rosenbrock–Wanner engine for stiff problems, for methods given as data in the
 * W-transformed form of Hairer & Wanner (Solving ODEs II, IV.7), as Rodas4 and Rodas5P:
 *
 *   (I/(hγ) − J)·kᵢ = f(t + cᵢh, u + Σⱼ aᵢⱼkⱼ) + Σⱼ (Cᵢⱼ/h)·kⱼ + h·dᵢ·∂f/∂t,   i = 1…s,
 *   u₁ = u + Σ bᵢkᵢ,   error = Σ b̃ᵢkᵢ,
 *   dense output: Kⱼ = Σᵢ Hⱼᵢkᵢ, u(t + θh) = (1−θ)u + θ(u₁ + (1−θ)(K₁ + θ(K₂ + θK₃ …))).
 *
 * J = ∂f/∂u and ∂f/∂t are evaluated once per step at (t, u) (`iteration-matrix.ts`) and reused after a
 * rejection (the point is the same; only h changes, so only the LU factorisation of
 * I/(hγ) − J is redone). One factorisation serves all s stages.
 */
import type { OdeProblem } from '../../src/core/ode-problem.ts';
import type { SolverStats } from '../return-code.ts';
import type { Stepper } from '../stepper.ts';
import { IterationMatrix } from './iteration-matrix.ts';

/** A Rosenbrock method in W-transformed form. */
export interface RosenbrockTableau {
  readonly name: string;
  readonly order: number;
  readonly errorOrder: number;
  readonly denseOrder: number;
  readonly gamma: number;
  readonly c: readonly number[];
  readonly d: readonly number[];
  /** Row i holds aᵢ₁ … aᵢ,ᵢ₋₁. */
  readonly a: readonly (readonly number[])[];
  /** Row i holds Cᵢ₁ … Cᵢ,ᵢ₋₁. */
  readonly C: readonly (readonly number[])[];
  readonly b: readonly number[];
  readonly btilde: readonly number[];
  /** Dense-output combinations Kⱼ = Σᵢ Hⱼᵢkᵢ. */
  readonly H: readonly (readonly number[])[];
}

/** Tolerances a stepper needs. */
export interface ImplicitSettings {
  readonly atol: Float64Array;
  readonly rtol: number;
}

/** A Rosenbrock method bound to a problem. */
export class RosenbrockStepper implements Stepper {
  readonly name: string;
  readonly order: number;
  readonly errorOrder: number;
  readonly denseOrder: number;
  readonly recordLength: number;
  readonly stats: SolverStats;
  failure: { retcode: 'Singular'; message: string } | null = null;
  private readonly m: RosenbrockTableau;
  private readonly problem: OdeProblem;
  private readonly p: Float64Array;
  private readonly n: number;
  private readonly settings: ImplicitSettings;
  private readonly matrix: IterationMatrix;
  private readonly f0: Float64Array;
  private readonly k: Float64Array[];
  private readonly stage: Float64Array;
  private readonly rhs: Float64Array;
  private jacobianReady = false;
  /** h·‖J‖∞ of the last step: an upper bound of h·|λ| (for switching back to explicit). */
  readonly measures = new Float64Array([NaN, NaN]);

  constructor(
    tableau: RosenbrockTableau,
    problem: OdeProblem,
    p: Float64Array,
    settings: ImplicitSettings,
    stats: SolverStats,
  ) {
    this.m = tableau;
    this.name = tableau.name;
    this.order = tableau.order;
    this.errorOrder = tableau.errorOrder;
    this.denseOrder = tableau.denseOrder;
    this.problem = problem;
    this.p = p;
    const n = problem.n;
    this.n = n;
    this.settings = settings;
    this.stats = stats;
    this.matrix = new IterationMatrix(problem, p, settings.atol, stats);
    this.f0 = new Float64Array(n);
    this.k = tableau.c.map(() => new Float64Array(n));
    this.stage = new Float64Array(n);
    this.rhs = new Float64Array(n);
    this.recordLength = n * (2 + tableau.H.length);
  }

  attempt(clock: Float64Array, u: Float64Array, u1: Float64Array): void {
    const t = clock[0];
    const h = clock[1];
    const { m, n, k, stage, rhs, stats, matrix } = this;
    const dfdt = matrix.dfdt;
    const f = this.problem.f;
    if (!this.jacobianReady) {
      f(this.f0, u, this.p, t);
      stats.rhsCalls++;
      for (let i = 0; i < n; i++) if (!Number.isFinite(this.f0[i])) return this.notFinite();
      matrix.evaluate(u, clock, this.f0);
      this.jacobianReady = true;
    }
    // W = I/(hγ) − J, factorised once for all stages.
    this.measures[1] = Math.abs(h) * matrix.jacobianNorm;
    matrix.coefficients[0] = 1 / (h * m.gamma);
    matrix.coefficients[1] = 1;
    const factored = matrix.factor();
    if (factored === 'notFinite') return this.notFinite(); // a non-finite Jacobian: let the loop shrink h
    if (factored === 'singular') {
      this.failure = {
        retcode: 'Singular',
        message: `the iteration matrix I/(hγ) − J is singular at t = ${t} (h = ${h})`,
      };
      return this.notFinite();
    }
    for (let s = 0; s < m.c.length; s++) {
      const a = m.a[s];
      const C = m.C[s];
      // Stage input uₛ = u + Σ aₛⱼkⱼ; the first stage (c = 0, no a) is f(t, u), already known.
      if (s === 0 && m.c[0] === 0) {
        rhs.set(this.f0);
      } else {
        for (let i = 0; i < n; i++) {
          let v = u[i];
          for (let j = 0; j < a.length; j++) v += a[j] * k[j][i];
          stage[i] = v;
        }
        f(rhs, stage, this.p, t + m.c[s] * h);
        stats.rhsCalls++;
      }
      const hd = h * m.d[s];
      for (let i = 0; i < n; i++) {
        let v = rhs[i] + hd * dfdt[i];
        for (let j = 0; j < C.length; j++) v += (C[j] / h) * k[j][i];
        rhs[i] = v;
      }
      matrix.solve(rhs);
      k[s].set(rhs);
    }
    const { atol, rtol } = this.settings;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      let v = u[i];
      let e = 0;
      for (let s = 0; s < m.c.length; s++) {
        v += m.b[s] * k[s][i];
        e += m.btilde[s] * k[s][i];
      }
      u1[i] = v;
      const scale = atol[i] + rtol * Math.max(Math.abs(u[i]), Math.abs(v));
      acc += (e / scale) ** 2;
    }
    this.measures[0] = Math.sqrt(acc / n);
  }

  /** Marks the attempt as failed by a non-finite value (the loop then shrinks h). */
  private notFinite(): void {
    this.measures[0] = NaN;
  }

  record(
    store: Float64Array,
    offset: number,
    _clock: Float64Array,
    u: Float64Array,
    u1: Float64Array,
  ): void {
    const { n, k, m } = this;
    store.set(u, offset);
    store.set(u1, offset + n);
    for (let j = 0; j < m.H.length; j++) {
      const row = m.H[j];
      const at = offset + (2 + j) * n;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let s = 0; s < row.length; s++) v += row[s] * k[s][i];
        store[at + i] = v;
      }
    }
  }

  accept(): void {
    this.jacobianReady = false; // a new point needs a new Jacobian
  }

  invalidate(): void {
    this.jacobianReady = false;
  }

  interpolate(store: Float64Array, offset: number, point: Float64Array, out: Float64Array): void {
    const n = this.n;
    const theta = point[0];
    const terms = this.m.H.length;
    for (let i = 0; i < n; i++) {
      let poly = store[offset + (1 + terms) * n + i];
      for (let j = terms - 2; j >= 0; j--) poly = store[offset + (2 + j) * n + i] + theta * poly;
      const u0 = store[offset + i];
      const u1 = store[offset + n + i];
      out[i] = (1 - theta) * u0 + theta * (u1 + (1 - theta) * poly);
    }
  }
}
