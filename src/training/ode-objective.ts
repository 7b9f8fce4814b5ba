/**
 * A loss over an ODE solution and its gradient with respect to every entry of p:
 *
 *   const objective = odeObjective({ model, u0, data: { times, values }, sensitivity: 'quadrature' });
 *   const loss = objective.valueAndGradient(p, grad);  // or minimize(objective, p)
 *
 * The loss compares an observation function of the state (default: every state) with data at
 * arbitrary times, by sum of squares or a Gaussian likelihood (see `ObservationError`). Doses and
 * other state jumps at known times are events, crossed in reverse by the adjoints.
 */
import { ScichainError, requireName } from '../core/errors.ts';
import type { Objective, ValueAndGradient } from '../core/objective.ts';
import { ObservationError, type ErrorModelSpec } from '../losses/observation-error.ts';
import type { OdeModel } from '../model/ode-model.ts';
import { observeStates, type Observation } from '../model/observation.ts';
import { checkMethodName, type MethodName } from '../../solvers/solve.ts';
import { backsolveAdjoint } from '../../solvers/sensitivity/adjoint-backsolve.ts';
import { interpolatingAdjoint } from '../../solvers/sensitivity/adjoint-interpolating.ts';
import { quadratureAdjoint } from '../../solvers/sensitivity/adjoint-quadrature.ts';
import {
  modelProblem,
  type SensitivityContext,
  type SensitivityCounts,
  type SensitivityMethodFunction,
} from '../../solvers/sensitivity/context.ts';
import type { DifferentiableEvent } from '../../solvers/sensitivity/events.ts';
import type { ObservationSchedule, PassSettings } from '../../solvers/sensitivity/forward-pass.ts';
import { forwardSensitivity } from '../../solvers/sensitivity/forward-sensitivity.ts';
import { scoreObservations, solveOrThrow } from '../../solvers/sensitivity/forward-pass.ts';

/** How gradients are computed. */
export type SensitivityMethod = 'quadrature' | 'interpolating' | 'backsolve' | 'forward';

/** An initial state that depends on p, with its pullback. */
export interface InitialState {
  value(out: Float64Array, p: Float64Array): void;
  /** Accumulates (∂u₀/∂p)ᵀλ₀ into pBar. */
  vjp(lambda0: Float64Array, p: Float64Array, pBar: Float64Array): void;
}

/** Observations: K times and a K × m row-major table of values (NaN = not observed). */
export interface ObservationData {
  readonly times: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/** What {@link odeObjective} takes. */
export interface OdeObjectiveSpec {
  readonly model: OdeModel;
  /** Initial state: fixed values, or a function of p with its pullback. */
  readonly u0: ArrayLike<number> | InitialState;
  /** Start time (default 0); the solve ends at the last observation. */
  readonly t0?: number;
  readonly data: ObservationData;
  /** What is observed: an observation function, or state indices (default: every state). */
  readonly observe?: Observation | readonly number[];
  /** Error model(s), one for all outputs or one per output (default 'sse'). */
  readonly error?: ErrorModelSpec | readonly ErrorModelSpec[];
  /** Doses and other state jumps at known times. */
  readonly events?: readonly DifferentiableEvent[];
  /** Solver of the forward pass (default Tsit5) and tolerances (default 1e-6, 1e-8). */
  readonly method?: MethodName;
  readonly rtol?: number;
  readonly atol?: number;
  readonly maxSteps?: number;
  /** Gradient method (default 'quadrature'). */
  readonly sensitivity?: SensitivityMethod;
  /** Solver of the backward pass (default: the forward settings) and quadrature nodes per step. */
  readonly adjoint?: {
    readonly method?: MethodName;
    readonly rtol?: number;
    readonly atol?: number;
    readonly quadratureNodes?: number;
  };
}

const METHODS: Readonly<Record<SensitivityMethod, SensitivityMethodFunction>> = {
  quadrature: quadratureAdjoint,
  interpolating: interpolatingAdjoint,
  backsolve: backsolveAdjoint,
  forward: (context, grad) => forwardSensitivity(context, grad),
};

/** Gauss–Legendre nodes matching a method's order: k nodes are exact to degree 2k − 1. */
function defaultNodes(method: MethodName): number {
  const order: Partial<Record<MethodName, number>> = {
    Vern7: 7,
    BS3: 3,
    Rosenbrock23: 3,
    Euler: 1,
    RK4: 4,
  };
  return Math.max(1, Math.ceil(((order[method] ?? 5) + 1) / 2));
}

/** Loss and gradient of an ODE model against observations; see {@link odeObjective}. */
export class OdeObjective implements Objective<Float64Array> {
  readonly model: OdeModel;
  readonly observation: Observation;
  readonly sensitivity: SensitivityMethod;
  /** Length of p. */
  readonly paramCount: number;
  /** Work of the last evaluation. */
  lastCounts: SensitivityCounts | null = null;
  /** Solves that failed inside {@link OdeObjective.valueAndGradient} (returned as +∞). */
  solverFailures = 0;
  /** Message of the last such failure. */
  lastSolverFailure: string | null = null;
  private readonly schedule: ObservationSchedule;
  private readonly error: ObservationError;
  private readonly events: readonly DifferentiableEvent[];
  private readonly initial: InitialState | Float64Array;
  private readonly t0: number;
  private readonly forward: PassSettings;
  private readonly backward: PassSettings;
  private readonly quadratureNodes: number;
  private readonly u0Buffer: Float64Array;

  constructor(spec: OdeObjectiveSpec) {
    const model = spec.model;
    const n = model.stateCount;
    this.model = model;
    this.paramCount = model.paramCount;
    this.t0 = spec.t0 ?? 0;
    if (!Number.isFinite(this.t0)) throw new ScichainError('NonFinite', `t0 is ${this.t0}`);
    if (typeof (spec.u0 as InitialState).value === 'function') {
      this.initial = spec.u0 as InitialState;
    } else {
      const u0 = Float64Array.from(spec.u0 as ArrayLike<number>);
      if (u0.length !== n) {
        throw new ScichainError(
          'ShapeMismatch',
          `u0 has ${u0.length} entries but the model has ${n} states`,
        );
      }
      u0.forEach((v, i) => {
        if (!Number.isFinite(v))
          throw new ScichainError('NonFinite', `u0[${i}] (${model.stateNames[i]}) is ${v}`);
      });
      this.initial = u0;
    }
    this.u0Buffer = new Float64Array(n);
    const observe = spec.observe ?? Array.from({ length: n }, (_, i) => i);
    this.observation = Array.isArray(observe)
      ? observeStates(
          observe as number[],
          n,
          (observe as number[]).map((i) => model.stateNames[i] ?? `u${i + 1}`),
        )
      : (observe as Observation);
    this.schedule = buildSchedule(spec.data, this.observation, this.t0);
    this.error = new ObservationError(spec.error ?? 'sse', this.observation.names, model.layout);
    this.events = spec.events ?? [];
    this.events.forEach((e, i) => {
      if (typeof e.vjp !== 'function') {
        throw new ScichainError(
          'InvalidArgument',
          `event ${e.name ?? i} at t = ${e.time} has no vjp: the gradient cannot cross it (use bolus(…) or write its pullback)`,
        );
      }
    });
    // Names are checked here, before any solve (`in` would also accept 'toString').
    this.sensitivity = requireName(
      spec.sensitivity ?? 'quadrature',
      Object.keys(METHODS) as SensitivityMethod[],
      'sensitivity method',
    );
    this.forward = {
      method: spec.method ?? 'Tsit5',
      rtol: spec.rtol ?? 1e-6,
      atol: spec.atol ?? 1e-8,
      maxSteps: spec.maxSteps ?? 100_000,
    };
    const a = spec.adjoint ?? {};
    this.backward = {
      method: a.method ?? this.forward.method,
      rtol: a.rtol ?? this.forward.rtol,
      atol: a.atol ?? this.forward.atol,
      maxSteps: this.forward.maxSteps,
    };
    checkMethodName(this.forward.method, 'ODE method');
    checkMethodName(this.backward.method, 'adjoint ODE method');
    this.quadratureNodes = a.quadratureNodes ?? defaultNodes(this.backward.method);
  }

  /** Number of data rows. */
  get observationCount(): number {
    return this.schedule.rows.reduce((s, r) => s + r.length, 0);
  }

  private checkP(p: Float64Array): void {
    if (p.length !== this.paramCount) {
      throw new ScichainError(
        'ShapeMismatch',
        `p has ${p.length} entries but the model needs ${this.paramCount}`,
      );
    }
  }

  private u0(p: Float64Array): Float64Array {
    if (this.initial instanceof Float64Array) return this.initial;
    this.initial.value(this.u0Buffer, p);
    return this.u0Buffer;
  }

  private context(p: Float64Array): SensitivityContext {
    return {
      model: this.model,
      p,
      u0: this.u0(p),
      t0: this.t0,
      schedule: this.schedule,
      observation: this.observation,
      error: this.error,
      events: this.events,
      forward: this.forward,
      backward: this.backward,
      quadratureNodes: this.quadratureNodes,
    };
  }

  /** The loss at p (one forward solve). */
  loss(p: Float64Array): number {
    this.checkP(p);
    const times = this.schedule.times;
    const sol = solveOrThrow(
      modelProblem(this.model, p, this.u0(p), this.t0, times[times.length - 1]),
      this.forward,
      { saveat: times, events: this.events, dense: false },
      'forward solve',
    );
    const n = this.model.stateCount;
    return scoreObservations(
      this.schedule,
      (k) => sol.state(k),
      p,
      n,
      this.observation,
      this.error,
      false,
    ).loss;
  }

  /** The loss at p; writes dL/dp into `grad` (same layout as p); a failed solve throws. */
  private evaluate(p: Float64Array, grad: Float64Array): number {
    this.checkP(p);
    if (grad.length !== p.length) {
      throw new ScichainError(
        'ShapeMismatch',
        `gradient has ${grad.length} entries but p has ${p.length}`,
      );
    }
    const context = this.context(p);
    let result;
    if (this.sensitivity === 'forward' && !(this.initial instanceof Float64Array)) {
      // ∂u₀/∂p by rows: row i of S₀ from the initial state's pullback with λ₀ = eᵢ.
      const n = this.model.stateCount;
      const S0 = new Float64Array(n * p.length);
      const unit = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        unit.fill(0);
        unit[i] = 1;
        this.initial.vjp(unit, p, S0.subarray(i * p.length, (i + 1) * p.length));
      }
      result = forwardSensitivity(context, grad, S0);
    } else {
      result = METHODS[this.sensitivity](context, grad);
      if (!(this.initial instanceof Float64Array)) this.initial.vjp(result.lambda0, p, grad);
    }
    this.lastCounts = result.counts;
    return result.loss;
  }

  /**
   * The loss at p, with dL/dp written into `grad` (same layout as p): the objective in the
   * optimizers' form, bound, so `minimize(objective, p)` works. A trial point at which the model
   * cannot be solved (it blows up, the step size collapses) gives loss +∞ and a NaN gradient
   * instead of an exception, so an L-BFGS line search backs off from it; the failure is counted
   * in `solverFailures` and its message kept in `lastSolverFailure`. Other errors still throw.
   */
  readonly valueAndGradient: ValueAndGradient<Float64Array> = (p, grad) => {
    try {
      return this.evaluate(p, grad);
    } catch (error) {
      if (!(error instanceof ScichainError) || error.code !== 'SolverFailed') throw error;
      this.solverFailures++;
      this.lastSolverFailure = error.message;
      grad.fill(NaN);
      return Infinity;
    }
  };
}

function buildSchedule(
  data: ObservationData,
  observation: Observation,
  t0: number,
): ObservationSchedule {
  const m = observation.outputCount;
  const K = data.times.length;
  if (K === 0) throw new ScichainError('InvalidArgument', 'the data have no observation times');
  if (data.values.length !== K * m) {
    throw new ScichainError(
      'ShapeMismatch',
      `data values have ${data.values.length} entries but ${K} times × ${m} observed outputs (${observation.names.join(', ')}) = ${K * m} are needed`,
    );
  }
  const values = Float64Array.from(data.values);
  const order = Array.from({ length: K }, (_, i) => i);
  for (let r = 0; r < K; r++) {
    const t = data.times[r];
    if (!Number.isFinite(t))
      throw new ScichainError('NonFinite', `observation time of row ${r} is ${t}`);
    if (t < t0)
      throw new ScichainError(
        'InvalidArgument',
        `observation time of row ${r} (${t}) is before t0 = ${t0}`,
      );
    for (let j = 0; j < m; j++) {
      const v = values[r * m + j];
      if (!Number.isNaN(v) && !Number.isFinite(v)) {
        throw new ScichainError(
          'NonFinite',
          `observation row ${r}, output '${observation.names[j]}' is ${v}`,
        );
      }
    }
  }
  order.sort((a, b) => data.times[a] - data.times[b] || a - b);
  const times: number[] = [];
  const rows: number[][] = [];
  for (const r of order) {
    const t = data.times[r];
    if (times.length === 0 || times[times.length - 1] !== t) {
      times.push(t);
      rows.push([]);
    }
    rows[rows.length - 1].push(r);
  }
  if (times[times.length - 1] === t0) {
    throw new ScichainError(
      'InvalidArgument',
      `every observation is at t0 = ${t0}: there is nothing to integrate`,
    );
  }
  return { times: Float64Array.from(times), rows, values, m };
}

/** Builds an {@link OdeObjective}. */
export function odeObjective(spec: OdeObjectiveSpec): OdeObjective {
  return new OdeObjective(spec);
}
