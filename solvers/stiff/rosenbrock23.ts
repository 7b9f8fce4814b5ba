/**
 * Rosenbrock23: the modified Rosenbrock triple of Shampine & Reichelt ("The MATLAB ODE Suite",
 * SIAM J. Sci. Comput. 18 (1997) 1–22, Sect. 4.1; MATLAB's ode23s), order 2 with an embedded
 * order-3 error estimate, L-stable, cheap per step — for stiff problems at loose tolerances.
 * With d = 1/(2 + √2), e₃₂ = 6 + √2, W = I − h·d·J:
 *
 *   k₁ = W⁻¹(F₀ + h·d·T),   F₁ = f(t + h/2, u + (h/2)k₁),   k₂ = W⁻¹(F₁ − k₁) + k₁,
 *   u₁ = u + h·k₂,   F₂ = f(t + h, u₁),
 *   k₃ = W⁻¹(F₂ − e₃₂(k₂ − F₁) − 2(k₁ − F₀) + h·d·T),   error = (h/6)(k₁ − 2k₂ + k₃),
 *   dense output u(t + θh) = u + h(θ(1−θ)/(1−2d)·k₁ + θ(θ−2d)/(1−2d)·k₂).
 *
 * (OrdinaryDiffEq.jl adds h·T rather than h·d·T in k₃; the paper's h·d·T is used here — with the
 * other, the error estimate loses its order when f depends on t explicitly.) F₂ is the next
 * step's F₀ (first same as last).
 */
import type { OdeProblem } from '../../src/core/ode-problem.ts';
import type { SolverStats } from '../return-code.ts';
import type { Stepper } from '../stepper.ts';
import { IterationMatrix } from './iteration-matrix.ts';
import type { ImplicitSettings } from './rosenbrock.ts';

const D = 1 / (2 + Math.SQRT2);
const E32 = 6 + Math.SQRT2;

/** Rosenbrock23 bound to a problem. */
export class Rosenbrock23Stepper implements Stepper {
  readonly name = 'Rosenbrock23';
  readonly order = 2;
  readonly errorOrder = 2;
  readonly denseOrder = 2;
  readonly recordLength: number;
  readonly stats: SolverStats;
  failure: { retcode: 'Singular'; message: string } | null = null;
  private readonly problem: OdeProblem;
  private readonly p: Float64Array;
  private readonly n: number;
  private readonly settings: ImplicitSettings;
  private readonly matrix: IterationMatrix;
  private f0: Float64Array;
  private f2: Float64Array;
  private readonly f1: Float64Array;
  private readonly k1: Float64Array;
  private readonly k2: Float64Array;
  private readonly k3: Float64Array;
  private readonly stage: Float64Array;
  private derivativeReady = false;
  private jacobianReady = false;
  readonly measures = new Float64Array([NaN, NaN]);

  constructor(
    problem: OdeProblem,
    p: Float64Array,
    settings: ImplicitSettings,
    stats: SolverStats,
  ) {
    const n = problem.n;
    this.problem = problem;
    this.p = p;
    this.n = n;
    this.settings = settings;
    this.stats = stats;
    this.matrix = new IterationMatrix(problem, p, settings.atol, stats);
    this.f0 = new Float64Array(n);
    this.f1 = new Float64Array(n);
    this.f2 = new Float64Array(n);
    this.k1 = new Float64Array(n);
    this.k2 = new Float64Array(n);
    this.k3 = new Float64Array(n);
    this.stage = new Float64Array(n);
    this.recordLength = 3 * n;
  }

  attempt(clock: Float64Array, u: Float64Array, u1: Float64Array): void {
    const t = clock[0];
    const h = clock[1];
    const { n, stats, f0, f1, f2, k1, k2, k3, stage, matrix } = this;
    const dfdt = matrix.dfdt;
    const f = this.problem.f;
    if (!this.derivativeReady) {
      f(f0, u, this.p, t);
      stats.rhsCalls++;
      this.derivativeReady = true;
    }
    for (let i = 0; i < n; i++) if (!Number.isFinite(f0[i])) return this.notFinite();
    if (!this.jacobianReady) {
      matrix.evaluate(u, clock, f0);
      this.jacobianReady = true;
    }
    const hd = h * D;
    this.measures[1] = Math.abs(h) * matrix.jacobianNorm;
    matrix.coefficients[0] = 1;
    matrix.coefficients[1] = hd;
    const factored = matrix.factor();
    if (factored === 'notFinite') return this.notFinite();
    if (factored === 'singular') {
      this.failure = {
        retcode: 'Singular',
        message: `the iteration matrix I − h·d·J is singular at t = ${t} (h = ${h})`,
      };
      return this.notFinite();
    }
    for (let i = 0; i < n; i++) k1[i] = f0[i] + hd * dfdt[i];
    matrix.solve(k1);
    for (let i = 0; i < n; i++) stage[i] = u[i] + 0.5 * h * k1[i];
    f(f1, stage, this.p, t + 0.5 * h);
    for (let i = 0; i < n; i++) k2[i] = f1[i] - k1[i];
    matrix.solve(k2);
    for (let i = 0; i < n; i++) {
      k2[i] += k1[i];
      u1[i] = u[i] + h * k2[i];
    }
    f(f2, u1, this.p, t + h);
    for (let i = 0; i < n; i++)
      k3[i] = f2[i] - E32 * (k2[i] - f1[i]) - 2 * (k1[i] - f0[i]) + hd * dfdt[i];
    matrix.solve(k3);
    stats.rhsCalls += 2;
    const { atol, rtol } = this.settings;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const e = (h / 6) * (k1[i] - 2 * k2[i] + k3[i]);
      const scale = atol[i] + rtol * Math.max(Math.abs(u[i]), Math.abs(u1[i]));
      acc += (e / scale) ** 2;
    }
    this.measures[0] = Math.sqrt(acc / n);
  }

  /** Marks the attempt as failed by a non-finite value (the loop then shrinks h). */
  private notFinite(): void {
    this.measures[0] = NaN;
  }

  record(store: Float64Array, offset: number, _clock: Float64Array, u: Float64Array): void {
    store.set(u, offset);
    store.set(this.k1, offset + this.n);
    store.set(this.k2, offset + 2 * this.n);
  }

  accept(): void {
    // F₂ = f(t + h, u₁) is the next step's F₀; the Jacobian belongs to the old point.
    const next = this.f2;
    this.f2 = this.f0;
    this.f0 = next;
    this.derivativeReady = true;
    this.jacobianReady = false;
  }

  invalidate(): void {
    this.derivativeReady = false;
    this.jacobianReady = false;
  }

  interpolate(store: Float64Array, offset: number, point: Float64Array, out: Float64Array): void {
    const n = this.n;
    const theta = point[0];
    const h = point[1];
    const w1 = (h * theta * (1 - theta)) / (1 - 2 * D);
    const w2 = (h * theta * (theta - 2 * D)) / (1 - 2 * D);
    for (let i = 0; i < n; i++)
      out[i] = store[offset + i] + w1 * store[offset + n + i] + w2 * store[offset + 2 * n + i];
  }
}
