// The expression compiler's own differentiator (no mathjs simplify): Jacobian, JVP, VJP and ∂/∂t
// of random systems against central finite differences and against mathjs's symbolic
// derivative, over every allowed function, powers with variable exponents, division, nested
// definitions and network calls; exact values where the rule matters (0^h, Hill terms at 0);
// and the shape of the generated code (shared subexpressions, straight-line, no allocation).
import fc from 'fast-check';
import { derivative, parse, ParenthesisNode, SymbolNode, type MathNode } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { chain, checkVjp, dense, expressionModel, scalar } from '../../src/index.ts';
import { ALLOWED_FUNCTIONS } from '../../src/expressions/functions.ts';
import { DERIVATIVE_RULES } from '../../src/expressions/differentiate.ts';
import { termModelSpec } from '../../bench/compile.ts';

/** z squashed into [−½, ½], so that every function below stays inside its domain. */
const bounded = (z: string): string => `(${z})/(1 + (${z})^2)`;

/** One form per allowed function (and the power forms), each safe for any real z. */
const UNARY: readonly ((z: string) => string)[] = [
  (z) => `exp(${bounded(z)})`,
  (z) => `log(1.5 + ${bounded(z)})`,
  (z) => `sqrt(1 + (${z})^2)`,
  (z) => `cbrt(1.2 + ${bounded(z)})`,
  (z) => `sin(${z})`,
  (z) => `cos(${z})`,
  (z) => `tan(${bounded(z)})`,
  (z) => `asin(${bounded(z)})`,
  (z) => `acos(${bounded(z)})`,
  (z) => `atan(${z})`,
  (z) => `sinh(${bounded(z)})`,
  (z) => `cosh(${bounded(z)})`,
  (z) => `tanh(${z})`,
  (z) => `asinh(${z})`,
  (z) => `acosh(2 + ${bounded(z)})`,
  (z) => `atanh(${bounded(z)})`,
  (z) => `sec(${bounded(z)})`,
  (z) => `csc(1 + ${bounded(z)})`,
  (z) => `cot(1 + ${bounded(z)})`,
  (z) => `sech(${z})`,
  (z) => `csch(1 + ${bounded(z)})`,
  (z) => `coth(1 + ${bounded(z)})`,
  (z) => `(${z})^2`,
  (z) => `(${z})^3`,
  (z) => `(1.5 + ${bounded(z)})^(-1.5)`,
  (z) => `-(${z})`,
];
const BINARY: readonly ((l: string, r: string) => string)[] = [
  (l, r) => `(${l} + ${r})`,
  (l, r) => `(${l} - ${r})`,
  (l, r) => `(${l} * ${r})`,
  (l, r) => `(${l}) / (1.5 + sin(${r}))`,
  // variable exponents, as an operator and as a function
  (l, r) => `(1.5 + ${bounded(l)})^(${bounded(r)})`,
  (l, r) => `pow(1.2 + ${bounded(l)}, ${r}/(2 + (${r})^2))`,
  // a Hill term with a parameter exponent
  (l, r) => `(${l})*(1.1 + ${bounded(r)})^b/(0.7 + (1.1 + ${bounded(r)})^b)`,
];

function expressions(leaves: readonly string[]): fc.Arbitrary<string> {
  const leaf = fc.constantFrom(...leaves, '0.7', '1.3', 'pi', 'e');
  return fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc
        .tuple(fc.integer({ min: 0, max: UNARY.length - 1 }), tie('e'))
        .map(([k, z]) => UNARY[k](z)),
      fc
        .tuple(fc.integer({ min: 0, max: BINARY.length - 1 }), tie('e'), tie('e'))
        .map(([k, l, r]) => BINARY[k](l, r)),
    ),
  })).e;
}

const BASE = ['x', 'y', 'a', 'b', 't'];

/** mathjs's tree of `source` with the definitions substituted (in order). */
function substituted(
  source: string,
  definitions: readonly (readonly [string, string])[],
): MathNode {
  const nodes = new Map<string, MathNode>();
  const expand = (text: string): MathNode =>
    parse(text).transform((n) =>
      n.type === 'SymbolNode' && nodes.has((n as SymbolNode).name)
        ? new ParenthesisNode(nodes.get((n as SymbolNode).name)!)
        : n,
    );
  for (const [name, text] of definitions) nodes.set(name, expand(text));
  return expand(source);
}

/** |a − b| small against the scale of the numbers compared. */
function close(a: number, b: number, relative: number, scale: number, what: string): void {
  expect(Number.isFinite(a), `${what}: ${a}`).toBe(true);
  expect(Math.abs(a - b) / Math.max(1, scale), `${what}: ${a} vs ${b}`).toBeLessThan(relative);
}

describe('differentiation of expression models', () => {
  it('Jacobian, JVP, VJP and ∂/∂t match central differences and mathjs on random systems with nested definitions', () => {
    const d1 = expressions(BASE);
    const d2 = expressions([...BASE, 'd1']);
    const eq = expressions([...BASE, 'd1', 'd2']);
    const point = fc.double({ min: -1, max: 1, noNaN: true });
    fc.assert(
      fc.property(d1, d2, eq, eq, point, point, point, (s1, s2, ex, ey, x0, y0, t0) => {
        const definitions = [
          ['d1', s1],
          ['d2', s2],
        ] as const;
        const model = expressionModel({
          states: ['x', 'y'],
          parameters: { a: 0.8, b: scalar(1.4, { transform: 'positive' }) },
          definitions: Object.fromEntries(definitions),
          equations: { x: ex, y: ey },
        });
        const p = model.initialParameters();
        const u = Float64Array.of(x0, y0);
        const where = `x' = ${ex} | y' = ${ey} | d1 = ${s1} | d2 = ${s2} at (${x0}, ${y0}, ${t0})`;
        // Reference: mathjs's symbolic derivative of the substituted equations.
        const scope = { x: x0, y: y0, a: 0.8, b: 1.4, t: t0 };
        const sources = [ex, ey].map((s) => substituted(s, definitions));
        const exact = (i: number, v: string): number =>
          derivative(sources[i], v, { simplify: false }).evaluate(scope) as number;
        // Central differences of the compiled value.
        const f = (uu: Float64Array, pp: Float64Array, t: number): Float64Array => {
          const out = new Float64Array(2);
          model.f(out, uu, pp, t);
          return out;
        };
        const central = (move: (h: number) => [Float64Array, Float64Array, number], x: number) => {
          const h = 1e-6 * Math.max(1, Math.abs(x));
          const [u1, p1, t1] = move(h);
          const [u2, p2, t2] = move(-h);
          const up = f(u1, p1, t1);
          const down = f(u2, p2, t2);
          return [0, 1].map((i) => (up[i] - down[i]) / (2 * h));
        };
        const J = new Float64Array(4);
        model.jacobian(J, u, p, t0);
        const dt = new Float64Array(2);
        model.tgrad?.(dt, u, p, t0);
        const scale = Math.max(...J.map(Math.abs), ...dt.map(Math.abs));
        for (let j = 0; j < 2; j++) {
          const numeric = central((h) => {
            const v = Float64Array.from(u);
            v[j] += h;
            return [v, p, t0];
          }, u[j]);
          for (let i = 0; i < 2; i++) {
            close(J[i * 2 + j], numeric[i], 1e-6, scale, `J[${i},${j}] vs differences, ${where}`);
            close(J[i * 2 + j], exact(i, j === 0 ? 'x' : 'y'), 1e-9, scale, `J vs mathjs ${where}`);
          }
        }
        if (model.tgrad !== undefined) {
          const numeric = central((h) => [u, p, t0 + h], t0);
          for (let i = 0; i < 2; i++) {
            close(dt[i], numeric[i], 1e-6, scale, `∂/∂t vs differences, ${where}`);
            close(dt[i], exact(i, 't'), 1e-9, scale, `∂/∂t vs mathjs, ${where}`);
          }
        } else {
          expect(model.autonomous).toBe(true);
        }
        // JVP = J·v.
        const v = Float64Array.of(0.3, -1.7);
        const jv = new Float64Array(2);
        model.jvp(v, u, p, t0, jv);
        for (let i = 0; i < 2; i++) {
          close(jv[i], J[i * 2] * v[0] + J[i * 2 + 1] * v[1], 1e-12, scale, `JVP, ${where}`);
        }
        // VJP: uBar = Jᵀλ, pBar against mathjs (b is log-transformed: ∂/∂θ_b = b·∂/∂b).
        const lambda = Float64Array.of(0.9, -0.4);
        const uBar = new Float64Array(2);
        const pBar = new Float64Array(2);
        model.vjp(lambda, u, p, t0, uBar, pBar);
        for (let j = 0; j < 2; j++) {
          close(uBar[j], lambda[0] * J[j] + lambda[1] * J[2 + j], 1e-12, scale, `uBar, ${where}`);
        }
        const dA = lambda[0] * exact(0, 'a') + lambda[1] * exact(1, 'a');
        const dB = 1.4 * (lambda[0] * exact(0, 'b') + lambda[1] * exact(1, 'b'));
        const pScale = Math.max(scale, Math.abs(dA), Math.abs(dB));
        close(pBar[0], dA, 1e-9, pScale, `pBar[a] vs mathjs, ${where}`);
        close(pBar[1], dB, 1e-9, pScale, `pBar[b] vs mathjs, ${where}`);
        const check = checkVjp(model, u, p, t0, { lambda });
        const vjpScale = Math.max(
          1,
          ...check.numeric.u.map(Math.abs),
          ...check.numeric.p.map(Math.abs),
        );
        expect(check.maxAbsoluteError / vjpScale, `${check.worst}, ${where}`).toBeLessThan(1e-6);
      }),
      { numRuns: 120, seed: 1717 },
    );
  });

  it('network calls: VJP through random call arguments and nested calls matches finite differences', () => {
    const e = expressions(['x', 'y', 'a', 'b', 't']);
    const point = fc.double({ min: -1, max: 1, noNaN: true });
    fc.assert(
      fc.property(e, e, e, e, point, point, (e1, e2, e3, e4, x0, y0) => {
        const model = expressionModel({
          states: ['x', 'y'],
          parameters: { a: 0.8, b: scalar(1.4, { transform: 'positive' }) },
          terms: { nn: chain(2, dense(4, 'tanh'), dense(2)) },
          equations: {
            x: `${e1} + nn(${e2}, ${e3})[1]`,
            y: `nn(nn(${e2}, ${e3})[2], ${e4})[1] * (${e1})`,
          },
        });
        const p = model.initialParameters(3);
        const check = checkVjp(model, [x0, y0], p, 0.3);
        const scale = Math.max(
          1,
          ...check.numeric.u.map(Math.abs),
          ...check.numeric.p.map(Math.abs),
        );
        expect(
          check.maxAbsoluteError / scale,
          `${check.worst}: ${e1} | ${e2} | ${e3} | ${e4}`,
        ).toBeLessThan(1e-6);
      }),
      { numRuns: 40, seed: 2024 },
    );
  });

  it('has a rule for every allowed function, agreeing with mathjs at a point of its domain', () => {
    const at: Record<string, number> = { acosh: 1.7, csc: 0.9, cot: 0.9, coth: 0.9, csch: 0.9 };
    for (const [name, f] of Object.entries(ALLOWED_FUNCTIONS)) {
      const sources = f.arity === 1 ? [`${name}(x)`] : [`${name}(x, a)`, `${name}(a, x)`];
      if (f.arity === 1) expect(DERIVATIVE_RULES[name], name).toBeDefined();
      for (const source of sources) {
        const x0 = at[name] ?? 0.4;
        const model = expressionModel({
          states: ['x'],
          parameters: { a: 1.3 },
          equations: { x: source },
        });
        const J = new Float64Array(1);
        model.jacobian(J, Float64Array.of(x0), model.initialParameters(), 0);
        const exact = derivative(parse(source), 'x').evaluate({ x: x0, a: 1.3 }) as number;
        expect(J[0], source).toBeCloseTo(exact, 12);
      }
    }
  });

  it('powers: exact derivatives at the edges (0^h, Hill terms at 0, negative bases, x^x, constants)', () => {
    const cases: [string, number, number][] = [
      // [equation, x, d/dx]
      ['x^3', -2, 12],
      ['x^h', 0, 0], // h = 2: h·x^(h−1), not x^h·h/x = NaN
      ['x^h/(k^h + x^h)', 0, 0],
      ['x^h/(k^h + x^h)', 1, (2 * 0.25) / (1.25 * 1.25)],
      ['2^x', 3, 8 * Math.LN2],
      ['x^x', 2, 4 * (Math.LN2 + 1)],
      ['e^x', 0.5, Math.exp(0.5)],
      ['x^0 + x^1', 7, 1],
      ['x^(-1)', 2, -0.25],
      ['x^0.5', 4, 0.25],
      ['(3*x)^2 - 0*x + 0/x', 1, 18],
      ['-(-x)', 5, 1],
    ];
    for (const [equation, x, expected] of cases) {
      const model = expressionModel({
        states: ['x'],
        parameters: { h: 2, k: 0.5 },
        equations: { x: equation },
      });
      const J = new Float64Array(1);
      model.jacobian(J, Float64Array.of(x), model.initialParameters(), 0);
      expect(J[0], equation).toBeCloseTo(expected, 13);
    }
  });

  it('leaves constant arithmetic that overflows to run time, as the text says', () => {
    // Folding 1e200·1e200 at compile time would make a non-finite constant: not folded.
    const model = expressionModel({ states: ['x'], equations: { x: '1e200*(1e200*x^2) + 1/0*0' } });
    const out = new Float64Array(1);
    const J = new Float64Array(1);
    model.f(out, Float64Array.of(0.5), model.initialParameters(), 0);
    model.jacobian(J, Float64Array.of(0.5), model.initialParameters(), 0);
    expect(out[0]).toBeNaN(); // ∞·0, computed where the model runs
    expect(J[0]).toBe(1e200 * (1e200 * 2 * 0.5));
  });

  it('computes each repeated subexpression once, in the value and in the derivatives', () => {
    const model = expressionModel({
      states: ['gut', 'central'],
      parameters: { ka: 1.2, ke: 0.3, vmax: 2, km: 1.5 },
      definitions: { input: 'exp(-ke*t)*gut', mm: 'vmax*central/(km + central)' },
      equations: { gut: '-ka*input - mm', central: 'ka*input + mm' },
    });
    const body = (name: string): string =>
      model.source.slice(model.source.indexOf(`${name}: function`)).split('\n  },')[0];
    const count = (text: string, what: string): number => text.split(what).length - 1;
    expect(count(body('value'), 'Math.exp(')).toBe(1);
    expect(count(body('value'), '/ (q_3 + u_1)')).toBe(1);
    expect(count(body('vjp'), 'Math.exp(')).toBe(1);
    expect(count(body('tgrad'), 'Math.exp(')).toBe(1);
    expect(count(body('jacobian'), '(q_3 + u_1)')).toBe(1);
    // And the numbers are right.
    const u = Float64Array.of(2, 0.7);
    const out = new Float64Array(2);
    model.f(out, u, model.initialParameters(), 0.5);
    const input = Math.exp(-0.3 * 0.5) * 2;
    const mm = (2 * 0.7) / (1.5 + 0.7);
    expect(out[0]).toBeCloseTo(-1.2 * input - mm, 14);
    expect(out[1]).toBeCloseTo(1.2 * input + mm, 14);
  });

  it('generates straight-line, allocation-free functions (split into helpers when large)', () => {
    for (const k of [5, 50]) {
      const model = expressionModel(termModelSpec(k));
      const helpers = [...model.source.matchAll(/^function (\w+)\(/gm)].map((m) => m[1]);
      // Ten terms fit one function each; fifty are split so that V8 optimises every part.
      expect(helpers.length > 0, `k = ${k}`).toBe(k === 50);
      const bodies = ['value', 'vjp', 'jacobian', 'jvp', 'tgrad'].map((name) => {
        const start = model.source.indexOf(`${name}: function`);
        expect(start, name).toBeGreaterThan(0);
        return model.source.slice(model.source.indexOf('{', start) + 1).split('\n  },')[0];
      });
      for (const name of helpers) {
        const start = model.source.indexOf(`function ${name}(`);
        bodies.push(model.source.slice(model.source.indexOf('{', start) + 1).split('\n}')[0]);
      }
      for (const body of bodies) {
        expect(body).not.toMatch(/\bnew\b|=>|\bfor\b|\bwhile\b|\bfunction\b|[{}]|\[\s*\]/);
        for (const line of body.trim().split('\n')) {
          expect(line.trim()).toMatch(
            /^((const|let) [A-Za-z_]\w* = .*|[A-Za-z_]\w*(\[\d+\])? \+?= .*|[JB]\.fill\(0\)|\w+_\d+\([\w, ]+\));$/,
          );
        }
      }
    }
  });

  it('split bodies: a large system with a network term keeps exact VJP, Jacobian and ∂/∂t', () => {
    const spec = termModelSpec(30);
    const model = expressionModel({
      ...spec,
      terms: { nn: chain(2, dense(3, 'tanh'), dense(1)) },
      equations: { ...spec.equations, central: `${spec.equations.central} + nn(depot, t)` },
    });
    expect(model.source).toMatch(/^function vjp_\d+\(/m);
    const p = model.initialParameters(5);
    const u = Float64Array.from({ length: 6 }, (_, i) => 0.6 + 0.15 * i);
    const check = checkVjp(model, u, p, 0.4);
    const scale = Math.max(1, ...check.numeric.u.map(Math.abs), ...check.numeric.p.map(Math.abs));
    expect(check.maxAbsoluteError / scale, check.worst).toBeLessThan(1e-6);
    // Without the network: the split symbolic Jacobian and ∂/∂t against differences.
    const plain = expressionModel(spec);
    expect(plain.source).toMatch(/^function jacobian_\d+\(/m);
    const q = plain.initialParameters();
    const J = new Float64Array(36);
    const dt = new Float64Array(6);
    plain.jacobian(J, u, q, 0.4);
    plain.tgrad!(dt, u, q, 0.4);
    const up = new Float64Array(6);
    const down = new Float64Array(6);
    const h = 1e-6;
    for (let j = 0; j <= 6; j++) {
      const shifted = (sign: number): Float64Array => {
        const v = Float64Array.from(u);
        if (j < 6) v[j] += sign * h;
        return v;
      };
      plain.f(up, shifted(1), q, j < 6 ? 0.4 : 0.4 + h);
      plain.f(down, shifted(-1), q, j < 6 ? 0.4 : 0.4 - h);
      for (let i = 0; i < 6; i++) {
        const exact = j < 6 ? J[i * 6 + j] : dt[i];
        expect(Math.abs(exact - (up[i] - down[i]) / (2 * h))).toBeLessThan(
          1e-6 * Math.max(1, Math.abs(exact)),
        );
      }
    }
    const v = Float64Array.from({ length: 6 }, (_, i) => i - 2.5);
    const jv = new Float64Array(6);
    plain.jvp(v, u, q, 0.4, jv);
    for (let i = 0; i < 6; i++) {
      let sum = 0;
      for (let j = 0; j < 6; j++) sum += J[i * 6 + j] * v[j];
      expect(jv[i]).toBeCloseTo(sum, 10);
    }
  });
});
