/**
 * Backsolve adjoint: the backward solve carries the state too — [u, λ, μ] (2n + np states) —
 * re-integrating u backwards instead of storing a dense forward solution. u is reset to the
 * stored forward value at every observation and event, which bounds the drift of the reverse
 * integration (unstable for strongly dissipative systems: prefer the other adjoints there).
 */
import { odeProblem } from '../problem.ts';
import { adjointForwardPass, type SensitivityContext, type SensitivityResult } from './context.ts';
import { solveOrThrow } from './forward-pass.ts';
import { reverseEvents } from './reverse-events.ts';

/** Backsolve adjoint; writes dL/dp into `grad`. */
export function backsolveAdjoint(
  context: SensitivityContext,
  grad: Float64Array,
): SensitivityResult {
  const { model, p, t0, schedule } = context;
  const n = model.stateCount;
  const np = p.length;
  const size = 2 * n + np;
  const { solution, scored, crossings } = adjointForwardPass(context, false);

  const u = new Float64Array(n);
  const du = new Float64Array(n);
  const lam = new Float64Array(n);
  const uBar = new Float64Array(n);
  const pBar = new Float64Array(np);
  let vjpCalls = 0;
  const rhs = (d: Float64Array, s: Float64Array, _q: Float64Array, t: number): void => {
    for (let i = 0; i < n; i++) {
      u[i] = s[i];
      lam[i] = s[n + i];
    }
    model.f(du, u, p, t);
    pBar.fill(0);
    model.vjp(lam, u, p, t, uBar, pBar);
    vjpCalls++;
    for (let i = 0; i < n; i++) {
      d[i] = du[i];
      d[n + i] = -uBar[i];
    }
    for (let k = 0; k < np; k++) d[2 * n + k] = -pBar[k];
  };
  const events = reverseEvents(schedule.times, crossings, {
    observation(state, k) {
      state.set(solution.state(k), 0); // back onto the stored forward trajectory
      for (let i = 0; i < n; i++) state[n + i] += scored.jumps[k * n + i];
    },
    crossing(state, c) {
      const l = state.slice(n, 2 * n);
      c.event.vjp(l, c.uBefore, p, state.subarray(2 * n), c.time);
      state.set(l, n);
      state.set(c.uBefore, 0);
    },
  });
  const T = schedule.times[schedule.times.length - 1];
  const start = new Float64Array(size);
  const backward = solveOrThrow(
    odeProblem({ f: rhs, u0: start, tspan: [T, t0], n: size, autonomous: model.autonomous }),
    context.backward,
    { events, dense: false, saveat: Float64Array.of(t0) },
    'backward (backsolve adjoint) solve',
  );
  const final = backward.final;
  for (let k = 0; k < np; k++) grad[k] = scored.directGradient[k] + final[2 * n + k];
  return {
    loss: scored.loss,
    lambda0: final.slice(n, 2 * n),
    counts: {
      forwardRhsCalls: solution.stats.rhsCalls,
      forwardSteps: solution.stats.acceptedSteps,
      backwardRhsCalls: backward.stats.rhsCalls,
      backwardSteps: backward.stats.acceptedSteps,
      vjpCalls,
    },
  };
}
