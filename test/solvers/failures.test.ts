// Bad input gets a clear error; failures end with a return code and a message naming the time
// reached and the reason — never a hang, never silent garbage.
import { describe, expect, it } from 'vitest';
import { odeProblem, solve } from '../../src/index.ts';
import { solveWithOdex } from '../../solvers/index.ts';

const decay = (du: Float64Array, u: Float64Array): void => {
  du[0] = -u[0];
};

describe('bad input', () => {
  it('names NaN and empty spans, bad initial values and wrong lengths', () => {
    expect(() => odeProblem({ f: decay, u0: [1], tspan: [0, NaN] })).toThrow(
      /tspan must be two finite times, got \[0, NaN\]/,
    );
    expect(() => odeProblem({ f: decay, u0: [1], tspan: [2, 2] })).toThrow(
      /tspan is empty: t₀ = t₁ = 2/,
    );
    expect(() => odeProblem({ f: decay, u0: [1, 2], tspan: [0, 1], n: 3 })).toThrow(
      /u0 has length 2 but the problem has 3 states/,
    );
    expect(() =>
      odeProblem({ f: decay, u0: [1, Infinity], tspan: [0, 1], stateNames: ['depot', 'central'] }),
    ).toThrow(/u0\[1\] \(central\) is Infinity/);
  });

  it('names bad tolerances and options', () => {
    const p = odeProblem({ f: decay, u0: [1], tspan: [0, 1] });
    expect(() => solve(p, 'Tsit5', { rtol: -1e-6 })).toThrow(
      /rtol must be finite and ≥ 0, got -0.000001/,
    );
    expect(() => solve(p, 'Tsit5', { atol: [1e-8, 1e-8] })).toThrow(
      /atol has 2 entries but the problem has 1 states/,
    );
    expect(() => solve(p, 'Tsit5', { atol: -1 })).toThrow(/atol must be finite and ≥ 0, got -1/);
    expect(() => solve(p, 'Tsit5', { saveat: [0.5, 2] })).toThrow(
      /saveat time 2 is outside tspan \[0, 1\]/,
    );
    expect(() => solve(p, 'RK4')).toThrow(/fixed-step integration needs a step size dt/);
    expect(() => solve(p, 'Tsit5', { dt: -0.1 })).toThrow(/dt must be finite and > 0/);
    expect(() => solve(p, 'Dopri8' as never)).toThrow(
      /unknown ODE method 'Dopri8'; valid: auto, Tsit5/,
    );
    expect(() => solve(p, 'Tsit5', { events: [{ time: NaN, apply: () => {} }] })).toThrow(
      /event 0 has time NaN/,
    );
  });
});

describe('failures end with a return code and a message', () => {
  it('a right-hand side that writes NaN: Unstable, naming the component and the time', () => {
    const p = odeProblem({
      f: (du, u) => void ((du[0] = u[0]), (du[1] = NaN)),
      u0: [1, 1],
      tspan: [0, 1],
      stateNames: ['a', 'b'],
    });
    for (const method of ['Tsit5', 'Rodas5P', 'auto'] as const) {
      const sol = solve(p, method);
      expect(sol.retcode).toBe('Unstable');
      expect(sol.message).toMatch(
        /the right-hand side returned NaN for component 1 \(b\) at t = 0/,
      );
      expect(() => sol.assertSuccess()).toThrow(/ODE solve failed \(Unstable\)/);
    }
  });

  it('a state that becomes non-finite later: Unstable, with the time reached', () => {
    // Finite at the start, NaN once u passes 2.
    const p = odeProblem({
      f: (du, u) => void (du[0] = u[0] > 2 ? NaN : 1),
      u0: [0],
      tspan: [0, 5],
    });
    const sol = solve(p, 'Tsit5');
    expect(sol.retcode).toBe('Unstable');
    expect(sol.message).toMatch(/non-finite near t = 1\.9|non-finite near t = 2/);
    expect(sol.tEnd).toBeGreaterThan(1.9);
    expect(sol.tEnd).toBeLessThanOrEqual(2);
  });

  it('a solution that blows up in finite time: DtLessThanMin near the singularity', () => {
    // u′ = u², u(0) = 1: u = 1/(1 − t), singular at t = 1.
    const p = odeProblem({ f: (du, u) => void (du[0] = u[0] * u[0]), u0: [1], tspan: [0, 2] });
    const sol = solve(p, 'Tsit5', { rtol: 1e-8, atol: 1e-8 });
    expect(['DtLessThanMin', 'Unstable']).toContain(sol.retcode);
    // It stops at the pole (to within the last, tiny step), naming where.
    expect(Math.abs(sol.tEnd - 1)).toBeLessThan(1e-6);
    expect(sol.message).toMatch(/(at|near) t = (0\.9999|1\.0000)/);
  });

  it('the step limit: MaxIters with the time reached', () => {
    const p = odeProblem({
      f: (du, u) => void ((du[0] = u[1]), (du[1] = -u[0])),
      u0: [0, 1],
      tspan: [0, 1000],
    });
    const sol = solve(p, 'Tsit5', { maxSteps: 50 });
    expect(sol.retcode).toBe('MaxIters');
    expect(sol.message).toMatch(/reached maxSteps = 50 at t = \d/);
    expect(sol.stats.acceptedSteps + sol.stats.rejectedSteps).toBe(50);
    const odex = solveWithOdex(p, { maxSteps: 20 });
    expect(odex.retcode).toBe('MaxIters');
    expect(odex.message).toMatch(/odex reached maxSteps = 20/);
  });

  it('a singular iteration matrix: Singular, naming t and h', () => {
    // I/(hγ) − J is singular when 1/(hγ) is an eigenvalue of J: Rodas4 has γ = 1/4, so u′ = 4u
    // with h = 1 makes it exactly zero.
    const p = odeProblem({
      f: (du, u) => void (du[0] = 4 * u[0]),
      jac: (J) => void (J[0] = 4),
      u0: [1],
      tspan: [0, 2],
      autonomous: true,
    });
    const sol = solve(p, 'Rodas4', { dt: 1, adaptive: false });
    expect(sol.retcode).toBe('Singular');
    expect(sol.message).toMatch(/the iteration matrix I\/\(hγ\) − J is singular at t = 0/);
  });
});
