/**
 * Interpolating adjoint: the backward solve carries λ and μ (n + np states),
 * dλ/dt = −(∂f/∂u)ᵀλ, dμ/dt = −(∂f/∂p)ᵀλ, μ(T) = 0, with u(t) from the forward dense output;
 * μ(t₀) is the parameter gradient. The parameter integral is under the solver's error control.
 */
import { UnitVjpRows } from '../../src/model/ode-model.ts';
import { odeProblem } from '../../src/core/ode-problem.ts';
import {
  adjointForwardPass,
  countsOf,
  type SensitivityContext,
  type SensitivityResult,
} from './context.ts';
import { ForwardState } from './adjoint-dynamics.ts';
import { solveOrThrow } from './forward-pass.ts';
import { reverseEvents } from './reverse-events.ts';

/** Interpolating adjoint; writes dL/dp into `grad`. */
export function interpolatingAdjoint(
  context: SensitivityContext,
  grad: Float64Array,
): SensitivityResult {
  const { model, p, t0, schedule } = context;
  const n = model.stateCount;
  const np = p.length;
  const size = n + np;
  const { solution, scored, crossings } = adjointForwardPass(context, true);

  const forwardState = new ForwardState(solution);
  const lam = new Float64Array(n);
  const uBar = new Float64Array(n);
  const pBar = new Float64Array(np);
  const rows = new UnitVjpRows(model.vjp, n, np);
  let vjpCalls = 0;

  const rhs = (d: Float64Array, s: Float64Array, _q: Float64Array, t: number): void => {
    for (let i = 0; i < n; i++) lam[i] = s[i];
    pBar.fill(0);
    model.vjp(lam, forwardState.at(t), p, t, uBar, pBar);
    vjpCalls++;
    for (let i = 0; i < n; i++) d[i] = -uBar[i];
    for (let k = 0; k < np; k++) d[n + k] = -pBar[k];
  };
  // [[−Jᵀ, 0], [−(∂f/∂p)ᵀ, 0]], row i of J and of ∂f/∂p from the VJP with λ = eᵢ.
  const jac = (J: Float64Array, _s: Float64Array, _q: Float64Array, t: number): void => {
    J.fill(0);
    const ut = forwardState.at(t);
    for (let i = 0; i < n; i++) {
      rows.row(i, ut, p, t);
      for (let j = 0; j < n; j++) J[j * size + i] = -rows.u[j];
      for (let k = 0; k < np; k++) J[(n + k) * size + i] = -rows.p[k];
    }
  };
  const events = reverseEvents(schedule.times, crossings, {
    observation(state, k) {
      for (let i = 0; i < n; i++) state[i] += scored.jumps[k * n + i];
    },
    crossing(state, c) {
      const l = state.slice(0, n);
      c.event.vjp(l, c.uBefore, p, state.subarray(n), c.time);
      state.set(l);
      forwardState.crossedAt = c.time;
    },
  });
  const T = schedule.times[schedule.times.length - 1];
  const backward = solveOrThrow(
    odeProblem({
      f: rhs,
      u0: new Float64Array(size),
      tspan: [T, t0],
      n: size,
      jac,
      autonomous: false,
    }),
    context.backward,
    { events, dense: false, saveat: Float64Array.of(t0) },
    'backward (adjoint) solve',
  );
  const final = backward.final;
  for (let k = 0; k < np; k++) grad[k] = scored.directGradient[k] + final[n + k];
  return {
    loss: scored.loss,
    lambda0: final.slice(0, n),
    counts: countsOf(solution, backward, vjpCalls),
  };
}
