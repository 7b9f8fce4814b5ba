/**
 * Forward sensitivities: S = ∂u/∂p (n × np) integrated with the state, dS/dt = J·S + ∂f/∂p,
 * all n(1 + np) components under error control. Row i of J and of ∂f/∂p come from one VJP with
 * λ = eᵢ, so a right-hand-side evaluation costs n VJPs plus an n×n by n×np product. The right
 * choice when p is small (a handful of mechanistic parameters); adjoints win as p grows.
 */
import { ScichainError } from '../../src/core/errors.ts';
import { UnitVjpRows, type OdeModel } from '../../src/model/ode-model.ts';
import { odeProblem } from '../../src/core/ode-problem.ts';
import type { OdeSolution } from '../solution.ts';
import { countsOf, type SensitivityContext, type SensitivityResult } from './context.ts';
import {
  recordingEvents,
  scoreObservations,
  solveOrThrow,
  type EventCrossing,
  type PassSettings,
} from './forward-pass.ts';
import type { DifferentiableEvent } from './events.ts';

/** What {@link solveSensitivities} takes. */
export interface SensitivitySolveSpec {
  readonly model: OdeModel;
  readonly p: Float64Array;
  readonly u0: ArrayLike<number>;
  /** ∂u₀/∂p (n × nc, row-major, nc the number of columns), or null for 0. */
  readonly S0?: Float64Array | null;
  /**
   * The entries of p to differentiate with respect to (default all): S has one column per
   * entry, in this order. A few columns of many (the η-carrying parameters of a model with a
   * network in it) cost a few columns, not all.
   */
  readonly columns?: Int32Array;
  readonly t0: number;
  /** Output times, ascending (the solve ends at the last). */
  readonly times: Float64Array;
  readonly events?: readonly DifferentiableEvent[];
  readonly settings: PassSettings;
}

/**
 * Integrates u and S = ∂u/∂p together (n(1 + np) components under error control) and returns
 * the solution at `times`: state(k) holds u then S row-major (n × np).
 */
export function solveSensitivities(spec: SensitivitySolveSpec): {
  solution: OdeSolution;
  vjpCalls: number;
} {
  const { model, p, u0, t0, times } = spec;
  const n = model.stateCount;
  const np = p.length;
  const columns = spec.columns ?? Int32Array.from({ length: np }, (_, k) => k);
  for (const c of columns) {
    if (!Number.isInteger(c) || c < 0 || c >= np)
      throw new ScichainError(
        'InvalidArgument',
        `sensitivity column ${c} is not an index of p (length ${np})`,
      );
  }
  const nc = columns.length;
  const size = n * (1 + nc);
  const differentiated = new Uint8Array(np);
  for (const c of columns) differentiated[c] = 1;

  const u = new Float64Array(n);
  const du = new Float64Array(n);
  const unit = new Float64Array(n);
  const rows = new UnitVjpRows(model.vjp, n, np);
  const pRow = new Float64Array(np);
  let vjpCalls = 0;
  // q is the solve's working copy of p: events may switch entries of it that are not
  // differentiated (infusion rates, read by the model as inputs of time), and the right-hand
  // side must see them.
  const rhs = (d: Float64Array, s: Float64Array, q: Float64Array, t: number): void => {
    for (let i = 0; i < n; i++) u[i] = s[i];
    model.f(du, u, q, t);
    for (let i = 0; i < n; i++) d[i] = du[i];
    for (let i = 0; i < n; i++) {
      rows.row(i, u, q, t); // rows.u = Jᵢ., rows.p = (∂f/∂p)ᵢ.
      vjpCalls++;
      const out = n + i * nc;
      for (let k = 0; k < nc; k++) d[out + k] = rows.p[columns[k]];
      for (let j = 0; j < n; j++) {
        const J = rows.u[j];
        if (J === 0) continue;
        const from = n + j * nc;
        for (let k = 0; k < nc; k++) d[out + k] += J * s[from + k];
      }
    }
  };

  // Events act on S through their pullback: S⁺ᵢ. = Σⱼ (∂g/∂u)ᵢⱼ S⁻ⱼ. + (∂g/∂p)ᵢ.
  const before = new Float64Array(n * nc);
  const crossEvent = (
    event: DifferentiableEvent,
    s: Float64Array,
    q: Float64Array,
    t: number,
  ): void => {
    const uBefore = s.slice(0, n);
    before.set(s.subarray(n));
    event.apply(s, q, t); // changes only the first n entries (the state)
    for (let i = 0; i < n; i++) {
      unit.fill(0);
      unit[i] = 1;
      pRow.fill(0);
      event.vjp(unit, uBefore, q, pRow, t); // unit ← row i of ∂g/∂u
      const out = n + i * nc;
      for (let k = 0; k < nc; k++) s[out + k] = pRow[columns[k]];
      for (let j = 0; j < n; j++) {
        const G = unit[j];
        if (G === 0) continue;
        for (let k = 0; k < nc; k++) s[out + k] += G * before[j * nc + k];
      }
    }
  };
  const crossings: EventCrossing[] = [];
  const start = new Float64Array(size);
  start.set(u0);
  if (spec.S0) start.set(spec.S0, n);
  const solution = solveOrThrow(
    odeProblem({
      f: rhs,
      u0: start,
      tspan: [t0, times[times.length - 1]],
      p,
      n: size,
      autonomous: model.autonomous,
    }),
    spec.settings,
    {
      saveat: times,
      events: recordingEvents(
        spec.events ?? [],
        crossings,
        n,
        crossEvent,
        (k) => !differentiated[k],
      ),
      dense: false,
    },
    'forward sensitivity solve',
  );
  return { solution, vjpCalls };
}

/** Forward sensitivities; writes dL/dp into `grad`. `S0` (n × np) is ∂u₀/∂p, or null for 0. */
export function forwardSensitivity(
  context: SensitivityContext,
  grad: Float64Array,
  S0: Float64Array | null = null,
): SensitivityResult {
  const { model, p, u0, t0, schedule } = context;
  const n = model.stateCount;
  const np = p.length;
  const times = schedule.times;
  const { solution, vjpCalls } = solveSensitivities({
    model,
    p,
    u0,
    S0,
    t0,
    times,
    events: context.events,
    settings: context.forward,
  });
  const scored = scoreObservations(
    schedule,
    (k) => solution.state(k).subarray(0, n),
    p,
    n,
    context.observation,
    context.error,
    true,
  );
  grad.set(scored.directGradient);
  for (let k = 0; k < times.length; k++) {
    const s = solution.state(k);
    for (let i = 0; i < n; i++) {
      const jump = scored.jumps[k * n + i];
      if (jump === 0) continue;
      const from = n + i * np;
      for (let q = 0; q < np; q++) grad[q] += jump * s[from + q];
    }
  }
  // ∂L/∂u₀ is not carried by forward sensitivities: the caller folds u₀(p) into S0.
  return {
    loss: scored.loss,
    lambda0: new Float64Array(n),
    counts: countsOf(solution, null, vjpCalls),
  };
}

/** What {@link stateSensitivities} takes. */
export interface StateSensitivityOptions {
  readonly u0: ArrayLike<number>;
  /** Output times, ascending; the solve runs from `t0` (default the first time) to the last. */
  readonly times: ArrayLike<number>;
  readonly t0?: number;
  /** Differentiable events (doses) at known times. */
  readonly events?: readonly DifferentiableEvent[];
  /** Solver and tolerances (default Tsit5, rtol 1e-8, atol 1e-10). */
  readonly method?: PassSettings['method'];
  readonly rtol?: number;
  readonly atol?: number;
  readonly maxSteps?: number;
  /** Entries of p to differentiate with respect to (default all); S then has these columns. */
  readonly columns?: Int32Array;
}

/**
 * u(t) and S(t) = ∂u(t)/∂p at the given times by forward sensitivities: `u` is K × n and `S` is
 * K × n × nc (row-major: S[(k·n + i)·nc + c] = ∂u_i(t_k)/∂p_{columns[c]}; nc = np and
 * columns[c] = c by default). For predictions whose
 * Jacobian with respect to a few parameters is needed (the η-conditional steps of population
 * fits): one augmented solve instead of two solves per parameter by differences.
 */
export function stateSensitivities(
  model: OdeModel,
  p: Float64Array,
  options: StateSensitivityOptions,
): { u: Float64Array; S: Float64Array } {
  const times = Float64Array.from(options.times);
  const n = model.stateCount;
  const nc = options.columns?.length ?? p.length;
  const { solution } = solveSensitivities({
    model,
    p,
    columns: options.columns,
    u0: options.u0,
    t0: options.t0 ?? times[0],
    times,
    events: options.events,
    settings: {
      method: options.method ?? 'Tsit5',
      rtol: options.rtol ?? 1e-8,
      atol: options.atol ?? 1e-10,
      maxSteps: options.maxSteps ?? 100000,
    },
  });
  const u = new Float64Array(times.length * n);
  const S = new Float64Array(times.length * n * nc);
  for (let k = 0; k < times.length; k++) {
    const state = solution.state(k);
    u.set(state.subarray(0, n), k * n);
    S.set(state.subarray(n), k * n * nc);
  }
  return { u, S };
}
