// Fourier surrogates: exact reproduction of trigonometric polynomials (additive and tensor
// forms, large inputs), recovery of known coefficients from noisy periodic data by least squares,
// parameter layout and every error case.
import { describe, expect, it } from 'vitest';
import { ScichainError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { Fourier, fourier, fourierFit } from '../../src/surrogates/fourier.ts';

function evaluate(layer: Fourier, theta: Float64Array, xs: ArrayLike<number>): Float64Array {
  const n = xs.length / layer.inputSize;
  const y = new Float64Array(n * layer.outputSize);
  layer.forward(theta, 0, Float64Array.from(xs), y, layer.createCache('float64', n), n);
  return y;
}

/** a₀ + Σ a_k cos(2πkx/L) + b_k sin(2πkx/L) with c = [a₀, a₁, b₁, a₂, b₂, …]. */
function series(
  c: ArrayLike<number>,
  offset: number,
  harmonics: number,
  x: number,
  L: number,
): number {
  let s = 0;
  for (let k = 1; k <= harmonics; k++) {
    const angle = (2 * Math.PI * k * x) / L;
    s += c[offset + 2 * k - 1] * Math.cos(angle) + c[offset + 2 * k] * Math.sin(angle);
  }
  return s;
}

describe('Fourier layers reproduce trigonometric polynomials', () => {
  it('one input: a₀ + Σ a_k cos + b_k sin, parameters [a₀, a₁, b₁, …] per output', () => {
    const layer = new Fourier({ inputs: 1, harmonics: 6, period: 2.5, outputs: 2 });
    expect(layer.paramCount).toBe(26);
    expect(layer.parameterGroups()).toEqual([
      { name: 'coefficients', offset: 0, size: 26, shape: [2, 13], role: 'weight' },
    ]);
    const theta = new Rng(1).fillNormal(new Float64Array(26)) as Float64Array;
    const xs = Array.from({ length: 200 }, (_, i) => -5 + i * 0.05);
    const y = evaluate(layer, theta, xs);
    xs.forEach((x, s) => {
      for (let o = 0; o < 2; o++) {
        const want = theta[o * 13] + series(theta, o * 13, 6, x, 2.5);
        expect(Math.abs(y[2 * s + o] - want)).toBeLessThan(1e-13);
      }
    });
  });

  it('several inputs, additive: one constant, then each input’s series', () => {
    const layer = fourier({ harmonics: 3, period: [1, 7], inputs: 2 });
    expect(layer.form).toBe('additive');
    expect(layer.basisSize).toBe(13);
    expect(layer.description).toBe('fourier(2 → 1, 3 harmonics, additive, 13 terms)');
    const theta = new Rng(2).fillNormal(new Float64Array(13)) as Float64Array;
    const rng = new Rng(3);
    const xs = rng.fillUniform(new Float64Array(2 * 50), -10, 10);
    const y = evaluate(layer, theta, xs);
    for (let s = 0; s < 50; s++) {
      const want =
        theta[0] + series(theta, 0, 3, xs[2 * s], 1) + series(theta, 6, 3, xs[2 * s + 1], 7);
      expect(Math.abs(y[s] - want)).toBeLessThan(1e-13);
    }
  });

  it('several inputs, tensor: products of one term per input, row-major [2H+1, 2H+1]', () => {
    const layer = fourier({ harmonics: 2, period: [2, 3], inputs: 2, form: 'tensor' });
    expect(layer.basisSize).toBe(25);
    expect(layer.parameterGroups()[0].shape).toEqual([1, 5, 5]);
    const term = (j: number, x: number, L: number): number => {
      if (j === 0) return 1;
      const k = Math.ceil(j / 2);
      const angle = (2 * Math.PI * k * x) / L;
      return j % 2 === 1 ? Math.cos(angle) : Math.sin(angle);
    };
    const theta = new Rng(4).fillNormal(new Float64Array(25)) as Float64Array;
    const xs = [0.3, -1.7, 5.1, 2.2];
    const y = evaluate(layer, theta, xs);
    for (let s = 0; s < 2; s++) {
      let want = 0;
      for (let j1 = 0; j1 < 5; j1++)
        for (let j2 = 0; j2 < 5; j2++)
          want += theta[j1 * 5 + j2] * term(j1, xs[2 * s], 2) * term(j2, xs[2 * s + 1], 3);
      expect(Math.abs(y[s] - want)).toBeLessThan(1e-13);
    }
  });

  it('keeps its accuracy for inputs many periods away (the phase is reduced first)', () => {
    const layer = fourier({ harmonics: 4, period: 24, inputs: 1 });
    const theta = new Rng(5).fillNormal(new Float64Array(9)) as Float64Array;
    const base = evaluate(layer, theta, [5.25]);
    const far = evaluate(layer, theta, [5.25 + 24 * 10_000]);
    expect(Math.abs(far[0] - base[0])).toBeLessThan(1e-12);
  });
});

describe('fourierFit', () => {
  it('recovers known coefficients from noisy periodic data', () => {
    const layer = fourier({ harmonics: 3, period: 24, inputs: 1 });
    const truth = Float64Array.from([2, 1.5, -0.5, 0, 0.8, 0.25, 0]);
    const rng = new Rng(6);
    const n = 2000;
    const sigma = 0.1;
    const xs = rng.fillUniform(new Float64Array(n), 0, 24 * 5);
    const clean = evaluate(layer, truth, xs);
    const ys = Float64Array.from(clean, (v) => v + sigma * rng.normal());
    const theta = new Float64Array(7);
    const fit = fourierFit(layer, xs, ys, theta);
    expect(fit.rank).toBe(7);
    // Standard errors: σ·√(1/n) for a₀, σ·√(2/n) for the rest (≈ 0.003); allow 4 of them.
    for (let j = 0; j < 7; j++)
      expect(Math.abs(theta[j] - truth[j])).toBeLessThan(4 * sigma * Math.sqrt(2 / n));
    expect(fit.residualSumOfSquares / ((n - 7) * sigma * sigma)).toBeGreaterThan(0.9);
    expect(fit.residualSumOfSquares / ((n - 7) * sigma * sigma)).toBeLessThan(1.1);
  });

  it('fits additive several-input, several-output series exactly from clean data', () => {
    const layer = new Fourier({ inputs: 2, harmonics: 2, period: [1, 3], outputs: 2 });
    const rng = new Rng(7);
    const truth = rng.fillNormal(new Float64Array(layer.paramCount)) as Float64Array;
    const xs = rng.fillUniform(new Float64Array(2 * 100), 0, 6);
    const ys = evaluate(layer, truth, xs);
    const theta = new Float64Array(layer.paramCount);
    fourierFit(layer, xs, ys, theta);
    for (let i = 0; i < truth.length; i++) expect(theta[i]).toBeCloseTo(truth[i], 11);
  });
});

describe('Fourier errors', () => {
  const fails = (f: () => unknown, message: string, code = 'InvalidArgument'): void => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ScichainError);
      expect((e as ScichainError).message).toContain(message);
      expect((e as ScichainError).code).toBe(code);
      return;
    }
    expect.unreachable(`no error for ${message}`);
  };

  it('non-positive or non-finite periods, naming the input', () => {
    fails(
      () => fourier({ harmonics: 2, period: 0 }),
      'fourier period must be a finite number > 0, got 0',
    );
    fails(
      () => fourier({ harmonics: 2, period: -3 }),
      'fourier period must be a finite number > 0, got -3',
    );
    fails(() => fourier({ harmonics: 2, period: NaN }), 'got NaN');
    fails(() => fourier({ harmonics: 2, period: Infinity }), 'got Infinity');
    fails(
      () => fourier({ harmonics: 2, period: [1, -1] }),
      'fourier period of input 2 must be a finite number > 0, got -1',
    );
    fails(
      () => fourier({ harmonics: 2, period: [1, 2], inputs: 3 }),
      'fourier has 3 inputs but 2 periods were given',
      'ShapeMismatch',
    );
  });

  it('bad harmonics, outputs, inputs and form', () => {
    fails(
      () => fourier({ harmonics: -1, period: 1 }),
      'fourier harmonics must be an integer ≥ 0, got -1',
    );
    fails(
      () => fourier({ harmonics: 1.5, period: 1 }),
      'fourier harmonics must be an integer ≥ 0, got 1.5',
    );
    fails(
      () => fourier({ harmonics: 1, period: 1, outputs: 0 }),
      'fourier outputs must be an integer ≥ 1, got 0',
    );
    fails(
      () => new Fourier({ harmonics: 1, period: 1, inputs: -2 }),
      'fourier inputs must be an integer ≥ 1, got -2',
    );
    fails(
      () => fourier({ harmonics: 1, period: 1, form: 'product' as 'tensor' }),
      "fourier form must be one of 'additive', 'tensor', got 'product'",
      'UnknownName',
    );
    fails(
      () => fourier({ harmonics: 10, period: 1, inputs: 5, form: 'tensor' }),
      'a tensor basis of 5 inputs × 21 functions each has 4084101 basis functions',
    );
  });

  it('harmonics 0 is the constant alone', () => {
    const layer = fourier({ harmonics: 0, period: 1, inputs: 3 });
    expect(layer.basisSize).toBe(1);
    expect(Array.from(evaluate(layer, Float64Array.from([4]), [1, 2, 3]))).toEqual([4]);
  });
});
