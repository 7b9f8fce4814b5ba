/**
 * The SimpleChains.jl seed problem: learn X ↦ vec(exp(reshape(X, 2, 2))) from random 2×2
 * matrices with standard-normal entries. `reshape` and `vec` are column-major as in Julia:
 * x = [x₁, x₂, x₃, x₄] is the matrix [[x₁, x₃], [x₂, x₄]], and the target is
 * [E₁₁, E₂₁, E₁₂, E₂₂] of E = exp(X).
 */
import { requireInteger } from '../core/errors.ts';
import { expm2 } from '../linalg/expm2.ts';
import { arrayType, type DType, type FloatArray } from '../core/dtype.ts';
import { Rng } from '../core/rng.ts';

/** Inputs and targets, each n × 4 row-major. */
export interface MatrixExponentialData {
  readonly x: FloatArray;
  readonly y: FloatArray;
  readonly n: number;
}

/** n samples drawn with a seed; targets computed in float64 and then stored in `dtype`. */
export function matrixExponentialData(
  n: number,
  seed: number,
  dtype: DType = 'float32',
): MatrixExponentialData {
  requireInteger(n, 'number of samples', 1);
  const rng = new Rng(seed);
  const T = arrayType(dtype);
  const x = new T(4 * n);
  const y = new T(4 * n);
  const e = new Float64Array(4);
  for (let s = 0; s < n; s++) {
    for (let k = 0; k < 4; k++) x[4 * s + k] = rng.normal();
    // Read back the stored (possibly float32-rounded) inputs so targets match them exactly.
    const x1 = x[4 * s];
    const x2 = x[4 * s + 1];
    const x3 = x[4 * s + 2];
    const x4 = x[4 * s + 3];
    expm2(x1, x3, x2, x4, e); // [[x1, x3], [x2, x4]] → row-major [E11, E12, E21, E22]
    y[4 * s] = e[0];
    y[4 * s + 1] = e[2];
    y[4 * s + 2] = e[1];
    y[4 * s + 3] = e[3];
  }
  return { x, y, n };
}
