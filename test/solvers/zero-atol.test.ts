// atol = 0 (pure relative control) with a state decaying into subnormal numbers (~1e-318): the
// error weight rtol·|u| underflowed to 0, the error ratio became 0/0, and the solve stopped with
// "the state or its derivative became non-finite" — a state that was finite all along. Error
// weights are now never below the smallest normal double, so the solve succeeds.
import { describe, expect, it } from 'vitest';
import { odeProblem, solve, type MethodName } from '../../src/index.ts';

const decay = odeProblem({
  f: (du, u) => void (du[0] = -u[0]),
  jac: (J) => void (J[0] = -1),
  u0: [1],
  tspan: [0, 800],
  autonomous: true,
});

describe('atol = 0 with a state decaying below the smallest normal double', () => {
  for (const method of [
    'Tsit5',
    'DP5',
    'Vern7',
    'BS3',
    'Rodas5P',
    'Rodas4',
    'Rosenbrock23',
    'auto',
  ] as MethodName[]) {
    it(`${method}: succeeds, relative accuracy while the state is normal, |u| ≤ 1e-307 at the end`, () => {
      const sol = solve(decay, method, {
        atol: 0,
        rtol: 1e-8,
        saveat: [50, 700, 800],
        maxSteps: 1e6,
      });
      expect(sol.message).toBe('');
      expect(sol.retcode).toBe('Success');
      expect(Math.abs(sol.u[0] / Math.exp(-50) - 1)).toBeLessThan(1e-4);
      // e^-700 ≈ 9.9e-305; global error grows over the span (Rosenbrock23 is second order)
      expect(Math.abs(sol.u[1] / Math.exp(-700) - 1)).toBeLessThan(5e-3);
      expect(Number.isFinite(sol.u[2])).toBe(true);
      expect(Math.abs(sol.u[2])).toBeLessThan(1e-307); // e^-800 underflows to 0
    });
  }

  it('a state that does turn non-finite is still named, with the time', () => {
    const p = odeProblem({
      f: (du, u, _p, t) => void (du[0] = t > 1 ? NaN : -u[0]),
      u0: [1],
      tspan: [0, 2],
      stateNames: ['amount'],
    });
    const sol = solve(p, 'Tsit5', { atol: 0 });
    expect(sol.retcode).toBe('Unstable');
    expect(sol.message).toMatch(
      /the state became non-finite near t = (0\.9999|1)[\d.]* \(u\[0\] \(amount\) = NaN in the trial step\) for every step size down to/,
    );
  });
});
