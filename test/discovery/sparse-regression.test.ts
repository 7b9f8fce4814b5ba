import { evaluate } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { leastSquares, polynomialLibrary, Rng, sparseRegression } from '../../src/index.ts';
import { libraryMatrix, stlsq } from '../../src/surrogates/index.ts';
import { luFactor, luSolve } from '../../src/linalg/lu.ts';

/** Solves (AᵀA + λI)x = Aᵀb by LU: an independent check of the QR path. */
function normalEquations(
  a: ArrayLike<number>,
  m: number,
  n: number,
  b: ArrayLike<number>,
  ridge = 0,
) {
  const ata = new Float64Array(n * n);
  const atb = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      atb[j] += a[i * n + j] * b[i];
      for (let k = 0; k < n; k++) ata[j * n + k] += a[i * n + j] * a[i * n + k];
    }
  }
  for (let j = 0; j < n; j++) ata[j * n + j] += ridge;
  const pivot = new Int32Array(n);
  expect(luFactor(ata, n, pivot)).toBe(true);
  luSolve(ata, n, pivot, atb);
  return atb;
}

describe('least squares by pivoted QR', () => {
  it('recovers the exact solution of a consistent overdetermined system', () => {
    const rng = new Rng(7);
    const m = 40;
    const n = 6;
    const a = rng.fillNormal(new Float64Array(m * n));
    const x = Float64Array.from({ length: n }, (_, j) => j - 2.5);
    const b = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) b[i] += a[i * n + j] * x[j];
    const fit = leastSquares(a, m, n, b);
    expect(fit.rank).toBe(n);
    for (let j = 0; j < n; j++) expect(fit.x[j]).toBeCloseTo(x[j], 12);
    expect(fit.residualSumOfSquares).toBeLessThan(1e-24);
  });

  it('matches the normal equations on noisy data, with and without ridge', () => {
    const rng = new Rng(8);
    const m = 30;
    const n = 4;
    const a = rng.fillNormal(new Float64Array(m * n));
    const b = rng.fillNormal(new Float64Array(m));
    for (const ridge of [0, 0.5, 10]) {
      const fit = leastSquares(a, m, n, b, { ridge });
      const reference = normalEquations(a, m, n, b, ridge);
      for (let j = 0; j < n; j++) expect(fit.x[j]).toBeCloseTo(reference[j], 11);
    }
  });

  it('beats the normal equations on an ill-conditioned monomial basis', () => {
    // Monomials 1 … t⁹ on [0, 1]: cond(A) ≈ 1e7, so cond(AᵀA) ≈ 1e14.
    const m = 60;
    const n = 10;
    const a = new Float64Array(m * n);
    const b = new Float64Array(m);
    const coefficients = Float64Array.from({ length: n }, (_, j) => (j % 2 ? -1 : 1) / (j + 1));
    for (let i = 0; i < m; i++) {
      const t = i / (m - 1);
      for (let j = 0; j < n; j++) {
        a[i * n + j] = t ** j;
        b[i] += coefficients[j] * t ** j;
      }
    }
    const qr = leastSquares(a, m, n, b);
    const maxError = Math.max(...qr.x.map((v, j) => Math.abs(v - coefficients[j])));
    expect(maxError).toBeLessThan(1e-7);
  });

  it('gives dependent columns zero and keeps the best fit', () => {
    const rng = new Rng(9);
    const m = 20;
    const a = new Float64Array(m * 3);
    const b = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const u = rng.normal();
      const v = rng.normal();
      a.set([u, v, 2 * u], i * 3); // third column = 2 × first
      b[i] = 3 * u - v + 0.01 * rng.normal();
    }
    const fit = leastSquares(a, m, 3, b);
    expect(fit.rank).toBe(2);
    expect(fit.x.filter((v) => v === 0).length).toBe(1);
    const full = leastSquares(
      a.filter((_, i) => i % 3 !== 2),
      m,
      2,
      b,
    );
    expect(fit.residualSumOfSquares).toBeCloseTo(full.residualSumOfSquares, 12);
    expect(fit.x[0] + 2 * fit.x[2]).toBeCloseTo(full.x[0], 10);
  });

  it('names bad input', () => {
    expect(() => leastSquares([1, 2, 3], 2, 2, [1, 2])).toThrow(/A has 3 entries but 2 × 2/);
    expect(() => leastSquares([1, 2, 3, 4], 2, 2, [1])).toThrow(/b has 1 entries but A has 2 rows/);
    expect(() => leastSquares([1, NaN, 3, 4], 2, 2, [1, 2])).toThrow(/A\[0, 1\] is NaN/);
    expect(() => leastSquares([1, 2, 3, 4], 2, 2, [1, Infinity])).toThrow(/b\[1\] is Infinity/);
    expect(() => leastSquares([1, 2, 3, 4], 2, 2, [1, 2], { ridge: -1 })).toThrow(/ridge/);
  });
});

describe('polynomial libraries', () => {
  it('lists every monomial up to the degree, in graded order, with mathjs-readable names', () => {
    const library = polynomialLibrary(['u1', 'u2'], 2);
    expect(library.names).toEqual(['1', 'u1', 'u2', 'u1^2', 'u1*u2', 'u2^2']);
    const cubic = polynomialLibrary(['x', 'y', 'z'], 3);
    expect(cubic.names.length).toBe(20); // C(3 + 3, 3)
    expect(polynomialLibrary(['x'], 4, { constant: false }).names).toEqual([
      'x',
      'x^2',
      'x^3',
      'x^4',
    ]);
    const out = new Float64Array(20);
    const point = { x: 0.7, y: -1.3, z: 2.1 };
    cubic.evaluate([point.x, point.y, point.z], out);
    cubic.names.forEach((name, k) =>
      expect(out[k]).toBeCloseTo(evaluate(name, point) as number, 14),
    );
  });

  it('builds Θ row by row and names bad input', () => {
    const library = polynomialLibrary(['a', 'b'], 1);
    expect(Array.from(libraryMatrix(library, [1, 2, 3, 4], 2))).toEqual([1, 1, 2, 1, 3, 4]);
    expect(() => libraryMatrix(library, [1, 2, 3], 2)).toThrow(
      /3 entries but 2 rows × 2 variables/,
    );
    expect(() => polynomialLibrary(['a', 'a'], 2)).toThrow(/'a' appears twice/);
    expect(() => polynomialLibrary(['a b'], 2)).toThrow(/not an identifier/);
    expect(() => polynomialLibrary(['a'], 0, { constant: false })).toThrow(/empty/);
    expect(() => polynomialLibrary(['a'], 1.5)).toThrow(/maxDegree/);
  });
});

describe('sequentially thresholded least squares', () => {
  // The Lotka–Volterra vector field sampled at random states: a sparse truth in a 10-term
  // cubic library (4 nonzero coefficients in all).
  function lotkaVolterraSamples(count: number, noise: number, seed: number) {
    const rng = new Rng(seed);
    const inputs = new Float64Array(2 * count);
    const targets = new Float64Array(2 * count);
    for (let r = 0; r < count; r++) {
      const x = 0.2 + 4 * rng.uniform();
      const y = 0.2 + 4 * rng.uniform();
      inputs.set([x, y], 2 * r);
      targets[2 * r] = 1.3 * x - 0.9 * x * y + noise * rng.normal();
      targets[2 * r + 1] = 0.8 * x * y - 1.8 * y + noise * rng.normal();
    }
    return { inputs, targets };
  }

  it('recovers a sparse vector field exactly from noise-free samples', () => {
    const { inputs, targets } = lotkaVolterraSamples(200, 0, 1);
    const model = sparseRegression({
      library: polynomialLibrary(['x', 'y'], 3),
      inputs,
      targets,
      outputNames: ['dx', 'dy'],
      threshold: 0.05,
    });
    expect(model.fits.map((f) => f.active.map((j) => model.library.names[j]))).toEqual([
      ['x', 'x*y'],
      ['y', 'x*y'],
    ]);
    expect(model.coefficient('dx', 'x')).toBeCloseTo(1.3, 12);
    expect(model.coefficient('dx', 'x*y')).toBeCloseTo(-0.9, 12);
    expect(model.coefficient('dy', 'y')).toBeCloseTo(-1.8, 12);
    expect(model.coefficient('dy', 'x*y')).toBeCloseTo(0.8, 12);
    expect(model.coefficient('dy', 'x^3')).toBe(0);
    expect(model.equations(3)).toEqual(['dx = 1.3*x - 0.9*x*y', 'dy = -1.8*y + 0.8*x*y']);
    // The printed expressions evaluate to the model's own output.
    const out = new Float64Array(2);
    model.evaluate([1.7, 0.4], out);
    model
      .expressions(17)
      .forEach((rhs, o) =>
        expect(evaluate(rhs, { x: 1.7, y: 0.4 }) as number).toBeCloseTo(out[o], 12),
      );
  });

  it('chooses the true support from a threshold sweep by BIC on noisy samples', () => {
    const { inputs, targets } = lotkaVolterraSamples(400, 0.05, 2);
    for (const selection of ['bic', 'aicc'] as const) {
      const model = sparseRegression({
        library: polynomialLibrary(['x', 'y'], 3),
        inputs,
        targets,
        selection,
      });
      const names = model.fits.map((f) => f.active.map((j) => model.library.names[j]));
      expect(names).toEqual([
        ['x', 'x*y'],
        ['y', 'x*y'],
      ]);
      expect(Math.abs(model.coefficient(0, 'x*y') + 0.9)).toBeLessThan(0.01);
      expect(Math.abs(model.coefficient(1, 'x*y') - 0.8)).toBeLessThan(0.01);
      expect(model.fits[0].rSquared).toBeGreaterThan(0.999);
    }
    // Plain least squares (threshold 0) keeps every term.
    const dense = sparseRegression({
      library: polynomialLibrary(['x', 'y'], 3),
      inputs,
      targets,
      threshold: 0,
    });
    expect(dense.fits[0].active.length).toBe(10);
  });

  it('drops terms whose relative contribution is below the threshold, whatever their units', () => {
    // y = 1 + 0.05·x with x ∈ [0, 1]: the x term contributes ~3 % of ‖y‖.
    const count = 50;
    const x = Float64Array.from({ length: count }, (_, i) => i / (count - 1));
    const y = x.map((v) => 1 + 0.05 * v);
    const fit = (scale: number, threshold: number) =>
      stlsq(
        Float64Array.from({ length: 2 * count }, (_, i) => (i % 2 ? x[i >> 1] * scale : 1)),
        y,
        count,
        { threshold },
      )[0];
    expect(fit(1, 0.01).active).toEqual([0, 1]);
    expect(fit(1, 0.05).active).toEqual([0]);
    // Rescaling the column changes its coefficient, not the decision.
    expect(fit(1000, 0.05).active).toEqual([0]);
    expect(fit(1000, 0.01).coefficients[1]).toBeCloseTo(0.05 / 1000, 14);
  });

  it('names bad input', () => {
    const library = polynomialLibrary(['x'], 1);
    expect(() => sparseRegression({ library, inputs: [1, 2], targets: [1, 2, 3] })).toThrow(
      /targets have 3 entries for 2 samples/,
    );
    expect(() => sparseRegression({ library, inputs: [1, 2], targets: [1, NaN] })).toThrow(
      /target row 1, output 1 is NaN/,
    );
    expect(() =>
      sparseRegression({ library, inputs: [1, 2], targets: [1, 2], threshold: -1 }),
    ).toThrow(/threshold must be finite and ≥ 0/);
    expect(() =>
      sparseRegression({ library, inputs: [1, 2], targets: [1, 2], outputNames: ['a', 'b'] }),
    ).toThrow(/2 output names for 1 target columns/);
    const model = sparseRegression({ library, inputs: [1, 2, 3], targets: [2, 4, 6] });
    expect(() => model.coefficient('nope', 'x')).toThrow(/no output 'nope'/);
    expect(() => model.coefficient(0, 'x^2')).toThrow(/no candidate 'x\^2'; candidates are 1, x/);
  });
});
