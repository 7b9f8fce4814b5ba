/**
 * The Arenstorf orbit: a periodic orbit of the restricted three-body problem (Earth, Moon,
 * satellite) with μ = 0.012277471, over one period T = 17.0652165601579625588917206249, after
 * which the state returns to its start (Hairer, Nørsett & Wanner, Solving ODEs I, II.0).
 */
import { odeProblem } from '../../src/core/ode-problem.ts';
import { references } from './references.ts';
import type { TestProblem } from './test-problem.ts';

/** The Arenstorf orbit over one period. */
export function arenstorf(): TestProblem {
  const mu = 0.012277471;
  const nu = 1 - mu;
  const problem = odeProblem({
    f: (du, y) => {
      const d1 = Math.pow((y[0] + mu) ** 2 + y[1] ** 2, 1.5);
      const d2 = Math.pow((y[0] - nu) ** 2 + y[1] ** 2, 1.5);
      du[0] = y[2];
      du[1] = y[3];
      du[2] = y[0] + 2 * y[3] - (nu * (y[0] + mu)) / d1 - (mu * (y[0] - nu)) / d2;
      du[3] = y[1] - 2 * y[2] - (nu * y[1]) / d1 - (mu * y[1]) / d2;
    },
    autonomous: true,
    u0: [0.994, 0, 0, -2.0015851063790824], // −2.00158510637908252240537862224 to double precision
    tspan: [0, 17.065216560157964], // T = 17.0652165601579625588917206249
  });
  return {
    name: 'Arenstorf orbit',
    stiff: false,
    problem,
    reference: Float64Array.from(references.arenstorf.values),
    referenceSource: references.arenstorf.source,
    // Components end at 0 (periodicity): compared absolutely below the orbit's scale, 1.
    floor: new Float64Array(4).fill(1),
  };
}
