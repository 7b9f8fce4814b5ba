// Compile time of expression models grows gently with their size (issue 17, defect 4: mathjs's
// derivative with global simplification took 17–98 s for a ten-term right-hand side, here 20 s
// on the generator below, and hung on nested definitions). The bounds are generous for a loaded
// CI machine: `npm run bench -- compile` measures about 0.1 s for 10 and 0.2 s for 50 terms.
import { describe, expect, it } from 'vitest';
import { expressionModel } from '../../src/index.ts';
import { TERM_MODEL_STATES, termModelSpec } from '../../bench/compile.ts';

function timed<T>(make: () => T): { value: T; seconds: number } {
  const t0 = performance.now();
  const value = make();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/** Largest |J − central differences of f| relative to the Jacobian's scale. */
function jacobianError(model: ReturnType<typeof expressionModel>, t: number): number {
  const n = model.stateCount;
  const p = model.initialParameters();
  const u = Float64Array.from({ length: n }, (_, i) => 0.6 + 0.15 * i);
  const J = new Float64Array(n * n);
  model.jacobian(J, u, p, t);
  const up = new Float64Array(n);
  const down = new Float64Array(n);
  let worst = 0;
  const scale = Math.max(1, ...J.map(Math.abs));
  for (let j = 0; j < n; j++) {
    const h = 1e-6 * Math.max(1, Math.abs(u[j]));
    const x = u[j];
    u[j] = x + h;
    model.f(up, u, p, t);
    u[j] = x - h;
    model.f(down, u, p, t);
    u[j] = x;
    for (let i = 0; i < n; i++) {
      worst = Math.max(worst, Math.abs(J[i * n + j] - (up[i] - down[i]) / (2 * h)) / scale);
    }
  }
  return worst;
}

describe('compile time of expression models', () => {
  it('a ten-term right-hand side (6 states, 108 parameters) compiles in under 2 s, correctly', () => {
    const spec = termModelSpec(10);
    expect(Object.keys(spec.parameters!)).toHaveLength(108);
    const { value: model, seconds } = timed(() => expressionModel(spec));
    expect(seconds).toBeLessThan(2);
    expect(model.stateCount).toBe(TERM_MODEL_STATES.length);
    expect(jacobianError(model, 0.4)).toBeLessThan(1e-6);
  });

  it('a fifty-term right-hand side (540 parameters) compiles in under 5 s', () => {
    const { value: model, seconds } = timed(() => expressionModel(termModelSpec(50)));
    expect(seconds).toBeLessThan(5);
    expect(jacobianError(model, 0.4)).toBeLessThan(1e-6);
  });

  it('thirty nested definitions, each using the one before twice, compile in under 2 s', () => {
    // Substituted as a tree this is 2³⁰ leaves: only a shared graph keeps it linear.
    const definitions: Record<string, string> = { d0: 'x + a' };
    for (let k = 1; k <= 30; k++) {
      definitions[`d${k}`] = `d${k - 1}/(1 + d${k - 1}^2) + 0.1`;
    }
    const { value: model, seconds } = timed(() =>
      expressionModel({
        states: ['x'],
        parameters: { a: 0.3 },
        definitions,
        equations: { x: '-d30' },
      }),
    );
    expect(seconds).toBeLessThan(2);
    let d = 0.5 + 0.3;
    let dd = 1; // ∂d/∂x
    for (let k = 1; k <= 30; k++) {
      dd = (dd * (1 - d * d)) / (1 + d * d) ** 2;
      d = d / (1 + d * d) + 0.1;
    }
    const out = new Float64Array(1);
    const J = new Float64Array(1);
    model.f(out, Float64Array.of(0.5), model.initialParameters(), 0);
    model.jacobian(J, Float64Array.of(0.5), model.initialParameters(), 0);
    expect(out[0]).toBeCloseTo(-d, 14);
    expect(J[0]).toBeCloseTo(-dd, 14);
    expect(model.source.length).toBeLessThan(50_000);
  });
});
