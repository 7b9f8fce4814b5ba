/**
 * Cholesky factorisation of small symmetric positive-definite matrices (row-major, n × n), in
 * place: the lower triangle becomes L with A = L·Lᵀ. For the covariance matrices of population
 * models (Ω, the conditional Hessians of the η estimates, marginal covariances of FO).
 */

/** Factorises in place (lower triangle); returns false when A is not positive definite. */
export function choleskyFactor(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
  }
  return true;
}

/** log det A = 2·Σ log L_jj from a factor. */
export function choleskyLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.log(l[j * n + j]);
  return 2 * s;
}

/** Solves A·x = b in place (b becomes x) from a factor. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/** A⁻¹ (full, row-major) into `out` from a factor. */
export function choleskyInverse(l: Float64Array, n: number, out: Float64Array): void {
  const column = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    column.fill(0);
    column[j] = 1;
    choleskySolve(l, n, column);
    for (let i = 0; i < n; i++) out[i * n + j] = column[i];
  }
}
