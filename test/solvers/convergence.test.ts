// Observed convergence order with fixed steps: the least-squares slope of log(max error over the
// steps) against log(h) is within ±0.3 of each method's order, and the error of the dense output
// at step midpoints converges with order ≥ min(p, q + 1) − 0.3 for a method of order p with an
// order-q interpolant. Each method is measured on a problem and step range where its error is
// in the asymptotic regime (above rounding, below the pre-asymptotic bumps some methods show on
// periodic problems).
import { describe, expect, it } from 'vitest';
import { odeProblem, solve, type MethodName, type OdeProblem } from '../../src/index.ts';

/**
 * A manufactured problem: u′ = g(u) + e′(t) − g(e(t)) with g nonlinear and coupled, so the exact
 * solution is e(t) = (sin 2t + 1.5, cos t·e^{−t/4}); analytic Jacobian and ∂f/∂t.
 */
function manufactured(): { problem: OdeProblem; exact: (t: number) => number[] } {
  const e = (t: number): number[] => [Math.sin(2 * t) + 1.5, Math.cos(t) * Math.exp(-t / 4)];
  const de = (t: number): number[] => [
    2 * Math.cos(2 * t),
    (-Math.sin(t) - Math.cos(t) / 4) * Math.exp(-t / 4),
  ];
  const dde = (t: number): number[] => [
    -4 * Math.sin(2 * t),
    ((-15 / 16) * Math.cos(t) + Math.sin(t) / 2) * Math.exp(-t / 4),
  ];
  const g = (a: number, b: number): number[] => [(b * (1 - a * a)) / 2 - a, a * b - 0.5 * b];
  const jg = (a: number, b: number): number[] => [-b * a - 1, (1 - a * a) / 2, b, a - 0.5];
  const problem = odeProblem({
    f: (du, u, _p, t) => {
      const x = e(t);
      const d = de(t);
      const gx = g(x[0], x[1]);
      const gu = g(u[0], u[1]);
      du[0] = gu[0] + d[0] - gx[0];
      du[1] = gu[1] + d[1] - gx[1];
    },
    jac: (J, u) => J.set(jg(u[0], u[1])),
    tgrad: (dt, _u, _p, t) => {
      // ∂/∂t [e′(t) − g(e(t))] = e″(t) − J_g(e(t))·e′(t)
      const x = e(t);
      const d = de(t);
      const dd = dde(t);
      const J = jg(x[0], x[1]);
      dt[0] = dd[0] - (J[0] * d[0] + J[1] * d[1]);
      dt[1] = dd[1] - (J[2] * d[0] + J[3] * d[1]);
    },
    u0: e(0),
    tspan: [0, 3],
  });
  return { problem, exact: e };
}

/** The two-body (Kepler) problem with eccentricity `ecc` over one period 2π, exact by Kepler's equation. */
function kepler(ecc: number): { problem: OdeProblem; exact: (t: number) => number[] } {
  const exact = (t: number): number[] => {
    let E = t;
    for (let i = 0; i < 60; i++) E -= (E - ecc * Math.sin(E) - t) / (1 - ecc * Math.cos(E));
    const d = 1 - ecc * Math.cos(E);
    const s = Math.sqrt(1 - ecc * ecc);
    return [Math.cos(E) - ecc, s * Math.sin(E), -Math.sin(E) / d, (s * Math.cos(E)) / d];
  };
  const problem = odeProblem({
    f: (du, u) => {
      const r3 = Math.pow(u[0] * u[0] + u[1] * u[1], 1.5);
      du[0] = u[2];
      du[1] = u[3];
      du[2] = -u[0] / r3;
      du[3] = -u[1] / r3;
    },
    jac: (J, u) => {
      const [x, y] = u;
      const r2 = x * x + y * y;
      const r3 = Math.pow(r2, 1.5);
      const r5 = Math.pow(r2, 2.5);
      J.fill(0);
      J[2] = 1;
      J[7] = 1;
      J[8] = -1 / r3 + (3 * x * x) / r5;
      J[9] = (3 * x * y) / r5;
      J[12] = (3 * x * y) / r5;
      J[13] = -1 / r3 + (3 * y * y) / r5;
    },
    autonomous: true,
    u0: exact(0),
    tspan: [0, 2 * Math.PI],
  });
  return { problem, exact };
}

/** Least-squares slope of log(error) against log(h). */
function slope(hs: number[], errors: number[]): number {
  const x = hs.map(Math.log);
  const y = errors.map(Math.log);
  const mx = x.reduce((a, b) => a + b) / x.length;
  const my = y.reduce((a, b) => a + b) / y.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i] - mx) * (y[i] - my);
    den += (x[i] - mx) ** 2;
  }
  return num / den;
}

const cases: {
  method: MethodName;
  order: number;
  denseOrder: number;
  problem: string;
  steps: number[];
}[] = [
  { method: 'Euler', order: 1, denseOrder: 1, problem: 'manufactured', steps: [128, 256, 512] },
  { method: 'RK4', order: 4, denseOrder: 3, problem: 'manufactured', steps: [64, 128, 256, 512] },
  { method: 'BS3', order: 3, denseOrder: 3, problem: 'manufactured', steps: [64, 128, 256, 512] },
  { method: 'Tsit5', order: 5, denseOrder: 4, problem: 'kepler 0.5', steps: [256, 512, 1024] },
  { method: 'DP5', order: 5, denseOrder: 4, problem: 'kepler 0.5', steps: [256, 512, 1024] },
  { method: 'Vern7', order: 7, denseOrder: 6, problem: 'kepler 0.9', steps: [1024, 2048, 4096] },
  {
    method: 'Rosenbrock23',
    order: 2,
    denseOrder: 2,
    problem: 'manufactured',
    steps: [64, 128, 256, 512],
  },
  {
    method: 'Rodas4',
    order: 4,
    denseOrder: 3,
    problem: 'manufactured',
    steps: [64, 128, 256, 512],
  },
  { method: 'Rodas5P', order: 5, denseOrder: 4, problem: 'kepler 0.5', steps: [256, 512, 1024] },
];

const problems = {
  manufactured: manufactured(),
  'kepler 0.5': kepler(0.5),
  'kepler 0.9': kepler(0.9),
} as Record<string, { problem: OdeProblem; exact: (t: number) => number[] }>;

describe('observed convergence order (fixed steps)', () => {
  for (const c of cases) {
    it(`${c.method} on ${c.problem}: order ${c.order}; dense output order ≥ min(${c.order}, ${c.denseOrder + 1})`, () => {
      const { problem, exact } = problems[c.problem];
      const [t0, t1] = problem.tspan;
      const n = problem.n;
      const hs: number[] = [];
      const stepErrors: number[] = [];
      const midErrors: number[] = [];
      for (const N of c.steps) {
        const h = (t1 - t0) / N;
        const sol = solve(problem, c.method, { dt: h, adaptive: false });
        expect(sol.retcode).toBe('Success');
        expect(sol.stats.acceptedSteps).toBe(N);
        let worst = 0;
        for (let k = 0; k < sol.length; k++) {
          const x = exact(sol.t[k]);
          for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(sol.u[k * n + i] - x[i]));
        }
        let mid = 0;
        for (let k = 0; k < N; k++) {
          const t = t0 + (k + 0.5) * h;
          const u = sol.at(t);
          const x = exact(t);
          for (let i = 0; i < n; i++) mid = Math.max(mid, Math.abs(u[i] - x[i]));
        }
        hs.push(h);
        stepErrors.push(worst);
        midErrors.push(mid);
      }
      expect(Math.abs(slope(hs, stepErrors) - c.order)).toBeLessThanOrEqual(0.3);
      expect(slope(hs, midErrors)).toBeGreaterThanOrEqual(
        Math.min(c.order, c.denseOrder + 1) - 0.3,
      );
    });
  }
});
