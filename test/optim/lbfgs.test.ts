// L-BFGS on the Rosenbrock function (2-D and the 10-D chained form) from the standard start
// (−1.2, 1, −1.2, 1, …) to a gradient norm ≤ 1e-8; the line search's strong Wolfe conditions;
// robustness to a non-finite objective away from the start.
import { describe, expect, it } from 'vitest';
import { minimize } from '../../src/index.ts';
import { strongWolfeLineSearch, type LineFunction } from '../../src/training/index.ts';

function rosenbrock(x: Float64Array, g: Float64Array): number {
  let f = 0;
  g.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * a * x[i] - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

const start = (n: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));

describe('L-BFGS', () => {
  for (const n of [2, 10]) {
    it(`minimises the ${n}-D Rosenbrock function to ‖g‖ ≤ 1e-8`, () => {
      const theta = start(n);
      const r = minimize(rosenbrock, theta, { gradientTolerance: 1e-8, maxIterations: 500 });
      expect(r.reason).toBe('GradientTolerance');
      expect(r.gradientNorm).toBeLessThanOrEqual(1e-8);
      for (const v of theta) expect(v).toBeCloseTo(1, 7);
      expect(r.value).toBeLessThan(1e-15);
      // History is monotone: every accepted step decreased f.
      for (let i = 1; i < r.history.length; i++)
        expect(r.history[i]).toBeLessThanOrEqual(r.history[i - 1]);
    });
  }

  it('backs off from steps where the objective is not finite', () => {
    // f = (x − 3)² but "blows up" (NaN) for x > 4, e.g. an ODE that diverges there.
    const fg = (x: Float64Array, g: Float64Array): number => {
      if (x[0] > 4) {
        g[0] = NaN;
        return NaN;
      }
      g[0] = 2 * (x[0] - 3);
      return (x[0] - 3) ** 2;
    };
    const theta = new Float64Array([-100]);
    const r = minimize(fg, theta, { gradientTolerance: 1e-10 });
    expect(r.converged).toBe(true);
    expect(theta[0]).toBeCloseTo(3, 9);
  });

  it('rejects a non-finite objective at the start with a clear error', () => {
    expect(() => minimize(() => NaN, new Float64Array([1]))).toThrow(
      /objective is NaN at the starting point of L-BFGS/,
    );
  });
});

describe('strong Wolfe line search', () => {
  it('returns a step satisfying both conditions on a quartic', () => {
    // φ(α) = (α − 2)⁴ − 4α along a descent direction, φ′(0) = −32 − 4 < 0.
    const phi: LineFunction = {
      value: 0,
      slope: 0,
      evaluate(a: number) {
        this.value = (a - 2) ** 4 - 4 * a;
        this.slope = 4 * (a - 2) ** 3 - 4;
      },
    };
    phi.evaluate(0);
    const f0 = phi.value;
    const g0 = phi.slope;
    const r = strongWolfeLineSearch(phi, f0, g0, 0.1, { c1: 1e-4, c2: 0.1 });
    expect(r.wolfe).toBe(true);
    phi.evaluate(r.alpha);
    expect(phi.value).toBeLessThanOrEqual(f0 + 1e-4 * r.alpha * g0);
    expect(Math.abs(phi.slope)).toBeLessThanOrEqual(0.1 * Math.abs(g0));
  });
});
