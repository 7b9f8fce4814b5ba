/**
 * Van der Pol's oscillator in the stiff regime μ = 1000 (ε = 1/μ² = 10⁻⁶): problem VDPOL of the
 * IVP Test Set in its scaled form y₁′ = y₂, y₂′ = ((1 − y₁²)y₂ − y₁)/ε on [0, 2] from (2, 0) —
 * the same orbit as y″ − μ(1 − y²)y′ + y = 0 over t ∈ [0, 2μ] with time scaled by μ.
 */
import { odeProblem } from '../../src/core/ode-problem.ts';
import { references } from './references.ts';
import type { TestProblem } from './test-problem.ts';

/** VDPOL (μ = 1000) with its analytic Jacobian. */
export function vanDerPol(): TestProblem {
  const eps = 1e-6;
  const problem = odeProblem({
    f: (du, y) => {
      du[0] = y[1];
      du[1] = ((1 - y[0] * y[0]) * y[1] - y[0]) / eps;
    },
    jac: (J, y) => {
      J[0] = 0;
      J[1] = 1;
      J[2] = (-2 * y[0] * y[1] - 1) / eps;
      J[3] = (1 - y[0] * y[0]) / eps;
    },
    autonomous: true,
    u0: [2, 0],
    tspan: [0, 2],
  });
  return {
    name: 'Van der Pol (μ = 1000)',
    stiff: true,
    problem,
    reference: Float64Array.from(references.vanDerPol.values),
    referenceSource: references.vanDerPol.source,
    floor: new Float64Array([1e-8, 1e-8]),
  };
}
