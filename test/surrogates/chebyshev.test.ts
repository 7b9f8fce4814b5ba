// Chebyshev surrogates: interpolation accuracy (polynomials to rounding, Runge's function at the
// theoretical geometric rate, exp to machine precision), the layer's values against the series,
// multi-input bases, least-squares fits, behaviour outside the domain and every error case.
import { describe, expect, it } from 'vitest';
import { ScichainError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { Chebyshev, chebyshev, chebyshevFit } from '../../src/surrogates/chebyshev.ts';
import {
  chebyshevEvaluate,
  chebyshevInterpolate,
  chebyshevInterpolateLayer,
  chebyshevPoints,
} from '../../src/surrogates/chebyshev-interpolation.ts';
import { leastSquares } from '../../src/linalg/least-squares.ts';

/** Largest |p(x) − q(x)| over `count` + 1 equispaced points of [a, b]. */
function maxError(
  p: (x: number) => number,
  q: (x: number) => number,
  [a, b]: readonly [number, number],
  count = 2000,
): number {
  let e = 0;
  for (let i = 0; i <= count; i++) {
    const x = a + ((b - a) * i) / count;
    e = Math.max(e, Math.abs(p(x) - q(x)));
  }
  return e;
}

/** y = layer(x) for a batch, float64. */
function evaluate(layer: Chebyshev, theta: Float64Array, xs: number[]): Float64Array {
  const n = xs.length / layer.inputSize;
  const y = new Float64Array(n * layer.outputSize);
  layer.forward(theta, 0, Float64Array.from(xs), y, layer.createCache('float64', n), n);
  return y;
}

describe('Chebyshev points', () => {
  it('are the roots of T_n, ascending, symmetric, mapped to the domain', () => {
    const t = chebyshevPoints(5);
    expect(Array.from(t)).toEqual([
      -Math.sin((2 * Math.PI) / 5),
      -Math.sin(Math.PI / 5),
      0,
      Math.sin(Math.PI / 5),
      Math.sin((2 * Math.PI) / 5),
    ]);
    // T_5(t) = 16t⁵ − 20t³ + 5t vanishes at each.
    for (const v of t) expect(Math.abs(16 * v ** 5 - 20 * v ** 3 + 5 * v)).toBeLessThan(1e-14);
    const x = chebyshevPoints(4, [2, 6]);
    for (let j = 0; j < 4; j++)
      expect(x[j]).toBeCloseTo(4 - 2 * Math.cos((Math.PI * (j + 0.5)) / 4), 14);
  });
});

describe('Chebyshev interpolation', () => {
  it('reproduces polynomials up to its degree to rounding (coefficients and values)', () => {
    const rng = new Rng(1);
    for (const degree of [0, 1, 2, 5, 12, 30]) {
      const c = rng.fillNormal(new Float64Array(degree + 1)) as Float64Array;
      const p = (x: number): number => chebyshevEvaluate(c, x, [-3, 5]);
      for (const extra of [0, 4]) {
        const got = chebyshevInterpolate(p, { degree: degree + extra, domain: [-3, 5] });
        for (let k = 0; k <= degree + extra; k++) {
          expect(Math.abs(got[k] - (k <= degree ? c[k] : 0))).toBeLessThan(1e-13);
        }
      }
    }
    // A polynomial in monomial form on a shifted domain: 3x⁵ − 2x² + 1 on [2, 5] (values ~1e4).
    const q = (x: number): number => 3 * x ** 5 - 2 * x ** 2 + 1;
    const c = chebyshevInterpolate(q, { degree: 5, domain: [2, 5] });
    const err = maxError(q, (x) => chebyshevEvaluate(c, x, [2, 5]), [2, 5]);
    expect(err / q(5)).toBeLessThan(1e-14);
  });

  it("Runge's 1/(1 + 25x²): the error decays at the rate ρ = (1 + √26)/5 and is ≤ 1e-10 by degree 200", () => {
    const runge = (x: number): number => 1 / (1 + 25 * x * x);
    const degrees = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const logErrors = degrees.map((n) => {
      const c = chebyshevInterpolate(runge, { degree: n });
      return Math.log(maxError(runge, (x) => chebyshevEvaluate(c, x), [-1, 1]));
    });
    // Least-squares slope of log(error) against degree: error ≈ C·ρ^(−n).
    const design = degrees.flatMap((n) => [1, n]);
    const slope = leastSquares(design, degrees.length, 2, logErrors).x[1];
    const rho = Math.exp(-slope);
    const theory = (1 + Math.sqrt(26)) / 5;
    expect(theory).toBeCloseTo(1.2198, 4);
    expect(Math.abs(rho - theory) / theory).toBeLessThan(0.1);
    // Measured: ρ ≈ 1.2195, 0.02 % from theory.
    expect(Math.abs(rho - theory) / theory).toBeLessThan(0.002);
    const c200 = chebyshevInterpolate(runge, { degree: 200 });
    expect(maxError(runge, (x) => chebyshevEvaluate(c200, x), [-1, 1])).toBeLessThan(1e-10);
  });

  it('exp(x) on [−1, 1] to machine precision by degree 20', () => {
    const c = chebyshevInterpolate(Math.exp, { degree: 20 });
    expect(maxError(Math.exp, (x) => chebyshevEvaluate(c, x), [-1, 1])).toBeLessThan(1e-14);
    // The coefficients are 2·I_k(1) (modified Bessel functions): c₁ = 2·I₁(1).
    expect(c[1]).toBeCloseTo(2 * 0.565159103992485, 14);
  });

  it('a one-input layer with the interpolated coefficients evaluates the interpolant', () => {
    const layer = new Chebyshev({ inputs: 1, degree: 20, domain: [0, 2] });
    const theta = new Float64Array(layer.paramCount);
    theta.set(chebyshevInterpolate(Math.exp, { degree: 20, domain: [0, 2] }));
    const xs = Array.from({ length: 101 }, (_, i) => i / 50);
    const y = evaluate(layer, theta, xs);
    xs.forEach((x, i) => expect(Math.abs(y[i] - Math.exp(x)) / Math.exp(x)).toBeLessThan(1e-14));
  });

  it('tensor interpolation of a layer reproduces tensor polynomials; total basis keeps total-degree polynomials', () => {
    const f = (x: Float64Array, y: Float64Array): void => {
      y[0] = x[0] ** 3 * x[1] ** 3 - 2 * x[0] * x[1] + 0.5; // degree 3 in each input
      y[1] = Math.cos(x[0]) + x[1] ** 2 * x[0]; // only approximated (cubic in x₁: ~2e-2)
    };
    const domain = [
      [-1, 2],
      [0, 1],
    ] as const;
    const tensor = new Chebyshev({ inputs: 2, degree: 3, outputs: 2, domain, basis: 'tensor' });
    const theta = new Float64Array(tensor.paramCount);
    chebyshevInterpolateLayer(tensor, f, theta);
    const rng = new Rng(2);
    const xs = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? -1 + 3 * rng.uniform() : rng.uniform(),
    );
    const y = evaluate(tensor, theta, xs);
    const want = new Float64Array(2);
    for (let s = 0; s < 20; s++) {
      f(Float64Array.from(xs.slice(2 * s, 2 * s + 2)), want);
      expect(Math.abs(y[2 * s] - want[0])).toBeLessThan(1e-13);
      expect(Math.abs(y[2 * s + 1] - want[1])).toBeLessThan(0.05);
    }
    // Total degree 4 contains x²y² − 3xy + y but not x³y³; the grid projection recovers it.
    const total = new Chebyshev({ inputs: 2, degree: 4, domain, basis: 'total' });
    const theta2 = new Float64Array(total.paramCount);
    const g = (x: Float64Array): number => x[0] ** 2 * x[1] ** 2 - 3 * x[0] * x[1] + x[1];
    chebyshevInterpolateLayer(total, g, theta2, 0);
    const y2 = evaluate(total, theta2, xs);
    for (let s = 0; s < 20; s++) {
      expect(Math.abs(y2[s] - g(Float64Array.from(xs.slice(2 * s, 2 * s + 2))))).toBeLessThan(
        1e-13,
      );
    }
  });
});

describe('Chebyshev layers', () => {
  it('basis sizes, multi-indices, parameter groups and description', () => {
    const total = chebyshev({ degree: 3, inputs: 3 });
    expect(total.basisSize).toBe(20); // C(6, 3)
    expect(total.basis).toBe('total');
    const tensor = chebyshev({ degree: 3, inputs: 2, outputs: 2, basis: 'tensor' });
    expect(tensor.basisSize).toBe(16);
    expect(tensor.paramCount).toBe(32);
    expect(tensor.parameterGroups()).toEqual([
      { name: 'coefficients', offset: 0, size: 32, shape: [2, 4, 4], role: 'weight' },
    ]);
    // Rows in lexicographic order, last input fastest; total keeps those with k₁ + k₂ ≤ degree.
    const small = chebyshev({ degree: 2, inputs: 2 });
    expect(Array.from(small.multiIndex)).toEqual([0, 0, 0, 1, 0, 2, 1, 0, 1, 1, 2, 0]);
    expect(small.description).toBe('chebyshev(2 → 1, degree 2, total, 6 terms)');
    expect(chebyshev({ degree: 5, inputs: 1, basis: 'tensor' }).basisSize).toBe(6);
  });

  it('y is Σ c_j T_{k1}(t1)·T_{k2}(t2) with t the inputs mapped to [−1, 1]', () => {
    const layer = new Chebyshev({
      inputs: 2,
      degree: 2,
      outputs: 2,
      domain: [
        [0, 4],
        [-1, 1],
      ],
    });
    const T = [(): number => 1, (t: number): number => t, (t: number): number => 2 * t * t - 1];
    const theta = new Rng(3).fillNormal(new Float64Array(layer.paramCount)) as Float64Array;
    const x = [3, -0.4];
    const t = [(x[0] - 2) / 2, x[1]];
    const y = evaluate(layer, theta, x);
    for (let o = 0; o < 2; o++) {
      let want = 0;
      for (let j = 0; j < 6; j++) {
        const [k1, k2] = [layer.multiIndex[2 * j], layer.multiIndex[2 * j + 1]];
        want += theta[o * 6 + j] * T[k1](t[0]) * T[k2](t[1]);
      }
      expect(y[o]).toBeCloseTo(want, 14);
    }
  });

  it('init: seeded, small, decaying with degree; zeros on request', () => {
    const layer = chebyshev({ degree: 10, inputs: 1, outputs: 200 });
    const a = new Float64Array(layer.paramCount);
    const b = new Float64Array(layer.paramCount);
    layer.init(a, 0, new Rng(4));
    layer.init(b, 0, new Rng(4));
    expect(Array.from(a)).toEqual(Array.from(b));
    const rms = (k: number): number => {
      let s = 0;
      for (let o = 0; o < 200; o++) s += a[o * 11 + k] ** 2;
      return Math.sqrt(s / 200);
    };
    expect(rms(0)).toBeGreaterThan(0.08);
    expect(rms(0)).toBeLessThan(0.12);
    expect(rms(10) / rms(0)).toBeLessThan(0.02); // sd ∝ 1/(1 + k)²: 1/121
    const zeros = chebyshev({ degree: 3, inputs: 2, init: 'zeros' });
    const z = new Float64Array(zeros.paramCount + 2).fill(7);
    zeros.init(z, 1, new Rng(1));
    expect(Array.from(z)).toEqual([7, ...new Array(zeros.paramCount).fill(0), 7]);
  });

  it('least squares recovers a total-degree polynomial exactly and a noisy one closely', () => {
    const layer = new Chebyshev({ inputs: 2, degree: 3, domain: [-2, 2], outputs: 2 });
    const rng = new Rng(5);
    const truth = rng.fillNormal(new Float64Array(layer.paramCount)) as Float64Array;
    const xs = rng.fillUniform(new Float64Array(2 * 300), -2, 2) as Float64Array;
    const ys = evaluate(layer, truth, Array.from(xs));
    const theta = new Float64Array(layer.paramCount + 3);
    const fit = chebyshevFit(layer, xs, ys, theta, 3);
    expect(fit.samples).toBe(300);
    expect(fit.rank).toBe(layer.basisSize);
    expect(fit.residualSumOfSquares).toBeLessThan(1e-24);
    for (let i = 0; i < truth.length; i++) expect(theta[3 + i]).toBeCloseTo(truth[i], 12);
    // Noise of sd 0.01 on 300 samples: coefficients within a few × 0.01/√(300/10·…).
    const noisy = Array.from(ys, (v) => v + 0.01 * rng.normal());
    const fit2 = chebyshevFit(layer, Array.from(xs), noisy, theta, 0);
    for (let i = 0; i < truth.length; i++) expect(Math.abs(theta[i] - truth[i])).toBeLessThan(0.01);
    // RSS ≈ (samples − parameters per output) · σ² per output.
    expect(fit2.residualSumOfSquares / (2 * (300 - 10) * 1e-4)).toBeGreaterThan(0.8);
    expect(fit2.residualSumOfSquares / (2 * (300 - 10) * 1e-4)).toBeLessThan(1.2);
  });

  it('a fit with fewer samples than coefficients reports the rank it found', () => {
    const layer = new Chebyshev({ inputs: 1, degree: 5 });
    const theta = new Float64Array(6);
    const fit = chebyshevFit(layer, [0.1, 0.5, 0.9], [1, 2, 3], theta);
    expect(fit.rank).toBe(3);
    expect(fit.residualSumOfSquares).toBeLessThan(1e-20);
  });
});

describe('Chebyshev outside the domain', () => {
  const theta = Float64Array.from([0.5, 0, 1]); // 0.5 + T₂(t) = 2t²−0.5 on [0, 1]
  it("'extrapolate' (default) evaluates the polynomial beyond [−1, 1]", () => {
    const layer = chebyshev({ degree: 2, inputs: 1, domain: [0, 1] });
    expect(layer.outside).toBe('extrapolate');
    // x = 1.5 → t = 2: 2·4 − 0.5 = 7.5; x = −1 → t = −3: 17.5.
    expect(Array.from(evaluate(layer, theta, [1.5, -1]))).toEqual([7.5, 17.5]);
  });

  it("'clamp' evaluates at the nearest end and has zero input derivative there", () => {
    const layer = chebyshev({ degree: 2, inputs: 1, domain: [0, 1], outside: 'clamp' });
    expect(Array.from(evaluate(layer, theta, [1.5, -1, 1, 0, Infinity]))).toEqual([
      1.5, 1.5, 1.5, 1.5, 1.5,
    ]);
    const cache = layer.createCache('float64', 2);
    const y = new Float64Array(2);
    const xBar = new Float64Array(2);
    const grad = new Float64Array(3);
    layer.forward(theta, 0, Float64Array.from([3, 0.75]), y, cache, 2);
    layer.vjp(theta, 0, cache, Float64Array.from([1, 1]), xBar, grad, 0, 2);
    expect(Math.abs(xBar[0])).toBe(0);
    expect(xBar[1]).toBeCloseTo(4, 12); // d(2t² − 0.5)/dt · dt/dx = 4t · 2 at t = 0.5
    // Coefficient gradient at the clamped point is T_k(1) = 1 for every k.
    expect(Array.from(grad)).toEqual([2, 1 + 0.5, 1 + (2 * 0.25 - 1)]);
  });

  it("'error' throws a ScichainError naming the input, the value and the domain", () => {
    const layer = chebyshev({
      degree: 2,
      inputs: 2,
      domain: [
        [0, 1],
        [-2, 3],
      ],
      outside: 'error',
    });
    const t = new Float64Array(layer.paramCount);
    expect(evaluate(layer, t, [0, -2, 1, 3])).toHaveLength(2); // the ends are inside
    expect(() => evaluate(layer, t, [0.5, 0, 0.5, 3.25])).toThrow(
      "chebyshev input 2 of 2 is 3.25, outside its domain [-2, 3] (outside: 'error'; use outside: 'clamp' or 'extrapolate' to allow it)",
    );
    try {
      evaluate(layer, t, [NaN, 0]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScichainError);
      expect((e as ScichainError).code).toBe('NonFinite');
      expect((e as ScichainError).message).toMatch(
        /chebyshev input 1 of 2 is NaN, outside its domain \[0, 1\]/,
      );
    }
    expect(() => chebyshevFit(layer, [0.5, 0, 2, 0], [1, 2], new Float64Array(6))).toThrow(
      /sample 1: chebyshev input 1 of 2 is 2, outside its domain \[0, 1\]/,
    );
  });

  it('a NaN input gives NaN outputs under clamp and extrapolate', () => {
    for (const outside of ['clamp', 'extrapolate'] as const) {
      const layer = chebyshev({ degree: 2, inputs: 1, domain: [0, 1], outside });
      expect(evaluate(layer, theta, [NaN])[0]).toBeNaN();
    }
  });
});

describe('Chebyshev errors', () => {
  const fails = (f: () => unknown, message: RegExp | string, code?: string): void => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ScichainError);
      expect((e as ScichainError).message).toMatch(message);
      if (code !== undefined) expect((e as ScichainError).code).toBe(code);
      return;
    }
    expect.unreachable(`no error for ${String(message)}`);
  };

  it('degenerate or non-finite domains name the input', () => {
    fails(
      () => chebyshev({ degree: 2, domain: [1, 1] }),
      'chebyshev domain is [1, 1]; it must be finite with a < b',
    );
    fails(() => chebyshev({ degree: 2, domain: [2, 1], inputs: 1 }), 'chebyshev domain is [2, 1]');
    fails(
      () => chebyshev({ degree: 2, domain: [0, Infinity] }),
      'chebyshev domain is [0, Infinity]',
    );
    fails(() => chebyshev({ degree: 2, domain: [NaN, 1] }), 'chebyshev domain is [NaN, 1]');
    fails(
      () =>
        chebyshev({
          degree: 2,
          domain: [
            [0, 1],
            [3, 1],
          ],
        }),
      'chebyshev domain of input 2 is [3, 1]; it must be finite with a < b',
    );
    fails(
      () => chebyshev({ degree: 2, domain: [0] as unknown as [number, number] }),
      'chebyshev domain must be an interval [a, b] of two numbers, got [0]',
    );
    fails(
      () =>
        chebyshev({
          degree: 2,
          inputs: 3,
          domain: [
            [0, 1],
            [0, 2],
          ],
        }),
      'chebyshev has 3 inputs but 2 domains were given',
      'ShapeMismatch',
    );
  });

  it('bad degrees, sizes and names', () => {
    fails(() => chebyshev({ degree: -1 }), 'chebyshev degree must be an integer ≥ 0, got -1');
    fails(() => chebyshev({ degree: 2.5 }), 'chebyshev degree must be an integer ≥ 0, got 2.5');
    fails(
      () => chebyshev({ degree: 2, outputs: 0 }),
      'chebyshev outputs must be an integer ≥ 1, got 0',
    );
    fails(
      () => new Chebyshev({ degree: 2, inputs: 0 }),
      'chebyshev inputs must be an integer ≥ 1, got 0',
    );
    fails(
      () => chebyshev({ degree: 2, basis: 'full' as 'total' }),
      "chebyshev basis must be one of 'total', 'tensor', got 'full'",
      'UnknownName',
    );
    fails(
      () => chebyshev({ degree: 2, outside: 'wrap' as 'clamp' }),
      "chebyshev outside must be one of 'extrapolate', 'clamp', 'error', got 'wrap'",
    );
    fails(
      () => chebyshev({ degree: 20, inputs: 5, basis: 'tensor' }),
      'a tensor basis of 5 inputs × 21 functions each has 4084101 basis functions, more than the limit of 1000000',
    );
  });

  it('bad batches, fits and interpolation arguments', () => {
    const layer = new Chebyshev({ inputs: 2, degree: 2, outputs: 2 });
    const cache = layer.createCache('float64', 2);
    const theta = new Float64Array(layer.paramCount);
    fails(
      () => layer.forward(theta, 0, new Float64Array(6), new Float64Array(6), cache, 3),
      'batch size n = 3 must be an integer in 1…2',
    );
    fails(() => layer.createCache('float64', 0), 'batch capacity must be an integer ≥ 1, got 0');
    fails(() => chebyshevFit(layer, [0, 0, 1, 1], [1, 2], theta), 'xs has 2 samples but ys has 1');
    fails(
      () => chebyshevFit(layer, [0, 0, 1], [1, 2], theta),
      'xs has length 3, not a multiple of 2 columns',
    );
    fails(
      () => chebyshevFit(layer, [0, NaN], [1, 2], theta),
      'xs has a non-finite value NaN at row 0, column 1',
    );
    fails(
      () => chebyshevFit(layer, [0, 0], [1, 2], new Float64Array(5)),
      'θ (from offset 0) has length 5 but at least 12 is needed',
    );
    fails(() => chebyshevPoints(0), 'number of Chebyshev points must be an integer ≥ 1, got 0');
    fails(
      () => chebyshevInterpolate((x) => 1 / x, { degree: 2 }),
      'the interpolated function at x = 0 must be a finite number, got Infinity',
    );
    fails(
      () => chebyshevInterpolateLayer(layer, () => 1, theta),
      'the function returned a number but chebyshev(2 → 2, degree 2, total, 6 terms) has 2 outputs',
    );
    fails(
      () => chebyshevInterpolateLayer(layer, (_x, y) => void (y[0] = 1), theta),
      /output 2 of the interpolated function at x = \[.*\] must be a finite number, got NaN/,
    );
    fails(() => chebyshevEvaluate([1, 2], 0, [1, 0]), 'domain is [1, 0]');
  });
});
