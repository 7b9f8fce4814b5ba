/**
 * Dense linear least squares min ‖A·x − b‖² (+ ridge·‖x‖²) by Householder QR with column
 * pivoting (Golub & Van Loan, Matrix Computations, 4th ed., Algorithm 5.4.1). QR instead of the
 * normal equations because candidate libraries (1, u, u², u·v, …) are badly conditioned: the
 * normal equations square the condition number. Column pivoting finds the numerical rank, so
 * columns that add nothing get a zero coefficient instead of a huge cancelling pair.
 *
 * Not a hot path (sparse regression calls it a few dozen times): it allocates its workspace.
 */
import { ScichainError } from '../core/errors.ts';

/** Options of {@link leastSquares}. */
export interface LeastSquaresOptions {
  /** Tikhonov (ridge) weight λ ≥ 0: minimises ‖Ax − b‖² + λ‖x‖² (default 0). */
  ridge?: number;
  /**
   * Relative tolerance for the numerical rank: a pivoted column whose remaining norm is below
   * `rankTolerance` × the largest column norm is treated as dependent (default 1e-12).
   */
  rankTolerance?: number;
}

/** Outcome of {@link leastSquares}. */
export interface LeastSquaresResult {
  /** The solution (length n). */
  readonly x: Float64Array;
  /** Numerical rank found by the pivoted QR. */
  readonly rank: number;
  /** ‖A·x − b‖² (without the ridge term). */
  readonly residualSumOfSquares: number;
}

/**
 * Solves min ‖A·x − b‖² + ridge·‖x‖² for A (m × n, row-major) and b (m). Columns found
 * dependent get x = 0 (the basic solution).
 */
export function leastSquares(
  a: ArrayLike<number>,
  m: number,
  n: number,
  b: ArrayLike<number>,
  options: LeastSquaresOptions = {},
): LeastSquaresResult {
  if (a.length !== m * n) {
    throw new ScichainError(
      'ShapeMismatch',
      `A has ${a.length} entries but ${m} × ${n} = ${m * n} are needed`,
    );
  }
  if (b.length !== m) {
    throw new ScichainError('ShapeMismatch', `b has ${b.length} entries but A has ${m} rows`);
  }
  const ridge = options.ridge ?? 0;
  if (!(ridge >= 0) || !Number.isFinite(ridge)) {
    throw new ScichainError('InvalidArgument', `ridge must be finite and ≥ 0, got ${ridge}`);
  }
  const rankTolerance = options.rankTolerance ?? 1e-12;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new ScichainError('NonFinite', `A[${Math.floor(i / n)}, ${i % n}] is ${a[i]}`);
    }
  }
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(b[i])) throw new ScichainError('NonFinite', `b[${i}] is ${b[i]}`);
  }
  // Ridge as √λ·I rows appended below A (and zeros below b): same minimiser, still QR.
  const rows = ridge > 0 ? m + n : m;
  const q = new Float64Array(rows * n); // column-major working copy: column j at q[j*rows …]
  const y = new Float64Array(rows);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) q[j * rows + i] = a[i * n + j];
    y[i] = b[i];
  }
  if (ridge > 0) for (let j = 0; j < n; j++) q[j * rows + m + j] = Math.sqrt(ridge);

  const perm = Int32Array.from({ length: n }, (_, j) => j);
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) norms[j] = columnNorm(q, rows, j, 0);
  const largest = norms.reduce((s, v) => Math.max(s, v), 0);
  const steps = Math.min(rows, n);
  let rank = 0;
  for (let k = 0; k < steps; k++) {
    // Pivot: the remaining column of largest norm (recomputed: n is small, accuracy matters).
    let p = k;
    let best = -1;
    for (let j = k; j < n; j++) {
      const v = columnNorm(q, rows, j, k);
      norms[j] = v;
      if (v > best) {
        best = v;
        p = j;
      }
    }
    if (!(best > rankTolerance * largest)) break;
    if (p !== k) {
      swapColumns(q, rows, k, p);
      const t = perm[k];
      perm[k] = perm[p];
      perm[p] = t;
    }
    // Householder reflector H = I − 2vvᵀ/vᵀv zeroing column k below the diagonal.
    const ck = k * rows;
    const alpha = q[ck + k] >= 0 ? -best : best;
    q[ck + k] -= alpha;
    let vv = 0;
    for (let i = k; i < rows; i++) vv += q[ck + i] * q[ck + i];
    if (vv > 0) {
      for (let j = k + 1; j < n; j++) {
        const cj = j * rows;
        let s = 0;
        for (let i = k; i < rows; i++) s += q[ck + i] * q[cj + i];
        const f = (2 * s) / vv;
        for (let i = k; i < rows; i++) q[cj + i] -= f * q[ck + i];
      }
      let s = 0;
      for (let i = k; i < rows; i++) s += q[ck + i] * y[i];
      const f = (2 * s) / vv;
      for (let i = k; i < rows; i++) y[i] -= f * q[ck + i];
    }
    q[ck + k] = alpha; // R's diagonal; the rest of the column is no longer needed
    rank++;
  }
  // Back substitution on the leading rank × rank block of R; dependent columns stay 0.
  const z = new Float64Array(n);
  for (let k = rank - 1; k >= 0; k--) {
    let s = y[k];
    for (let j = k + 1; j < rank; j++) s -= q[j * rows + k] * z[j];
    z[k] = s / q[k * rows + k];
  }
  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) x[perm[k]] = z[k];
  let rss = 0;
  for (let i = 0; i < m; i++) {
    let r = -b[i];
    for (let j = 0; j < n; j++) r += a[i * n + j] * x[j];
    rss += r * r;
  }
  return { x, rank, residualSumOfSquares: rss };
}

function columnNorm(q: Float64Array, rows: number, j: number, from: number): number {
  // Scaled sum of squares: no overflow or underflow for extreme columns.
  let scale = 0;
  let ssq = 1;
  for (let i = from; i < rows; i++) {
    const v = Math.abs(q[j * rows + i]);
    if (v === 0) continue;
    if (scale < v) {
      ssq = 1 + ssq * (scale / v) ** 2;
      scale = v;
    } else {
      ssq += (v / scale) ** 2;
    }
  }
  return scale * Math.sqrt(ssq);
}

function swapColumns(q: Float64Array, rows: number, a: number, b: number): void {
  for (let i = 0; i < rows; i++) {
    const t = q[a * rows + i];
    q[a * rows + i] = q[b * rows + i];
    q[b * rows + i] = t;
  }
}
