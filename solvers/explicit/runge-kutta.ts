/**
 * The one explicit Runge–Kutta engine. From a tableau (`tableau.ts`) it generates, once per
 * method, straight-line JavaScript for
 *
 * - a step: stages 2…s with the tableau's nonzero coefficients as literals, the solution, and the
 *   weighted RMS norm of the embedded error estimate, in one pass over the state per stage;
 * - the interpolant: Horner evaluation of the stage weights bᵢ(θ), then one pass over the state;
 * - the extra stages some interpolants need (Vern7).
 *
 * `RungeKuttaStepper` binds the generated code to one problem with buffers allocated once, so a
 * step allocates nothing.
 */
import { ScichainError } from '../../src/core/errors.ts';
import type { OdeProblem } from '../../src/core/ode-problem.ts';
import type { SolverStats } from '../return-code.ts';
import type { Stepper } from '../stepper.ts';
import type { ExplicitTableau } from './tableau.ts';

type RHS = OdeProblem['f'];

/** Generated kernels of one tableau. */
export interface RungeKuttaKernels {
  readonly tableau: ExplicitTableau;
  /** Stages of a step (including an FSAL stage). */
  readonly stages: number;
  /** Stages the interpolant reads, as indices into the stage array (extra stages included). */
  readonly denseStages: readonly number[];
  /** Number of extra interpolation stages. */
  readonly extraStages: number;
  /** Index of the stage whose input `yPrev` keeps for the stiffness estimate, or −1. */
  readonly stiffnessStage: number;
  /**
   * Stages 2…s from k[0] = f(t, u); writes u1 and the weighted RMS error (0 without an estimate,
   * NaN when the result is not finite) into out[0].
   */
  step(
    f: RHS,
    p: Float64Array,
    clock: Float64Array,
    u: Float64Array,
    u1: Float64Array,
    k: readonly Float64Array[],
    tmp: Float64Array,
    yPrev: Float64Array,
    atol: Float64Array,
    rtol: number,
    n: number,
    out: Float64Array,
  ): void;
  /** The extra interpolation stages k[s…] after an accepted step. */
  extra(
    f: RHS,
    p: Float64Array,
    clock: Float64Array,
    u: Float64Array,
    k: readonly Float64Array[],
    tmp: Float64Array,
    n: number,
  ): void;
  /** out = u(t + θh) from a record [u, k_{denseStages[0]}, …] at `offset`; point = [θ, h]. */
  interpolate(
    store: Float64Array,
    offset: number,
    point: Float64Array,
    out: Float64Array,
    n: number,
  ): void;
}

/** Number literal source (shortest round-trip form). */
const lit = (x: number): string => (Object.is(x, -0) ? '0' : String(x));

/** Σ coefficient·k_j[i] over the nonzero coefficients, as source. */
function combination(coefficients: readonly number[]): string {
  const terms = coefficients
    .map((a, j) => (a === 0 ? '' : `${lit(a)} * k${j}[i]`))
    .filter((s) => s !== '');
  return terms.length === 0 ? '0' : terms.join(' + ');
}

function checkTableau(t: ExplicitTableau): void {
  const s = t.c.length;
  const bad = (what: string): never => {
    throw new ScichainError('InvalidArgument', `tableau ${t.name}: ${what}`);
  };
  if (t.a.length !== s || t.b.length !== s) bad(`c, a and b must have ${s} stages`);
  t.a.forEach((row, i) => {
    if (row.length !== i) bad(`row ${i} of a must have ${i} entries`);
    const sum = row.reduce((x, y) => x + y, 0);
    if (Math.abs(sum - t.c[i]) > 1e-12) bad(`row ${i} of a sums to ${sum}, not c = ${t.c[i]}`);
  });
  if (Math.abs(t.b.reduce((x, y) => x + y, 0) - 1) > 1e-12) bad('b must sum to 1');
  if (t.btilde !== null && t.btilde.length !== s) bad('btilde must have one entry per stage');
  if (t.fsal) {
    const last = t.a[s - 1];
    if (t.c[s - 1] !== 1 || t.b[s - 1] !== 0 || last.some((x, j) => Math.abs(x - t.b[j]) > 1e-15)) {
      bad('an FSAL method needs a last stage at c = 1 whose row equals b, with weight 0');
    }
  }
  const extra = t.dense.extraStages;
  const total = s + (extra ? extra.c.length : 0);
  if (t.dense.weights.length !== total) bad(`dense weights need ${total} rows`);
  extra?.a.forEach((row, r) => {
    if (row.length !== s + r) bad(`extra stage ${r} needs ${s + r} coefficients`);
  });
}

const kernelCache = new Map<ExplicitTableau, RungeKuttaKernels>();

/** The generated kernels of a tableau (built once per tableau object). */
export function rungeKuttaKernels(t: ExplicitTableau): RungeKuttaKernels {
  const cached = kernelCache.get(t);
  if (cached) return cached;
  checkTableau(t);
  const s = t.c.length;
  const declare = (count: number): string =>
    Array.from({ length: count }, (_, j) => `const k${j} = K[${j}];`).join(' ');
  // Hairer's stiffness estimate needs the two last stages both at c = 1 (FSAL methods such as
  // Tsit5 and DP5): ρ ≈ ‖k_s − k_{s−1}‖ / ‖u1 − Y_{s−1}‖, with Y_{s−1} the input of stage s−1.
  const stiffnessStage = t.fsal && s >= 3 && t.c[s - 2] === 1 ? s - 2 : -1;
  const stageLines: string[] = [];
  for (let i = 1; i < s; i++) {
    if (t.fsal && i === s - 1) {
      stageLines.push(`for (let i = 0; i < n; i++) u1[i] = u[i] + h * (${combination(t.b)});`);
      stageLines.push(`f(k${i}, u1, p, t + h);`);
    } else {
      stageLines.push(`for (let i = 0; i < n; i++) tmp[i] = u[i] + h * (${combination(t.a[i])});`);
      if (i === stiffnessStage) stageLines.push('for (let i = 0; i < n; i++) yPrev[i] = tmp[i];');
      stageLines.push(`f(k${i}, tmp, p, t + ${lit(t.c[i])} * h);`);
    }
  }
  if (!t.fsal)
    stageLines.push(`for (let i = 0; i < n; i++) u1[i] = u[i] + h * (${combination(t.b)});`);
  const errorLines =
    t.btilde === null
      ? 'out[0] = 0;\n    for (let i = 0; i < n; i++) if (!(u1[i] - u1[i] === 0)) out[0] = NaN;'
      : `let acc = 0;
    for (let i = 0; i < n; i++) {
      const e = h * (${combination(t.btilde)});
      const ui = u[i] < 0 ? -u[i] : u[i];
      const vi = u1[i] < 0 ? -u1[i] : u1[i];
      const r = e / (atol[i] + rtol * (ui > vi ? ui : vi));
      acc += r * r;
    }
    out[0] = Math.sqrt(acc / n);`;
  const stepSource = `"use strict"; return function ${t.name}_step(f, p, clock, u, u1, K, tmp, yPrev, atol, rtol, n, out) {
    const t = clock[0];
    const h = clock[1];
    ${declare(s)}
    ${stageLines.join('\n    ')}
    ${errorLines}
  };`;

  const extra = t.dense.extraStages;
  const nExtra = extra ? extra.c.length : 0;
  const extraLines = (extra?.a ?? []).map(
    (row, r) => `for (let i = 0; i < n; i++) tmp[i] = u[i] + h * (${combination(row)});
    f(k${s + r}, tmp, p, t + ${lit(extra!.c[r])} * h);`,
  );
  const extraSource = `"use strict"; return function ${t.name}_extra(f, p, clock, u, K, tmp, n) {
    const t = clock[0];
    const h = clock[1];
    ${declare(s + nExtra)}
    ${extraLines.join('\n    ')}
  };`;

  const weights = t.dense.weights;
  const denseStages = weights
    .map((w, i) => (w.some((x) => x !== 0) ? i : -1))
    .filter((i) => i >= 0);
  const horner = (w: readonly number[]): string => {
    let expr = lit(w[w.length - 1]);
    for (let j = w.length - 2; j >= 0; j--) expr = `(${lit(w[j])} + th * ${expr})`;
    return `th * ${expr}`;
  };
  const interpolateSource = `"use strict"; return function ${t.name}_interpolate(S, o, P, out, n) {
    const th = P[0];
    const h = P[1];
    ${denseStages.map((i, m) => `const w${m} = h * ${horner(weights[i])}; const o${m} = o + ${m + 1} * n;`).join('\n    ')}
    for (let i = 0; i < n; i++) out[i] = S[o + i] + ${denseStages.map((_, m) => `w${m} * S[o${m} + i]`).join(' + ')};
  };`;

  const kernels: RungeKuttaKernels = {
    tableau: t,
    stages: s,
    denseStages,
    extraStages: nExtra,
    stiffnessStage,
    step: new Function(stepSource)() as RungeKuttaKernels['step'],
    extra: new Function(extraSource)() as RungeKuttaKernels['extra'],
    interpolate: new Function(interpolateSource)() as RungeKuttaKernels['interpolate'],
  };
  kernelCache.set(t, kernels);
  return kernels;
}

/** Tolerances a stepper needs. */
export interface StepperSettings {
  readonly atol: Float64Array;
  readonly rtol: number;
}

/** An explicit Runge–Kutta method bound to a problem. */
export class RungeKuttaStepper implements Stepper {
  readonly name: string;
  readonly order: number;
  readonly errorOrder: number | null;
  readonly denseOrder: number;
  readonly recordLength: number;
  readonly stats: SolverStats;
  readonly failure = null;
  private readonly kernels: RungeKuttaKernels;
  private readonly f: RHS;
  private readonly p: Float64Array;
  private readonly n: number;
  private readonly k: Float64Array[];
  private readonly tmp: Float64Array;
  private readonly yPrev: Float64Array;
  private readonly atol: Float64Array;
  private readonly rtol: number;
  /** Whether `measures[1]` (h·|λ|) is estimated (FSAL methods with two last stages at c = 1). */
  get estimatesStiffness(): boolean {
    return this.kernels.stiffnessStage >= 0;
  }
  /** k[0] holds f(t, u) for the current state. */
  private firstStageReady = false;
  readonly measures = new Float64Array([NaN, NaN]);
  /**
   * Estimate h·|λ| in the Euclidean norm (Hairer's test, for stopping on stiff problems) rather
   * than the tolerance-weighted one (for the automatic switch, which wants small components).
   */
  euclideanStiffness = false;

  constructor(
    tableau: ExplicitTableau,
    problem: OdeProblem,
    p: Float64Array,
    settings: StepperSettings,
    stats: SolverStats,
  ) {
    this.kernels = rungeKuttaKernels(tableau);
    this.name = tableau.name;
    this.order = tableau.order;
    this.errorOrder = tableau.errorOrder;
    this.denseOrder = tableau.dense.order;
    this.f = problem.f;
    this.p = p;
    this.n = problem.n;
    const stageCount = this.kernels.stages + this.kernels.extraStages;
    this.k = Array.from({ length: stageCount }, () => new Float64Array(problem.n));
    this.tmp = new Float64Array(problem.n);
    this.yPrev = new Float64Array(problem.n);
    this.atol = settings.atol;
    this.rtol = settings.rtol;
    this.recordLength = problem.n * (1 + this.kernels.denseStages.length);
    this.stats = stats;
  }

  attempt(clock: Float64Array, u: Float64Array, u1: Float64Array): void {
    const n = this.n;
    if (!this.firstStageReady) {
      this.f(this.k[0], u, this.p, clock[0]);
      this.stats.rhsCalls++;
      this.firstStageReady = true;
    }
    this.stats.rhsCalls += this.kernels.stages - 1;
    this.kernels.step(
      this.f,
      this.p,
      clock,
      u,
      u1,
      this.k,
      this.tmp,
      this.yPrev,
      this.atol,
      this.rtol,
      n,
      this.measures,
    );
  }

  record(store: Float64Array, offset: number, clock: Float64Array, u: Float64Array): void {
    // Called before `accept`, while k[0 … s−1] are this step's stages in order.
    const n = this.n;
    const k = this.k;
    if (this.kernels.extraStages > 0) {
      this.kernels.extra(this.f, this.p, clock, u, k, this.tmp, n);
      this.stats.rhsCalls += this.kernels.extraStages;
    }
    store.set(u, offset);
    const dense = this.kernels.denseStages;
    for (let m = 0; m < dense.length; m++) store.set(k[dense[m]], offset + (m + 1) * n);
  }

  accept(clock: Float64Array, _u: Float64Array, u1: Float64Array): void {
    const h = clock[1];
    const s = this.kernels.stages;
    const k = this.k;
    if (this.kernels.stiffnessStage >= 0) {
      let num = 0;
      let den = 0;
      if (this.euclideanStiffness) {
        // Hairer's DOPRI5 estimate in the Euclidean norm: ‖Jd‖/‖d‖ ≤ ‖J‖ (weights that differ
        // by orders of magnitude across components can inflate the weighted one).
        for (let i = 0; i < this.n; i++) {
          const a = k[s - 1][i] - k[s - 2][i];
          const b = u1[i] - this.yPrev[i];
          num += a * a;
          den += b * b;
        }
      } else {
        // Weighted like the error norm, so small components (Robertson's y₂ at 1e-10) count at
        // their own scale rather than vanishing next to O(1) ones.
        for (let i = 0; i < this.n; i++) {
          const w = 1 / (this.atol[i] + this.rtol * Math.abs(u1[i]));
          const a = (k[s - 1][i] - k[s - 2][i]) * w;
          const b = (u1[i] - this.yPrev[i]) * w;
          num += a * a;
          den += b * b;
        }
      }
      this.measures[1] = Math.abs(h) * Math.sqrt(num / Math.max(den, 1e-300));
    }
    if (this.kernels.tableau.fsal) {
      // The last stage f(t + h, u1) is the next step's first stage: swap the arrays.
      const first = k[0];
      k[0] = k[s - 1];
      k[s - 1] = first;
      this.firstStageReady = true;
    } else {
      this.firstStageReady = false;
    }
  }

  invalidate(): void {
    this.firstStageReady = false;
  }

  interpolate(store: Float64Array, offset: number, point: Float64Array, out: Float64Array): void {
    this.kernels.interpolate(store, offset, point, out, this.n);
  }
}
