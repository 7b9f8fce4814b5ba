// The automatic choice switches to the stiff method on a stiff problem and stays explicit on a
// non-stiff one; ODEX through the adapter agrees with the native methods.
import { describe, expect, it } from 'vitest';
import { odeProblem, solve } from '../../src/index.ts';
import { solveWithOdex } from '../../solvers/index.ts';

const robertson = odeProblem({
  f: (du, u) => {
    du[0] = -0.04 * u[0] + 1e4 * u[1] * u[2];
    du[1] = 0.04 * u[0] - 1e4 * u[1] * u[2] - 3e7 * u[1] * u[1];
    du[2] = 3e7 * u[1] * u[1];
  },
  u0: [1, 0, 0],
  tspan: [0, 1e5],
  autonomous: true,
});

const oscillator = odeProblem({
  f: (du, u) => {
    du[0] = u[1];
    du[1] = -u[0];
  },
  u0: [0, 1],
  tspan: [0, 20],
});

describe('automatic stiffness switching', () => {
  it('moves Robertson to Rodas5P early and says so in the statistics', () => {
    const sol = solve(robertson, 'auto', { rtol: 1e-6, atol: 1e-10 });
    expect(sol.retcode).toBe('Success');
    expect(sol.method).toBe('Tsit5 → Rodas5P');
    expect(sol.stats.stiffnessSwitches).toBeGreaterThanOrEqual(1);
    expect(sol.stats.stiffSince).toBeGreaterThan(0);
    expect(sol.stats.stiffSince).toBeLessThan(1);
    // A few hundred steps, where Tsit5 alone would need millions (its step is held by stability).
    expect(sol.stats.acceptedSteps).toBeLessThan(1000);
    const stiff = solve(robertson, 'Rodas5P', { rtol: 1e-6, atol: 1e-10 });
    for (let i = 0; i < 3; i++) expect(sol.final[i]).toBeCloseTo(stiff.final[i], 8);
    // The dense output spans both methods' steps.
    expect(sol.at(1e-3)[0]).toBeCloseTo(stiff.at(1e-3)[0], 8);
    expect(sol.at(5e4)[0]).toBeCloseTo(stiff.at(5e4)[0], 7);
  });

  it('stays explicit on a non-stiff problem', () => {
    const sol = solve(oscillator, 'auto', { rtol: 1e-8, atol: 1e-8 });
    expect(sol.method).toBe('Tsit5');
    expect(sol.stats.stiffnessSwitches).toBe(0);
    expect(sol.stats.jacobianCalls).toBe(0);
    expect(sol.final[0]).toBeCloseTo(Math.sin(20), 6);
  });

  it('is the default method', () => {
    expect(solve(robertson, undefined, { rtol: 1e-4, atol: 1e-8 }).method).toBe('Tsit5 → Rodas5P');
  });
});

describe('odex adapter', () => {
  it('agrees with Vern7 at tight tolerances and counts its work', () => {
    const a = solveWithOdex(oscillator, { rtol: 1e-12, atol: 1e-12 });
    const b = solve(oscillator, 'Vern7', { rtol: 1e-12, atol: 1e-12 });
    expect(a.retcode).toBe('Success');
    expect(a.method).toBe('odex');
    expect(a.final[0]).toBeCloseTo(Math.sin(20), 10);
    expect(a.final[0]).toBeCloseTo(b.final[0], 10);
    expect(a.stats.rhsCalls).toBeGreaterThan(100);
    expect(a.stats.acceptedSteps).toBe(a.length - 1);
    expect(() => a.at(1)).toThrow(/kept no dense output/);
  });

  it('saves at requested times by ODEX’s dense output, forward and backward', () => {
    const times = [0, 0.5, 7.25, 19.9, 20];
    const a = solveWithOdex(oscillator, { rtol: 1e-11, atol: 1e-11, saveat: times });
    expect(Array.from(a.t)).toEqual(times);
    times.forEach((t, i) => expect(a.state(i)[0]).toBeCloseTo(Math.sin(t), 8));
    const back = solveWithOdex(
      odeProblem({ f: oscillator.f, u0: [Math.sin(20), Math.cos(20)], tspan: [20, 0] }),
      {
        rtol: 1e-11,
        atol: 1e-11,
        saveat: [10, 0],
      },
    );
    expect(Array.from(back.t)).toEqual([10, 0]);
    expect(back.state(1)[1]).toBeCloseTo(1, 8);
  });
});
