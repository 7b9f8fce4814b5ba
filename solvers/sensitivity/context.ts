/**
 * What every sensitivity method receives (the model, p, data and solver settings) and returns
 * (loss, ∂L/∂u₀ and work counts), plus the forward pass the three adjoints share.
 */
import type { ObservationError } from '../../src/losses/observation-error.ts';
import type { OdeModel } from '../../src/model/ode-model.ts';
import type { Observation } from '../../src/model/observation.ts';
import { odeProblem, type OdeProblem } from '../../src/core/ode-problem.ts';
import type { OdeSolution } from '../solution.ts';
import type { DifferentiableEvent } from './events.ts';
import {
  recordingEvents,
  scoreObservations,
  solveOrThrow,
  type EventCrossing,
  type ObservationSchedule,
  type PassSettings,
  type Scored,
} from './forward-pass.ts';

/** Inputs of one loss-and-gradient evaluation. */
export interface SensitivityContext {
  readonly model: OdeModel;
  readonly p: Float64Array;
  readonly u0: Float64Array;
  readonly t0: number;
  readonly schedule: ObservationSchedule;
  readonly observation: Observation;
  readonly error: ObservationError;
  readonly events: readonly DifferentiableEvent[];
  readonly forward: PassSettings;
  readonly backward: PassSettings;
  /** Gauss–Legendre nodes per backward step (quadrature adjoint). */
  readonly quadratureNodes: number;
}

/** Work done by one evaluation. */
export interface SensitivityCounts {
  forwardRhsCalls: number;
  forwardSteps: number;
  backwardRhsCalls: number;
  backwardSteps: number;
  /** Calls of the model's VJP (by the backward pass, the quadrature, or forward sensitivities). */
  vjpCalls: number;
}

/** Output of a sensitivity method; the gradient itself is written into the caller's array. */
export interface SensitivityResult {
  readonly loss: number;
  /** ∂L/∂u₀ (for initial states that depend on p). */
  readonly lambda0: Float64Array;
  readonly counts: SensitivityCounts;
}

/** A sensitivity method: writes dL/dp (without the u₀(p) part) into `grad`. */
export type SensitivityMethodFunction = (
  context: SensitivityContext,
  grad: Float64Array,
) => SensitivityResult;

/** The model's own initial value problem on [t₀, t₁] (Jacobian and ∂f/∂t when it has them). */
export function modelProblem(
  model: OdeModel,
  p: Float64Array,
  u0: Float64Array,
  t0: number,
  t1: number,
): OdeProblem {
  return odeProblem({
    f: model.f,
    u0,
    tspan: [t0, t1],
    p,
    n: model.stateCount,
    autonomous: model.autonomous,
    jac: model.jacobian,
    ...(model.tgrad ? { tgrad: model.tgrad } : {}),
  });
}

/** Work counts from the forward and (optional) backward solutions. */
export function countsOf(
  forward: OdeSolution,
  backward: OdeSolution | null,
  vjpCalls: number,
): SensitivityCounts {
  return {
    forwardRhsCalls: forward.stats.rhsCalls,
    forwardSteps: forward.stats.acceptedSteps,
    backwardRhsCalls: backward?.stats.rhsCalls ?? 0,
    backwardSteps: backward?.stats.acceptedSteps ?? 0,
    vjpCalls,
  };
}

/** The forward pass of the adjoint methods: plain model solve, then scoring. */
export function adjointForwardPass(
  context: SensitivityContext,
  dense: boolean,
): { solution: OdeSolution; scored: Scored; crossings: EventCrossing[] } {
  const { model, p, u0, t0, schedule } = context;
  const n = model.stateCount;
  const crossings: EventCrossing[] = [];
  const times = schedule.times;
  const solution = solveOrThrow(
    modelProblem(model, p, u0, t0, times[times.length - 1]),
    context.forward,
    { saveat: times, events: recordingEvents(context.events, crossings, n), dense },
    'forward solve',
  );
  const scored = scoreObservations(
    schedule,
    (k) => solution.state(k),
    p,
    n,
    context.observation,
    context.error,
    true,
  );
  return { solution, scored, crossings };
}
