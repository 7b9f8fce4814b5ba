/**
 * Backsolve adjoint: the backward solve carries the state too — [u, λ, μ] (2n + np states) —
 * re-integrating u backwards rather than reading it from the forward interpolant. Integrating a
 * dissipative system backwards is unstable (its decaying modes grow), so u is reset to the
 * stored forward value at every observation, every event and every forward step boundary
 * (checkpoints): the drift can grow over one forward step at most. That is what makes it work on
 * stiff problems; it still costs more than the interpolating and quadrature adjoints.
 */
import { ScichainError } from '../../src/core/errors.ts';
import { UnitVjpRows } from '../../src/model/ode-model.ts';
import { odeProblem } from '../../src/core/ode-problem.ts';
import {
  adjointForwardPass,
  countsOf,
  type SensitivityContext,
  type SensitivityResult,
} from './context.ts';
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
  const { solution, scored, crossings } = adjointForwardPass(context, true);

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
  // Jacobian of [f; −Jᵀλ; −(∂f/∂p)ᵀλ]: the λ- and μ-columns exactly (unit VJPs), the u-columns
  // of the adjoint rows — second derivatives — by central differences of the VJP (error ~ε^⅔;
  // a forward-difference Jacobian, ~√ε, is not accurate enough for Rosenbrock methods here).
  const rows = new UnitVjpRows(model.vjp, n, np);
  const uShift = new Float64Array(n);
  const barUp = new Float64Array(n);
  const pUp = new Float64Array(np);
  const jac = (J: Float64Array, s: Float64Array, _q: Float64Array, t: number): void => {
    J.fill(0);
    for (let i = 0; i < n; i++) {
      u[i] = s[i];
      lam[i] = s[n + i];
    }
    for (let i = 0; i < n; i++) {
      rows.row(i, u, p, t); // row i of ∂f/∂u and of ∂f/∂p
      for (let j = 0; j < n; j++) {
        J[i * size + j] = rows.u[j];
        J[(n + j) * size + n + i] = -rows.u[j];
      }
      for (let k = 0; k < np; k++) J[(2 * n + k) * size + n + i] = -rows.p[k];
    }
    for (let j = 0; j < n; j++) {
      const delta = 6e-6 * Math.max(Math.abs(u[j]), context.backward.atol, 1e-300);
      uShift.set(u);
      uShift[j] = u[j] + delta;
      pUp.fill(0);
      model.vjp(lam, uShift, p, t, barUp, pUp);
      const up = uShift[j];
      uShift[j] = u[j] - delta;
      pBar.fill(0);
      model.vjp(lam, uShift, p, t, uBar, pBar);
      const inv = 1 / (up - uShift[j]);
      for (let i = 0; i < n; i++) J[(n + i) * size + j] = -(barUp[i] - uBar[i]) * inv;
      for (let k = 0; k < np; k++) J[(2 * n + k) * size + j] = -(pUp[k] - pBar[k]) * inv;
    }
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
  // Checkpoints: the forward state at each step start (where no observation or event already
  // resets it).
  const taken = new Set<number>([...schedule.times, ...crossings.map((c) => c.time), t0]);
  for (let i = 0; i < solution.stepCount; i++) {
    const time = solution.stepStart(i);
    if (taken.has(time)) continue;
    taken.add(time);
    const step = i;
    events.push({
      time,
      name: `checkpoint at t = ${time}`,
      apply: (state) => {
        solution.interpolateStep(step, 0, u);
        state.set(u, 0);
      },
    });
  }
  const T = schedule.times[schedule.times.length - 1];
  const start = new Float64Array(size);
  let backward;
  try {
    backward = solveOrThrow(
      odeProblem({ f: rhs, u0: start, tspan: [T, t0], n: size, jac, autonomous: model.autonomous }),
      context.backward,
      { events, dense: false, saveat: Float64Array.of(t0) },
      'backward (backsolve adjoint) solve',
    );
  } catch (error) {
    // Backwards in time a stiff problem's decaying modes grow: re-integrating u is unstable
    // whatever the method, and the step size collapses. Say so, and what to use instead.
    if (error instanceof ScichainError && error.code === 'SolverFailed') {
      throw new ScichainError(
        'SolverFailed',
        `${error.message}. Backsolve re-integrates the state backwards, which is unstable for stiff problems (their decaying modes grow in reverse time); use sensitivity 'quadrature' or 'interpolating', which read u(t) from the forward solution`,
      );
    }
    throw error;
  }
  const final = backward.final;
  for (let k = 0; k < np; k++) grad[k] = scored.directGradient[k] + final[2 * n + k];
  return {
    loss: scored.loss,
    lambda0: final.slice(n, 2 * n),
    counts: countsOf(solution, backward, vjpCalls),
  };
}
