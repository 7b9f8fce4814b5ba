/**
 * The forward pass every sensitivity method starts from: solve (landing exactly on the
 * observation times, recording the state each event saw), then score the observations and
 * collect the cotangents the reverse pass needs — ∂L/∂u at each observation time and ∂L/∂p
 * from the observation function and the error model.
 */
import { ScichainError } from '../../src/core/errors.ts';
import type { ObservationError } from '../../src/losses/observation-error.ts';
import type { Observation } from '../../src/model/observation.ts';
import type { TimedEvent } from '../options.ts';
import type { OdeProblem } from '../../src/core/ode-problem.ts';
import { solve, type MethodName } from '../solve.ts';
import type { OdeSolution } from '../solution.ts';
import type { DifferentiableEvent } from './events.ts';

/** What an event saw when the forward pass crossed it. */
export interface EventCrossing {
  readonly event: DifferentiableEvent;
  readonly time: number;
  /** State just before this event (after earlier events at the same time). */
  readonly uBefore: Float64Array;
}

/** Observations grouped by distinct time. */
export interface ObservationSchedule {
  /** Distinct observation times, ascending. */
  readonly times: Float64Array;
  /** For each distinct time, the data rows observed then. */
  readonly rows: readonly (readonly number[])[];
  /** Observed values, m per data row (NaN = missing). */
  readonly values: Float64Array;
  readonly m: number;
}

/** Solver settings of one pass. */
export interface PassSettings {
  readonly method: MethodName;
  readonly rtol: number;
  readonly atol: number;
  readonly maxSteps: number;
}

/**
 * Wraps events so that each crossing records the state just before it, and checks that no
 * event changes p (the sensitivity methods hold p constant over the span). `n` is the number
 * of model states at the front of the (possibly augmented) state. `mayChange(k)` exempts entries
 * of p: forward sensitivities allow events to switch entries they do not differentiate
 * (infusion rates), since their right-hand side reads the solve's working p.
 */
export function recordingEvents(
  events: readonly DifferentiableEvent[],
  crossings: EventCrossing[],
  n: number,
  apply: (event: DifferentiableEvent, u: Float64Array, p: Float64Array, t: number) => void = (
    e,
    u,
    p,
    t,
  ) => e.apply(u, p, t),
  mayChange: (k: number) => boolean = () => false,
): TimedEvent[] {
  return events.map((event) => ({
    time: event.time,
    name: event.name ?? `event at t = ${event.time}`,
    apply(u: Float64Array, p: Float64Array, t: number) {
      const uBefore = u.slice(0, n);
      const pBefore = p.slice();
      apply(event, u, p, t);
      for (let k = 0; k < p.length; k++) {
        if (!Object.is(p[k], pBefore[k]) && !mayChange(k)) {
          throw new ScichainError(
            'InvalidArgument',
            `event ${event.name ?? `at t = ${t}`} changed p[${k}]; sensitivities need p constant over the span (make a switching rate an input of time in the right-hand side)`,
          );
        }
      }
      crossings.push({ event, time: t, uBefore });
    },
  }));
}

/** Solves a (model or augmented) problem, throwing with the solver's message on failure. */
export function solveOrThrow(
  problem: OdeProblem,
  settings: PassSettings,
  options: { saveat?: Float64Array; events?: readonly TimedEvent[]; dense: boolean },
  what: string,
): OdeSolution {
  const solution = solve(problem, settings.method, {
    rtol: settings.rtol,
    atol: settings.atol,
    maxSteps: settings.maxSteps,
    dense: options.dense,
    ...(options.saveat ? { saveat: options.saveat, tstops: options.saveat } : {}),
    ...(options.events ? { events: options.events } : {}),
  });
  if (!solution.success) {
    throw new ScichainError(
      'SolverFailed',
      `the ${what} failed (${solution.retcode}): ${solution.message}`,
    );
  }
  return solution;
}

/** Loss and the cotangents of a scored forward solution. */
export interface Scored {
  readonly loss: number;
  /** ∂L/∂u(tₖ) per distinct observation time (row-major, times × n); empty without gradient. */
  readonly jumps: Float64Array;
  /** ∂L/∂p through the observation function and error model (not through the ODE). */
  readonly directGradient: Float64Array;
}

/** Scores the observations; `stateAt(k)` is the model state at the k-th distinct time. */
export function scoreObservations(
  schedule: ObservationSchedule,
  stateAt: (k: number) => Float64Array,
  p: Float64Array,
  n: number,
  observation: Observation,
  error: ObservationError,
  withGradient: boolean,
): Scored {
  const m = schedule.m;
  const h = new Float64Array(m);
  const hBar = new Float64Array(m);
  const uBar = new Float64Array(n);
  const jumps = new Float64Array(withGradient ? schedule.times.length * n : 0);
  const directGradient = new Float64Array(withGradient ? p.length : 0);
  let loss = 0;
  for (let k = 0; k < schedule.times.length; k++) {
    const time = schedule.times[k];
    const u = stateAt(k);
    observation.value(h, u, p, time);
    for (const row of schedule.rows[k]) {
      const y = schedule.values.subarray(row * m, (row + 1) * m);
      loss += error.evaluate(h, y, p, time, hBar, withGradient ? directGradient : null);
      if (!Number.isFinite(loss)) {
        throw new ScichainError(
          'NonFinite',
          `the loss became ${loss} at t = ${time} (observation row ${row}; predictions ${Array.from(h).join(', ')})`,
        );
      }
      if (withGradient) {
        observation.vjp(hBar, u, p, time, uBar, directGradient);
        for (let i = 0; i < n; i++) jumps[k * n + i] += uBar[i];
      }
    }
  }
  return { loss, jumps, directGradient };
}
