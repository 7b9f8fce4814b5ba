/**
 * Least-squares fitting of a product-basis surrogate's coefficients to data: the layer is linear
 * in its coefficients, so the fit is one linear least-squares problem per output over the
 * design matrix A[s, j] = φ_j(x_s), solved by pivoted QR (`linalg/least-squares.ts`). Not a hot
 * path: it allocates.
 */
import { ScichainError, requireFiniteMatrix, requireLength } from '../core/errors.ts';
import { leastSquares } from '../linalg/least-squares.ts';
import type { FloatArray } from '../core/dtype.ts';
import { toRowMajor, type MatrixInput } from '../core/matrix.ts';
import type { ProductBasisLayer } from './product-basis.ts';

/** Samples for a fit: a flat row-major array (each sample's values contiguous) or a 2-D view. */
export type SampleMatrix = MatrixInput | readonly number[];

/** Options of the surrogate fits (`chebyshevFit`, `fourierFit`). */
export interface CoefficientFitOptions {
  /** Ridge weight λ ≥ 0: minimises ‖A·c − y‖² + λ‖c‖² per output (default 0). */
  ridge?: number;
  /** Relative tolerance for the numerical rank of A (default 1e-12, see `leastSquares`). */
  rankTolerance?: number;
}

/** Outcome of a surrogate fit. */
export interface CoefficientFit {
  /** Number of samples used. */
  readonly samples: number;
  /**
   * Numerical rank of the design matrix (smallest over the outputs); below `basisSize` the
   * data do not determine every coefficient and the undetermined ones are set to 0.
   */
  readonly rank: number;
  /** ‖A·c − y‖² summed over the outputs (without the ridge term). */
  readonly residualSumOfSquares: number;
}

function asRows(
  data: SampleMatrix,
  cols: number,
  what: string,
): { data: FloatArray; rows: number } {
  const input = Array.isArray(data)
    ? Float64Array.from(data as readonly number[])
    : (data as MatrixInput);
  const m = toRowMajor(input, cols, 'float64', what);
  return { data: m.data, rows: m.rows };
}

/**
 * Fits `layer`'s coefficients to samples `xs` (n × inputSize) and targets `ys`
 * (n × outputSize) by least squares and writes them to `theta[offset …]` in the layer's
 * parameter layout. Samples outside a Chebyshev domain follow the layer's `outside` option.
 */
export function fitCoefficients(
  layer: ProductBasisLayer,
  xs: SampleMatrix,
  ys: SampleMatrix,
  theta: FloatArray,
  offset = 0,
  options: CoefficientFitOptions = {},
): CoefficientFit {
  const d = layer.inputSize;
  const out = layer.outputSize;
  const P = layer.basisSize;
  const x = asRows(xs, d, 'xs');
  const y = asRows(ys, out, 'ys');
  if (x.rows !== y.rows) {
    throw new ScichainError(
      'ShapeMismatch',
      `xs has ${x.rows} samples but ys has ${y.rows} (${layer.description})`,
    );
  }
  if (x.rows === 0) throw new ScichainError('InvalidArgument', 'a fit needs at least one sample');
  requireLength(theta, offset + layer.paramCount, `θ (from offset ${offset})`, true);
  requireFiniteMatrix(x.data, x.rows, d, 'xs');
  requireFiniteMatrix(y.data, y.rows, out, 'ys');
  const a = layer.designMatrix(x.data, x.rows);
  const b = new Float64Array(x.rows);
  let rank = P;
  let rss = 0;
  for (let o = 0; o < out; o++) {
    for (let s = 0; s < x.rows; s++) b[s] = y.data[s * out + o];
    const fit = leastSquares(a, x.rows, P, b, options);
    for (let j = 0; j < P; j++) theta[offset + o * P + j] = fit.x[j];
    rank = Math.min(rank, fit.rank);
    rss += fit.residualSumOfSquares;
  }
  return { samples: x.rows, rank, residualSumOfSquares: rss };
}
