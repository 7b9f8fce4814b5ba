/**
 * Robertson's chemical kinetics (ROBER of the IVP Test Set): three species, rate constants
 * 0.04, 3·10⁷, 10⁴; stiff over 11 decades of time. End time 10⁵ (used in many benchmarks) or
 * 10¹¹ (the test set's), with their references.
 */
import { odeProblem } from '../../src/core/ode-problem.ts';
import { references } from './references.ts';
import type { TestProblem } from './test-problem.ts';

/** Robertson to t = 10⁵ or 10¹¹, with the analytic Jacobian. */
export function robertson(end: 1e5 | 1e11 = 1e11): TestProblem {
  const problem = odeProblem({
    f: (du, y) => {
      du[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
      du[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1];
      du[2] = 3e7 * y[1] * y[1];
    },
    jac: (J, y) => {
      J[0] = -0.04;
      J[1] = 1e4 * y[2];
      J[2] = 1e4 * y[1];
      J[3] = 0.04;
      J[4] = -1e4 * y[2] - 6e7 * y[1];
      J[5] = -1e4 * y[1];
      J[6] = 0;
      J[7] = 6e7 * y[1];
      J[8] = 0;
    },
    autonomous: true,
    u0: [1, 0, 0],
    tspan: [0, end],
    stateNames: ['y1', 'y2', 'y3'],
  });
  const ref = end === 1e5 ? references.robertson1e5 : references.robertson1e11;
  return {
    name: end === 1e5 ? 'Robertson (t = 1e5)' : 'Robertson (t = 1e11)',
    stiff: true,
    problem,
    reference: Float64Array.from(ref.values),
    referenceSource: ref.source,
    // y2 lives around 1e-13…1e-5: compared relatively down to 1e-20.
    floor: new Float64Array([1e-20, 1e-20, 1e-20]),
  };
}
