/**
 * Lotka–Volterra predator–prey: u₁′ = αu₁ − βu₁u₂, u₂′ = δu₁u₂ − γu₂ with α = 1.5, β = 1,
 * γ = 3, δ = 1, u(0) = (1, 1), t ∈ [0, 10] (the DifferentialEquations.jl benchmark setting).
 */
import { odeProblem } from '../../src/core/ode-problem.ts';
import { references } from './references.ts';
import type { TestProblem } from './test-problem.ts';

/** Lotka–Volterra with its analytic Jacobian. */
export function lotkaVolterra(): TestProblem {
  const [alpha, beta, gamma, delta] = [1.5, 1, 3, 1];
  const problem = odeProblem({
    f: (du, u) => {
      du[0] = alpha * u[0] - beta * u[0] * u[1];
      du[1] = delta * u[0] * u[1] - gamma * u[1];
    },
    jac: (J, u) => {
      J[0] = alpha - beta * u[1];
      J[1] = -beta * u[0];
      J[2] = delta * u[1];
      J[3] = delta * u[0] - gamma;
    },
    autonomous: true,
    u0: [1, 1],
    tspan: [0, 10],
  });
  return {
    name: 'Lotka–Volterra',
    stiff: false,
    problem,
    reference: Float64Array.from(references.lotkaVolterra.values),
    referenceSource: references.lotkaVolterra.source,
    floor: new Float64Array([1e-10, 1e-10]),
  };
}
