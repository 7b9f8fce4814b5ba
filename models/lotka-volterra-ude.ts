/**
 * Lotka–Volterra as a universal differential equation: the known growth and decay terms plus a
 * network for the missing predator–prey interaction (the UDE benchmark of Rackauckas et al.,
 * "Universal Differential Equations for Scientific Machine Learning", 2020):
 *
 *   du₁/dt =  α·u₁ + nn(u₁, u₂)[1]          (truth: −β·u₁·u₂)
 *   du₂/dt = −δ·u₂ + nn(u₁, u₂)[2]          (truth:  γ·u₁·u₂)
 */
import { expressionModel, type ExpressionModel } from '../src/expressions/expression-model.ts';
import { odeProblem } from '../src/core/ode-problem.ts';
import { chain } from '../src/nn/chain.ts';
import { dense } from '../src/nn/dense.ts';
import { solve } from '../solvers/solve.ts';
import { scalar } from '../src/parameters/layout.ts';

/** The parameters of the reference problem. */
export const LOTKA_VOLTERRA_TRUTH = {
  alpha: 1.3,
  beta: 0.9,
  gamma: 0.8,
  delta: 1.8,
  u0: [0.44249296, 4.6280594] as const,
  tspan: [0, 5] as const,
};

/** The full mechanistic model (α, β, γ, δ as parameters). */
export function lotkaVolterraModel(): ExpressionModel {
  const { alpha, beta, gamma, delta } = LOTKA_VOLTERRA_TRUTH;
  return expressionModel({
    states: ['u1', 'u2'],
    parameters: { alpha, beta, gamma, delta },
    equations: { u1: 'alpha*u1 - beta*u1*u2', u2: 'gamma*u1*u2 - delta*u2' },
  });
}

/**
 * The noise-free reference trajectory at `times` (times × 2, row-major), solved with Vern7 at
 * rtol = atol = 1e-12: the data of the UDE example, tests and benchmark. `u0` starts it
 * elsewhere (default: the reference initial state).
 */
export function lotkaVolterraTrajectory(
  times: readonly number[],
  u0: readonly number[] = LOTKA_VOLTERRA_TRUTH.u0,
): Float64Array {
  const model = lotkaVolterraModel();
  const { tspan } = LOTKA_VOLTERRA_TRUTH;
  const solution = solve(
    odeProblem({ f: model.f, u0, tspan, p: model.initialParameters() }),
    'Vern7',
    { rtol: 1e-12, atol: 1e-12, saveat: times },
  ).assertSuccess();
  return solution.u;
}

/**
 * The UDE: α and δ known (frozen in the layout), the interaction learned by a 2–5–5–5–2
 * network with rbf activations exp(−x²) (`hidden` and `activation` can be changed).
 */
export function lotkaVolterraUde(
  options: { hidden?: number; activation?: 'rbf' | 'tanh' } = {},
): ExpressionModel {
  const width = options.hidden ?? 5;
  const act = options.activation ?? 'rbf';
  const { alpha, delta } = LOTKA_VOLTERRA_TRUTH;
  return expressionModel({
    states: ['u1', 'u2'],
    parameters: { alpha: scalar(alpha, { frozen: true }), delta: scalar(delta, { frozen: true }) },
    terms: { nn: chain(2, dense(width, act), dense(width, act), dense(width, act), dense(2)) },
    equations: { u1: 'alpha*u1 + nn(u1, u2)[1]', u2: '-delta*u2 + nn(u1, u2)[2]' },
  });
}
