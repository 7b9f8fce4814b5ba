/**
 * The interface between the integration loop (`integrate.ts`) and a method: explicit Runge–Kutta
 * and Rosenbrock steppers implement it, and the loop does everything else (step-size control,
 * stops and events, saving, dense output, failures) once for all of them.
 */
import type { ReturnCode, SolverStats } from './return-code.ts';

/** A method bound to one problem, with its buffers allocated once. */
export interface Stepper {
  readonly name: string;
  /** Order of the solution. */
  readonly order: number;
  /** Order of the error estimate, or null for fixed-step methods. */
  readonly errorOrder: number | null;
  /** Floats in one step's dense-output record. */
  readonly recordLength: number;
  /** Order of the dense output. */
  readonly denseOrder: number;
  /**
   * Measures of the last attempt and step, in a typed array so that reading them allocates
   * nothing (a double returned from a call that is not inlined is boxed on the heap):
   * `[0]` the weighted RMS error estimate of the last `attempt` (≤ 1 acceptable; 0 for fixed-step
   * methods; NaN when a stage or the result is not finite), `[1]` an estimate of h·|λ| for the
   * dominant eigenvalue from the last accepted step (stiffness detection; NaN when unknown).
   */
  readonly measures: Float64Array;
  /**
   * One trial step from (t, u) of size h, read from `clock` = [t, h] (a typed array, like
   * `measures`, so no double is boxed on the way in): the candidate goes to `u1`, its error to
   * `measures[0]`.
   */
  attempt(clock: Float64Array, u: Float64Array, u1: Float64Array): void;
  /** The last attempt from (t, u) with clock = [t, h] was accepted: the state moves to u1. */
  accept(clock: Float64Array, u: Float64Array, u1: Float64Array): void;
  /** The state or the parameters changed outside the method (an event): drop cached stages. */
  invalidate(): void;
  /** Writes the accepted step's dense record (u, stages) into `store` at `offset` (before `accept`). */
  record(
    store: Float64Array,
    offset: number,
    clock: Float64Array,
    u: Float64Array,
    u1: Float64Array,
  ): void;
  /**
   * u(t + θh) from a record written by `record`, with `point` = [θ, h]. θ and h come in an
   * array, not as arguments: a double passed to a call V8 does not inline is boxed (a 16-byte
   * heap number), and the dense-output lookups of adjoint solves make this call per RHS call.
   */
  interpolate(store: Float64Array, offset: number, point: Float64Array, out: Float64Array): void;
  /** Shared work counters. */
  readonly stats: SolverStats;
  /**
   * Set when an attempt failed in a way no step size can fix (a singular iteration matrix);
   * `attempt` then reports NaN and the loop stops with this return code and message.
   */
  readonly failure: { readonly retcode: ReturnCode; readonly message: string } | null;
}
