// Models compiled from expressions: VJPs against finite differences on random expressions
// (property-based), against hand-written VJPs of the bundled models, symbolic Jacobians against
// VJP rows, and a clear error for every kind of bad input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chain, checkVjp, dense, expressionModel, odeModel, scalar } from '../../src/index.ts';
import { lotkaVolterraModel } from '../../models/lotka-volterra-ude.ts';
import { oneCompartmentOral } from '../../models/pk/one-compartment-oral.ts';

// Random smooth expressions over states x, y, parameters a, b and time t, bounded so that
// finite differences stay well conditioned.
const leaf = fc.constantFrom('x', 'y', 'a', 'b', 't', '0.7', '1.3');
const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(tie('e'), fc.constantFrom('+', '-', '*'), tie('e'))
      .map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc.tuple(tie('e'), tie('e')).map(([l, r]) => `(${l}) / (1 + (${r})^2)`),
    fc.tuple(fc.constantFrom('sin', 'cos', 'tanh', 'atan'), tie('e')).map(([f, x]) => `${f}(${x})`),
    tie('e').map((x) => `exp(-(${x})^2)`),
    tie('e').map((x) => `log(1 + (${x})^2)`),
    tie('e').map((x) => `sqrt(2 + sin(${x}))`),
    tie('e').map((x) => `(${x})^3`),
  ),
})).e;

describe('expression models', () => {
  it('symbolic VJPs match finite differences on random expressions', () => {
    fc.assert(
      fc.property(
        expression,
        expression,
        fc.float({ min: -1, max: 1, noNaN: true }),
        fc.float({ min: -1, max: 1, noNaN: true }),
        (ex, ey, x0, y0) => {
          const model = expressionModel({
            states: ['x', 'y'],
            parameters: { a: 0.8, b: scalar(1.4, { transform: 'positive' }) },
            equations: { x: ex, y: ey },
          });
          const p = model.initialParameters();
          const check = checkVjp(model, [x0, y0], p, 0.37);
          // Error relative to the gradient's scale (entries near 0 are judged absolutely).
          const scale = Math.max(
            1,
            ...check.numeric.u.map(Math.abs),
            ...check.numeric.p.map(Math.abs),
          );
          expect(
            check.maxAbsoluteError / scale,
            `${ex} | ${ey} at (${x0}, ${y0}): ${check.worst}`,
          ).toBeLessThan(1e-8);
          // The symbolic Jacobian agrees with VJP rows.
          const J = new Float64Array(4);
          const u = Float64Array.of(x0, y0);
          model.jacobian(J, u, p, 0.37);
          const row = new Float64Array(2);
          const discard = new Float64Array(p.length);
          for (let i = 0; i < 2; i++) {
            model.vjp(
              Float64Array.from([i === 0 ? 1 : 0, i === 1 ? 1 : 0]),
              u,
              p,
              0.37,
              row,
              discard,
            );
            for (let j = 0; j < 2; j++) expect(J[i * 2 + j]).toBeCloseTo(row[j], 12);
          }
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });

  it('network terms: VJP of a model with two calls of the same network', () => {
    const model = expressionModel({
      states: ['x', 'y'],
      parameters: { k: 0.5 },
      terms: { nn: chain(2, dense(4, 'tanh'), dense(2)) },
      equations: { x: '-k*x + nn(x, y)[1] * nn(y, t)[2]', y: 'nn(x, y)[2] - x*y' },
    });
    const p = model.initialParameters(7);
    const check = checkVjp(model, [0.3, -0.6], p, 0.9);
    expect(check.maxRelativeError, check.worst).toBeLessThan(1e-7);
    expect(model.autonomous).toBe(false);
  });

  it('bundled models match hand-written right-hand sides and VJPs', () => {
    const lv = lotkaVolterraModel();
    const hand = odeModel({
      n: 2,
      paramCount: 4,
      f: (du, u, p) => {
        du[0] = p[0] * u[0] - p[1] * u[0] * u[1];
        du[1] = p[2] * u[0] * u[1] - p[3] * u[1];
      },
      vjp: (l, u, p, _t, uBar, pBar) => {
        uBar[0] = l[0] * (p[0] - p[1] * u[1]) + l[1] * p[2] * u[1];
        uBar[1] = -l[0] * p[1] * u[0] + l[1] * (p[2] * u[0] - p[3]);
        pBar[0] += l[0] * u[0];
        pBar[1] -= l[0] * u[0] * u[1];
        pBar[2] += l[1] * u[0] * u[1];
        pBar[3] -= l[1] * u[1];
      },
    });
    const p = lv.initialParameters();
    const u = Float64Array.of(0.7, 2.1);
    const lambda = Float64Array.of(0.3, -1.1);
    const [a, b] = [new Float64Array(2), new Float64Array(2)];
    lv.f(a, u, p, 0);
    hand.f(b, u, p, 0);
    expect(Array.from(a)).toEqual(Array.from(b));
    const [ua, ub, pa, pb] = [
      new Float64Array(2),
      new Float64Array(2),
      new Float64Array(4),
      new Float64Array(4),
    ];
    lv.vjp(lambda, u, p, 0, ua, pa);
    hand.vjp(lambda, u, p, 0, ub, pb);
    for (let i = 0; i < 2; i++) expect(ua[i]).toBeCloseTo(ub[i], 14);
    for (let i = 0; i < 4; i++) expect(pa[i]).toBeCloseTo(pb[i], 14);

    // One compartment: cl and v are log-transformed, so ∂/∂θ carries the chain rule.
    const pk = oneCompartmentOral();
    const q = pk.initialParameters();
    const [ka, cl, v] = [Math.exp(q[0]), Math.exp(q[1]), Math.exp(q[2])];
    const x = Float64Array.of(40, 25);
    const l = Float64Array.of(0.4, 1.7);
    const uBar = new Float64Array(2);
    const pBar = new Float64Array(3);
    pk.vjp(l, x, q, 0, uBar, pBar);
    expect(uBar[0]).toBeCloseTo(-ka * l[0] + ka * l[1], 13);
    expect(uBar[1]).toBeCloseTo((-cl / v) * l[1], 13);
    expect(pBar[0]).toBeCloseTo((l[1] - l[0]) * x[0] * ka, 12);
    expect(pBar[1]).toBeCloseTo((-x[1] / v) * l[1] * cl, 12);
    expect(pBar[2]).toBeCloseTo(((cl * x[1]) / (v * v)) * l[1] * v, 12);
    expect(checkVjp(pk, x, q, 0).maxRelativeError).toBeLessThan(1e-8);
  });

  it('bad models get clear errors', () => {
    const base = { states: ['x', 'y'], parameters: { k: 1 } };
    const net = chain(2, dense(3, 'tanh'), dense(2));
    const bad =
      (equations: Record<string, string>, extra: object = {}): (() => unknown) =>
      () =>
        expressionModel({ ...base, ...extra, equations });
    expect(bad({ x: '-kk*x', y: 'x' })).toThrow(
      /equation for 'x': unknown symbol 'kk'.*parameters: k/,
    );
    expect(bad({ x: 'nn(x)[1]', y: 'x' }, { terms: { nn: net } })).toThrow(
      /nn takes 2 inputs but is called with 1/,
    );
    expect(bad({ x: 'nn(x, y)[3]', y: 'x' }, { terms: { nn: net } })).toThrow(
      /index must be a constant 1…2/,
    );
    expect(bad({ x: 'nn(x, y)', y: 'x' }, { terms: { nn: net } })).toThrow(/nn has 2 outputs/);
    expect(bad({ x: 'abs(x)', y: 'x' })).toThrow(/abs is not differentiable/);
    expect(bad({ x: 'max(x, y)', y: 'x' })).toThrow(/max is not differentiable/);
    expect(bad({ x: 'x > y ? x : y', y: 'x' })).toThrow(/not allowed/);
    expect(bad({ x: 'exp(x, y)', y: 'x' })).toThrow(/exp takes 1 argument/);
    expect(bad({ x: 'frobnicate(x)', y: 'x' })).toThrow(
      /unknown or unsupported function 'frobnicate'/,
    );
    expect(bad({ x: '-k*', y: 'x' })).toThrow(/equation for 'x' does not parse/);
    expect(bad({ x: '-k*x' })).toThrow(/no equation for state\(s\) y/);
    expect(bad({ x: '-k*x', y: 'x', z: 'y' })).toThrow(/equation for 'z' but no such state/);
    expect(() =>
      expressionModel({ states: ['x', 'k'], parameters: { k: 1 }, equations: { x: 'k', k: 'x' } }),
    ).toThrow(/'k' is declared twice/);
    expect(() => expressionModel({ states: ['t'], equations: { t: '1' } })).toThrow(/reserved/);
    expect(bad({ x: 'c2*x', y: 'x' }, { definitions: { c1: 'c2', c2: 'k' } })).toThrow(
      /definition 'c1'.*'c2' is a definition declared later/,
    );
  });
});
