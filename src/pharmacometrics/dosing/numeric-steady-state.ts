/**
 * Steady state of any ODE model (linear or not) under a regimen, by brute force: integrate one
 * dosing interval after another with the ODE solver until the state at the start of an interval
 * stops changing.
 *
 * The interval is the window [t − II, t) before the steady-state record time t, with the
 * regimen's one-interval input (`periodic-input.ts`); the state at its end is fed back to its
 * start. Convergence is judged by the scaled change between consecutive intervals,
 * e = maxᵢ |xᵢ⁺ − xᵢ| / (atol + rtol·|xᵢ⁺|), corrected for slow contraction: with
 * ρ = e_k / e_{k−1} (capped at 0.99) the distance to the fixed point is about e·ρ/(1 − ρ), and
 * both e and that estimate must be ≤ 1. A constant infusion (II = 0) uses pseudo-intervals of
 * growing length (doubled while ρ > 1/2). Not converging within `maxIterations` intervals is an
 * error naming the dose row.
 *
 * For SS 2 the steady state of the regimen alone is computed (every infusion-rate parameter is
 * zeroed except the regimen's); the caller adds it to the current state — meaningful for linear
 * kinetics, as in NONMEM.
 */
import { ScichainError } from '../../core/errors.ts';
import type { TimedEvent } from '../../../solvers/options.ts';
import {
  odeProblem,
  type JacobianFunction,
  type RightHandSide,
  type TimeDerivative,
} from '../../core/ode-problem.ts';
import { solve, type MethodName } from '../../../solvers/solve.ts';
import { describeSteadyState } from './dose-schedule.ts';
import type { RateParameters } from './infusion-inputs.ts';
import type { PeriodicInput } from './periodic-input.ts';
import type { SteadyStateFunction } from './schedule-events.ts';

/** The model as the steady-state iteration needs it. */
export interface SteadyStateSystem {
  readonly f: RightHandSide;
  readonly stateCount: number;
  readonly jacobian?: JacobianFunction;
  readonly tgrad?: TimeDerivative;
  readonly autonomous?: boolean;
  /** Infusion inputs: CMT → index in p (see `infusion-inputs.ts`); needed for infusions. */
  readonly rateParameters?: RateParameters;
}

/** Options of the steady-state iteration. */
export interface NumericSteadyStateOptions {
  /** ODE method (default `Vern7`). */
  readonly method?: MethodName;
  /** Solver tolerances (defaults 1e-10 and 1e-12); keep them well below `tolerance`. */
  readonly rtol?: number;
  readonly atol?: number;
  /** Convergence tolerances on the interval-to-interval change (defaults 1e-8 and 1e-10). */
  readonly tolerance?: { readonly rtol?: number; readonly atol?: number };
  /** Most intervals integrated (default 1000). */
  readonly maxIterations?: number;
  /** First pseudo-interval length for a constant infusion (default 1 time unit). */
  readonly window?: number;
}

/** What the iteration found. */
export interface SteadyStateResult {
  /** The steady state at the record time, before the record's own dose. */
  readonly state: Float64Array;
  /** Intervals (or pseudo-intervals) integrated. */
  readonly iterations: number;
  /** Scaled change of the last interval (≤ 1 on convergence). */
  readonly change: number;
  /** Estimated contraction per interval (NaN when it could not be estimated). */
  readonly contraction: number;
}

const RHO_MAX = 0.99;

/**
 * The steady state of `system` with parameters `p` under the regimen `input`, iterating from
 * the state `start`.
 */
export function numericSteadyState(
  system: SteadyStateSystem,
  input: PeriodicInput,
  p: Float64Array,
  start: ArrayLike<number>,
  options: NumericSteadyStateOptions = {},
): SteadyStateResult {
  const dose = input.dose;
  const what = describeSteadyState(dose);
  const n = system.stateCount;
  if (start.length !== n) {
    throw new ScichainError(
      'ShapeMismatch',
      `${what}: start state has ${start.length} entries, the model ${n}`,
    );
  }
  const rtol = options.tolerance?.rtol ?? 1e-8;
  const atol = options.tolerance?.atol ?? 1e-10;
  const maxIterations = options.maxIterations ?? 1000;
  const method = options.method ?? 'Vern7';
  const solverOptions = { rtol: options.rtol ?? 1e-10, atol: options.atol ?? 1e-12 };

  // The regimen alone: every infusion input off, then the regimen's own.
  const base = Float64Array.from(p);
  for (const index of Object.values(system.rateParameters ?? {})) base[index] = 0;
  const infusion = input.period === 0 || input.pieceRate.length > 0;
  const rateIndex = system.rateParameters?.[dose.cmt];
  if (infusion && rateIndex === undefined) {
    throw new ScichainError(
      'InvalidArgument',
      `${what} is an infusion into CMT ${dose.cmt}, but the model has no infusion-rate parameter for it`,
    );
  }
  if (dose.cmt > n) {
    throw new ScichainError(
      'InvalidArgument',
      `${what}: CMT ${dose.cmt} but the model has ${n} states`,
    );
  }

  /** The state after one (pseudo-)interval of length `length` ending at the record time. */
  const flow = (x: Float64Array, length: number): Float64Array => {
    const t0 = dose.time - length;
    const u0 = Float64Array.from(x);
    const events: TimedEvent[] = [];
    const pStart = Float64Array.from(base);
    if (input.period === 0) {
      pStart[rateIndex!] = input.constantRate;
    } else if (infusion) {
      pStart[rateIndex!] = input.pieceRate[0];
      for (let j = 1; j < input.pieceRate.length; j++) {
        const rate = input.pieceRate[j];
        events.push({
          time: t0 + input.pieceStart[j],
          name: `${what}: infusion rate ${rate}`,
          apply: (_u, q) => {
            q[rateIndex!] = rate;
          },
        });
      }
    } else if (input.bolusAmount > 0) {
      const k = dose.cmt - 1;
      const amount = input.bolusAmount;
      if (input.bolusPhase === 0) u0[k] += amount;
      else {
        events.push({
          time: t0 + input.bolusPhase,
          name: `${what}: implied bolus`,
          apply: (u) => {
            u[k] += amount;
          },
        });
      }
    }
    const problem = odeProblem({
      f: system.f,
      u0,
      tspan: [t0, dose.time],
      p: pStart,
      ...(system.jacobian ? { jac: system.jacobian } : {}),
      ...(system.tgrad ? { tgrad: system.tgrad } : {}),
      ...(system.autonomous !== undefined ? { autonomous: system.autonomous } : {}),
    });
    const solution = solve(problem, method, { ...solverOptions, events, saveat: [dose.time] });
    if (!solution.success) {
      throw new ScichainError(
        'SolverFailed',
        `${what}: the ODE solve of a dosing interval failed (${solution.retcode}): ${solution.message}`,
      );
    }
    return Float64Array.from(solution.final);
  };

  const scaledChange = (a: Float64Array, b: Float64Array): number => {
    let e = 0;
    for (let i = 0; i < n; i++)
      e = Math.max(e, Math.abs(b[i] - a[i]) / (atol + rtol * Math.abs(b[i])));
    return e;
  };

  let x: Float64Array = Float64Array.from(start);
  let window = input.period > 0 ? input.period : (options.window ?? 1);
  if (!(window > 0) || !Number.isFinite(window)) {
    throw new ScichainError(
      'InvalidArgument',
      `${what}: window must be finite and > 0, got ${window}`,
    );
  }
  let previous = NaN; // scaled change of the previous interval of the same length
  let rho = NaN;
  let change = NaN;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const next = flow(x, window);
    change = scaledChange(x, next);
    x = next;
    if (change === 0) return { state: x, iterations: iteration, change, contraction: 0 };
    if (previous > 0) {
      rho = Math.min(change / previous, RHO_MAX);
      if (change <= 1 && (change * rho) / (1 - rho) <= 1) {
        return { state: x, iterations: iteration, change, contraction: rho };
      }
      if (input.period === 0 && rho > 0.5) {
        window *= 2; // pseudo-intervals: grow until one contracts well
        previous = NaN;
        continue;
      }
    }
    previous = change;
  }
  throw new ScichainError(
    'InvalidState',
    `${what}: the numeric steady state did not converge in ${maxIterations} intervals ` +
      `(last change ${change.toPrecision(3)} tolerance units, contraction ${rho.toPrecision(3)} per interval); ` +
      'raise maxIterations, loosen the tolerance, or use the analytic steady state of a closed-form model',
  );
}

/** One steady state computed by a {@link steadyStateByIteration} function. */
export interface SteadyStateReport extends SteadyStateResult {
  readonly row: number;
  readonly time: number;
}

/**
 * A steady-state function for `scheduleEvents` that iterates the model (the state at the event
 * is the starting guess); every result is appended to `reports` (iterations, final change).
 */
export function steadyStateByIteration(
  system: SteadyStateSystem,
  options: NumericSteadyStateOptions = {},
): SteadyStateFunction & { readonly reports: SteadyStateReport[] } {
  const reports: SteadyStateReport[] = [];
  const fn: SteadyStateFunction = (input, current, p) => {
    const result = numericSteadyState(system, input, p, current, options);
    reports.push({ ...result, row: input.dose.row, time: input.dose.time });
    return result.state;
  };
  return Object.assign(fn, { reports });
}
