// A long explicit solve of a stiff problem reached 22.5 GB: every step's state and dense record
// were kept. Now an explicit method stops on a stiff problem (Hairer's h·|λ| test, return code
// Stiff, naming the time), stored output is bounded by memoryLimit (MemoryLimit), and a solve
// with saveat stores only the saveat points.
import { describe, expect, it } from 'vitest';
import { odeProblem, solve } from '../../src/index.ts';
import { robertson } from '../../solvers/problem-library/robertson.ts';
import { vanDerPol } from '../../solvers/problem-library/van-der-pol.ts';

/** Bytes of typed arrays allocated while `run` runs and its result is held. */
function arrayBytesDuring<T>(run: () => T): { result: T; bytes: number } {
  const before = process.memoryUsage().arrayBuffers;
  const result = run();
  return { result, bytes: process.memoryUsage().arrayBuffers - before };
}

describe('explicit methods stop on stiff problems', () => {
  for (const [name, tp] of [
    ['Robertson', robertson(1e11)],
    ['Van der Pol (μ = 1000)', vanDerPol()],
  ] as const) {
    for (const method of ['Tsit5', 'DP5'] as const) {
      it(`${method} on ${name} with maxSteps 1e7: Stiff within ~1,000 steps, a few hundred kB stored`, () => {
        const started = performance.now();
        const { result: sol, bytes } = arrayBytesDuring(() =>
          solve(tp.problem, method, { maxSteps: 10_000_000 }),
        );
        const ms = performance.now() - started;
        expect(sol.retcode).toBe('Stiff');
        expect(sol.message).toMatch(
          new RegExp(
            `the problem is stiff: ${method}'s step has been limited by stability, not accuracy, for 1000 steps .* up to t = ${sol.tEnd}; solve it with 'auto' or a stiff method`,
          ),
        );
        expect(sol.stats.acceptedSteps).toBeLessThan(5000);
        expect(sol.tEnd).toBeLessThan(tp.problem.tspan[1]);
        expect(bytes).toBeLessThan(5e6); // before: ~500 B a step for 1e7 steps (5 GB)
        expect(ms).toBeLessThan(5000);
      });
    }
  }

  it('auto switches instead of stopping; stiffSteps: Infinity lets an explicit method go on', () => {
    const tp = robertson(1e5);
    const auto = solve(tp.problem, 'auto', { saveat: [1e5] });
    expect(auto.retcode).toBe('Success');
    expect(auto.stats.stiffnessSwitches).toBeGreaterThan(0);
    const crawl = solve(vanDerPol().problem, 'Tsit5', {
      stiffSteps: Infinity,
      maxSteps: 20_000,
      saveat: [2],
    });
    expect(crawl.retcode).toBe('MaxIters');
  });

  it('a non-stiff problem is never stopped', () => {
    // Harmonic oscillator over 1,000 periods: 10⁵ steps at loose and tight tolerances.
    const p = odeProblem({
      f: (du, u) => void ((du[0] = u[1]), (du[1] = -u[0])),
      u0: [1, 0],
      tspan: [0, 2000 * Math.PI],
    });
    for (const rtol of [1e-3, 1e-6]) {
      for (const method of ['Tsit5', 'DP5'] as const) {
        const sol = solve(p, method, { rtol, atol: rtol * 1e-2, saveat: [2000 * Math.PI] });
        expect(sol.retcode, `${method} ${rtol}`).toBe('Success');
      }
    }
  });
});

describe('stored output is bounded', () => {
  it('MemoryLimit when the stored states and dense records would pass memoryLimit', () => {
    // Vern7 and BS3 have no stiffness estimate: they crawl through Robertson, storing every step.
    const { result: sol, bytes } = arrayBytesDuring(() =>
      solve(robertson(1e11).problem, 'Vern7', { maxSteps: 10_000_000, memoryLimit: 4e6 }),
    );
    expect(sol.retcode).toBe('MemoryLimit');
    expect(sol.message).toMatch(
      /the stored solution reached memoryLimit = 4000000 bytes at t = [\d.e+-]+ \(\d+ saved states, \d+ dense steps\): pass saveat/,
    );
    // States (t, u: 32 B) and dense records (Vern7: 4 + 3·14 floats) per step, under 4 MB in all.
    expect(8 * (sol.t.length * 4 + sol.stepCount * (4 + 42))).toBeLessThanOrEqual(4e6);
    // Buffers grow up to the limit, are copied once at the end; garbage may not be collected yet.
    expect(bytes).toBeLessThan(4 * 4e6);
    const bs3 = solve(robertson(1e11).problem, 'BS3', { maxSteps: 10_000_000, memoryLimit: 4e6 });
    expect(bs3.retcode).toBe('MemoryLimit');
    expect(() => solve(robertson(1e5).problem, 'Tsit5', { memoryLimit: 0 })).toThrow(
      /memoryLimit must be > 0 bytes, got 0/,
    );
  });

  it('a solve with saveat stores only the saveat points (no dense record, no step states)', () => {
    const p = odeProblem({
      f: (du, u) => void ((du[0] = u[1]), (du[1] = -u[0])),
      u0: [1, 0],
      tspan: [0, 400 * Math.PI],
    });
    const { result: sol, bytes } = arrayBytesDuring(() =>
      solve(p, 'Tsit5', {
        rtol: 1e-10,
        atol: 1e-12,
        saveat: [200 * Math.PI, 400 * Math.PI],
        maxSteps: 1_000_000,
      }),
    );
    expect(sol.retcode).toBe('Success');
    expect(sol.stats.acceptedSteps).toBeGreaterThan(10_000);
    expect(sol.t.length).toBe(2);
    expect(sol.u.length).toBe(4);
    expect(sol.hasDense).toBe(false);
    expect(sol.stepCount).toBe(0);
    expect(bytes).toBeLessThan(100_000); // every step's state: 24 B, its dense record 136 B more
    expect(sol.final[0]).toBeCloseTo(1, 6);
  });
});
