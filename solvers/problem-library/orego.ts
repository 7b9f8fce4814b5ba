/**
 * OREGO: the Oregonator model of the Belousov–Zhabotinskii reaction (Field & Noyes), 3 stiff
 * equations with a periodic solution, t ∈ [0, 360] — problem OREGO of the IVP Test Set.
 */
import { odeProblem } from '../../src/core/ode-problem.ts';
import { references } from './references.ts';
import type { TestProblem } from './test-problem.ts';

/** OREGO with its analytic Jacobian. */
export function orego(): TestProblem {
  const s = 77.27;
  const w = 0.161;
  const q = 8.375e-6;
  const problem = odeProblem({
    f: (du, y) => {
      du[0] = s * (y[1] + y[0] * (1 - q * y[0] - y[1]));
      du[1] = (y[2] - (1 + y[0]) * y[1]) / s;
      du[2] = w * (y[0] - y[2]);
    },
    jac: (J, y) => {
      J[0] = s * (1 - 2 * q * y[0] - y[1]);
      J[1] = s * (1 - y[0]);
      J[2] = 0;
      J[3] = -y[1] / s;
      J[4] = -(1 + y[0]) / s;
      J[5] = 1 / s;
      J[6] = w;
      J[7] = 0;
      J[8] = -w;
    },
    autonomous: true,
    u0: [1, 2, 3],
    tspan: [0, 360],
  });
  return {
    name: 'OREGO',
    stiff: true,
    problem,
    reference: Float64Array.from(references.orego.values),
    referenceSource: references.orego.source,
    floor: new Float64Array([1e-8, 1e-8, 1e-8]),
  };
}
