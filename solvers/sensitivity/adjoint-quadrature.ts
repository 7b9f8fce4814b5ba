/**
 * Quadrature (Gauss) adjoint — the default. The backward solve carries only λ (n states):
 * dλ/dt = −(∂f/∂u)ᵀλ with u(t) from the forward dense output. The parameter gradient
 * ∫ λᵀ∂f/∂p dt is then accumulated step by step with Gauss–Legendre quadrature on the two
 * dense outputs, so p's size never enters the backward solve's error control or linear algebra.
 */
import { odeProblem } from '../problem.ts';
import {
  adjointForwardPass,
  countsOf,
  type SensitivityContext,
  type SensitivityResult,
} from './context.ts';
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

  const u = new Float64Array(n);
  const uBar = new Float64Array(n);
  const discard = new Float64Array(p.length);
  const Jm = new Float64Array(n * n);
  const lam = new Float64Array(n);
  let vjpCalls = 0;
  // After crossing an event backwards, evaluations at its time need the state before it.
  let crossedAt = NaN;
  const stateAt = (t: number): Float64Array =>
    solution.at(t, u, t === crossedAt ? 'left' : 'right');

  const rhs = (dl: Float64Array, l: Float64Array, _q: Float64Array, t: number): void => {
    model.vjp(l, stateAt(t), p, t, uBar, discard);
    vjpCalls++;
    for (let i = 0; i < n; i++) dl[i] = -uBar[i];
  };
  const jac = (J: Float64Array, _l: Float64Array, _q: Float64Array, t: number): void => {
    model.jacobian(Jm, stateAt(t), p, t);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) J[i * n + j] = -Jm[j * n + i];
  };
  const events = reverseEvents(schedule.times, crossings, {
    observation(state, k) {
      for (let i = 0; i < n; i++) state[i] += scored.jumps[k * n + i];
    },
    crossing(state, c) {
      lam.set(state);
      c.event.vjp(lam, c.uBefore, p, grad, c.time);
      state.set(lam);
      crossedAt = c.time;
    },
  });
  const T = schedule.times[schedule.times.length - 1];
  const backward = solveOrThrow(
    odeProblem({ f: rhs, u0: new Float64Array(n), tspan: [T, t0], n, jac, autonomous: false }),
    context.backward,
    { events, dense: true },
    'backward (adjoint) solve',
  );

  // ∫ λᵀ∂f/∂p dt, step by step: the nodes are interior, so no step straddles a jump.
  const rule = gaussLegendre(context.quadratureNodes);
  const weighted = new Float64Array(n);
  for (let s = 0; s < backward.stepCount; s++) {
    const h = backward.stepSize(s);
    const start = backward.stepStart(s);
    for (let q = 0; q < rule.nodes.length; q++) {
      const theta = rule.nodes[q];
      const tau = start + theta * h;
      backward.interpolateStep(s, theta, lam);
      solution.at(tau, u);
      const w = rule.weights[q] * Math.abs(h);
      for (let i = 0; i < n; i++) weighted[i] = w * lam[i];
      model.vjp(weighted, u, p, tau, uBar, grad);
      vjpCalls++;
    }
  }
  return {
    loss: scored.loss,
    lambda0: backward.final.slice(),
    counts: countsOf(solution, backward, vjpCalls),
  };
}
