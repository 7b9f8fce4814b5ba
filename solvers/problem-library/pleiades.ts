/**
 * Pleiades: seven stars in the plane under gravitation, masses mᵢ = i, t ∈ [0, 3] (problem PLEI
 * of the IVP Test Set; Hairer, Nørsett & Wanner, Solving ODEs I, II.10). State: 7 x, 7 y,
 * 7 ẋ, 7 ẏ.
 */
import { odeProblem } from '../../src/core/ode-problem.ts';
import { references } from './references.ts';
import type { TestProblem } from './test-problem.ts';

/** Pleiades (28 equations). */
export function pleiades(): TestProblem {
  const problem = odeProblem({
    f: (du, y) => {
      for (let i = 0; i < 7; i++) {
        du[i] = y[14 + i];
        du[7 + i] = y[21 + i];
        let ax = 0;
        let ay = 0;
        for (let j = 0; j < 7; j++) {
          if (j === i) continue;
          const dx = y[j] - y[i];
          const dy = y[7 + j] - y[7 + i];
          const r2 = dx * dx + dy * dy;
          const w = (j + 1) / (r2 * Math.sqrt(r2));
          ax += w * dx;
          ay += w * dy;
        }
        du[14 + i] = ax;
        du[21 + i] = ay;
      }
    },
    autonomous: true,
    u0: [
      3,
      3,
      -1,
      -3,
      2,
      -2,
      2, // x
      3,
      -3,
      2,
      0,
      0,
      -4,
      4, // y
      0,
      0,
      0,
      0,
      0,
      1.75,
      -1.5, // ẋ
      0,
      0,
      0,
      -1.25,
      1,
      0,
      0, // ẏ
    ],
    tspan: [0, 3],
  });
  return {
    name: 'Pleiades',
    stiff: false,
    problem,
    reference: Float64Array.from(references.pleiades.values),
    referenceSource: references.pleiades.source,
    floor: new Float64Array(28).fill(1e-3),
  };
}
