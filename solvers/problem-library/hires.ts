/**
 * HIRES: "High Irradiance RESponse" of photomorphogenesis (Schäfer 1975), 8 stiff equations,
 * t ∈ [0, 321.8122] — problem HIRES of the IVP Test Set (F. Mazzia, C. Magherini, University of
 * Bari), whose reference solution is used here.
 */
import { odeProblem } from '../../src/core/ode-problem.ts';
import { references } from './references.ts';
import type { TestProblem } from './test-problem.ts';

/** HIRES with its analytic Jacobian. */
export function hires(): TestProblem {
  const problem = odeProblem({
    f: (du, y) => {
      du[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007;
      du[1] = 1.71 * y[0] - 8.75 * y[1];
      du[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4];
      du[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3];
      du[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6];
      du[5] = -280 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6];
      du[6] = 280 * y[5] * y[7] - 1.81 * y[6];
      du[7] = -280 * y[5] * y[7] + 1.81 * y[6];
    },
    jac: (J, y) => {
      J.fill(0);
      const set = (i: number, j: number, v: number): void => void (J[i * 8 + j] = v);
      set(0, 0, -1.71);
      set(0, 1, 0.43);
      set(0, 2, 8.32);
      set(1, 0, 1.71);
      set(1, 1, -8.75);
      set(2, 2, -10.03);
      set(2, 3, 0.43);
      set(2, 4, 0.035);
      set(3, 1, 8.32);
      set(3, 2, 1.71);
      set(3, 3, -1.12);
      set(4, 4, -1.745);
      set(4, 5, 0.43);
      set(4, 6, 0.43);
      set(5, 3, 0.69);
      set(5, 4, 1.71);
      set(5, 5, -0.43 - 280 * y[7]);
      set(5, 6, 0.69);
      set(5, 7, -280 * y[5]);
      set(6, 5, 280 * y[7]);
      set(6, 6, -1.81);
      set(6, 7, 280 * y[5]);
      set(7, 5, -280 * y[7]);
      set(7, 6, 1.81);
      set(7, 7, -280 * y[5]);
    },
    autonomous: true,
    u0: [1, 0, 0, 0, 0, 0, 0, 0.0057],
    tspan: [0, 321.8122],
  });
  return {
    name: 'HIRES',
    stiff: true,
    problem,
    reference: Float64Array.from(references.hires.values),
    referenceSource: references.hires.source,
    floor: new Float64Array(8).fill(1e-10),
  };
}
