/**
 * Quadrature (Gauss) adjoint — the default. The backward solve carries only λ (n states):
 * dλ/dt = −(∂f/∂u)ᵀλ with u(t) from the forward dense output. The parameter gradient
 * ∫ λᵀ∂f/∂p dt is then accumulated step by step with Gauss–Legendre quadrature on the two
 * dense outputs, so p's size never enters the backward solve's error control or linear algebra.
 */
import { odeProblem } from '../../src/core/ode-problem.ts';
import {
  adjointForwardPass,
  countsOf,
  type SensitivityContext,
  type SensitivityResult,
} from './context.ts';
import { AdjointDynamics, StepQuadrature } from './adjoint-dynamics.ts';
import { solveOrThrow } from './forward-pass.ts';
import { gaussLegendre } from './gauss-legendre.ts';
import { reverseEvents } from './reverse-events.ts';

/** Quadrature adjoint; writes dL/dp into `grad`. */
export function quadratureAdjoint(
  context: SensitivityContext,
  grad: Float64Array,
): SensitivityResult {
  const { model, p, t0, schedule } = context;
  const n = model.stateCount;
  const { solution, scored, crossings } = adjointForwardPass(context, true);
  grad.set(scored.directGradient);

  const dynamics = new AdjointDynamics(model, p, solution);
  const lam = new Float64Array(n);
  const events = reverseEvents(schedule.times, crossings, {
    observation(state, k) {
      for (let i = 0; i < n; i++) state[i] += scored.jumps[k * n + i];
    },
    crossing(state, c) {
      lam.set(state);
      c.event.vjp(lam, c.uBefore, p, grad, c.time);
      state.set(lam);
      dynamics.state.crossedAt = c.time;
    },
  });
  const T = schedule.times[schedule.times.length - 1];
  const backward = solveOrThrow(
    odeProblem({
      f: dynamics.rhs,
      u0: new Float64Array(n),
      tspan: [T, t0],
      n,
      jac: dynamics.jac,
      autonomous: false,
    }),
    context.backward,
    { events, dense: true },
    'backward (adjoint) solve',
  );

  // ∫ λᵀ∂f/∂p dt, step by step.
  const quadrature = new StepQuadrature(model, p, solution, gaussLegendre(context.quadratureNodes));
  for (let s = 0; s < backward.stepCount; s++) quadrature.step(backward, s, grad);
  return {
    loss: scored.loss,
    lambda0: backward.final.slice(),
    counts: countsOf(solution, backward, dynamics.vjpCalls + quadrature.vjpCalls),
  };
}
