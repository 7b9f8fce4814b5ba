/**
 * The result of a solve: saved times and states, a dense interpolant over the whole span (when
 * kept), the states just before and just after each event, work statistics and a return code.
 */
import { ScichainError } from '../src/core/errors.ts';
import { matrixView, type NdMatrix } from '../src/core/matrix.ts';
import type { ReturnCode, SolverStats } from './return-code.ts';
import type { Stepper } from './stepper.ts';

/** The state on both sides of an event. */
export interface EventRecord {
  readonly t: number;
  readonly before: Float64Array;
  readonly after: Float64Array;
}

/** Dense-output records of the accepted steps (internal layout, read through `OdeSolution.at`). */
export interface DenseRecords {
  readonly start: Float64Array;
  readonly h: Float64Array;
  readonly offset: Float64Array;
  /** Index into `steppers` of the method that took each step. */
  readonly stepper: Uint8Array;
  readonly records: Float64Array;
  readonly steppers: readonly Stepper[];
}

/** What a solve produced. */
export class OdeSolution {
  /** Saved times (in integration order). */
  readonly t: Float64Array;
  /** Saved states, row-major: state k is `u[k·n … k·n + n)`. */
  readonly u: Float64Array;
  readonly n: number;
  readonly retcode: ReturnCode;
  /** Why the solve stopped, with the time reached (empty on success). */
  readonly message: string;
  readonly stats: SolverStats;
  /** The method(s) used, e.g. `Tsit5` or `Tsit5 → Rodas5P`. */
  readonly method: string;
  readonly events: readonly EventRecord[];
  /** [θ, h] handed to the steppers' interpolation (see `Stepper.interpolate`). */
  private readonly interpolationPoint = new Float64Array(2);
  /** The time integration reached (tspan's end on success). */
  readonly tEnd: number;
  private readonly dense: DenseRecords | null;

  /** @internal Made by the solvers (`solve`), not by users. */
  constructor(fields: {
    t: Float64Array;
    u: Float64Array;
    n: number;
    retcode: ReturnCode;
    message: string;
    stats: SolverStats;
    method: string;
    events: EventRecord[];
    tEnd: number;
    dense: DenseRecords | null;
  }) {
    this.t = fields.t;
    this.u = fields.u;
    this.n = fields.n;
    this.retcode = fields.retcode;
    this.message = fields.message;
    this.stats = fields.stats;
    this.method = fields.method;
    this.events = fields.events;
    this.tEnd = fields.tEnd;
    this.dense = fields.dense;
  }

  /** Whether the solve reached the end of its span. */
  get success(): boolean {
    return this.retcode === 'Success';
  }

  /** Throws a `ScichainError` carrying the return code's message unless the solve succeeded. */
  assertSuccess(): this {
    if (!this.success)
      throw new ScichainError(
        'SolverFailed',
        `ODE solve failed (${this.retcode}): ${this.message}`,
      );
    return this;
  }

  /** Number of saved points. */
  get length(): number {
    return this.t.length;
  }

  /** Saved state k as a view (no copy). */
  state(k: number): Float64Array {
    if (!Number.isInteger(k) || k < 0 || k >= this.t.length) {
      throw new ScichainError(
        'InvalidArgument',
        `saved state index ${k} is out of range 0…${this.t.length - 1}`,
      );
    }
    return this.u.subarray(k * this.n, (k + 1) * this.n);
  }

  /** The last saved state (a view). */
  get final(): Float64Array {
    return this.state(this.t.length - 1);
  }

  /** The saved states as an `ndarray` view of shape [points, n] (no copy). */
  matrix(): NdMatrix {
    return matrixView(this.u, this.t.length, this.n);
  }

  /** Whether a dense interpolant was kept. */
  get hasDense(): boolean {
    return this.dense !== null;
  }

  /** Number of accepted steps in the dense record (0 without dense output). */
  get stepCount(): number {
    return this.dense === null ? 0 : this.dense.start.length;
  }

  /** Start time of dense step i. */
  stepStart(i: number): number {
    return this.dense!.start[i];
  }

  /** Signed size of dense step i (negative for backward integration). */
  stepSize(i: number): number {
    return this.dense!.h[i];
  }

  /** The state at stepStart(i) + θ·stepSize(i), θ ∈ [0, 1], from step i's interpolant. */
  interpolateStep(i: number, theta: number, out: Float64Array): Float64Array {
    const d = this.dense!;
    const point = this.interpolationPoint;
    point[0] = theta;
    point[1] = d.h[i];
    d.steppers[d.stepper[i]].interpolate(d.records, d.offset[i], point, out);
    return out;
  }

  /**
   * The state at any time in the integrated range by the method's own dense output. At an event
   * time the state after the event is returned, or the one before with `side: 'left'`. Times up
   * to 1e-5 (relative) beyond the ends extrapolate the end step; farther ones are an error.
   */
  at(
    time: number,
    out: Float64Array = new Float64Array(this.n),
    side: 'left' | 'right' = 'right',
  ): Float64Array {
    this.queryTime[0] = time;
    return this.atQueryTime(out, side);
  }

  /**
   * Time read by {@link atQueryTime}. Hot paths write the time here instead of passing it: a
   * double passed to a call V8 does not inline is boxed (16 bytes), and `at` is too large to
   * inline.
   */
  readonly queryTime = new Float64Array(1);

  /** {@link at} for the time in {@link queryTime}. */
  atQueryTime(out: Float64Array, side: 'left' | 'right' = 'right'): Float64Array {
    const time = this.queryTime[0];
    const d = this.dense;
    if (d === null) {
      throw new ScichainError(
        'InvalidState',
        'this solution kept no dense output (solve with dense: true, or without saveat)',
      );
    }
    const steps = d.start.length;
    if (steps === 0)
      throw new ScichainError('InvalidState', 'the solution has no steps to interpolate');
    const first = d.start[0];
    const last = d.start[steps - 1] + d.h[steps - 1];
    const dir = last >= first ? 1 : -1;
    // A sliver beyond the ends (the ε^⅓-sized probes of a stiff solver's ∂/∂t differences, when
    // an adjoint's right-hand side reads this solution) extrapolates the end step's polynomial.
    const slack = 1e-5 * Math.max(Math.abs(first), Math.abs(last), Math.abs(last - first));
    if (!Number.isFinite(time) || dir * (time - first) < -slack || dir * (time - last) > slack) {
      throw new ScichainError(
        'InvalidArgument',
        `time ${time} is outside the integrated range [${first}, ${last}]`,
      );
    }
    // Binary search for the step containing `time` (the last start at or before it, or strictly
    // before it for the left-hand limit).
    let lo = 0;
    let hi = steps - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const before =
        side === 'right' ? dir * (d.start[mid] - time) <= 0 : dir * (d.start[mid] - time) < 0;
      if (before) lo = mid;
      else hi = mid - 1;
    }
    const h = d.h[lo];
    const point = this.interpolationPoint;
    point[0] = h === 0 ? 0 : (time - d.start[lo]) / h;
    point[1] = h;
    d.steppers[d.stepper[lo]].interpolate(d.records, d.offset[lo], point, out);
    return out;
  }
}
