/**
 * Eigenvalues and eigenvectors of a small symmetric matrix (row-major, n × n) by the cyclic
 * Jacobi method (Golub & Van Loan, Matrix Computations, §8.5): accurate to the matrix's rounding
 * even for tiny eigenvalues, which is what a covariance step needs to tell a singular Hessian
 * from an ill-conditioned one and to name the parameters of its null direction. O(n³) per sweep,
 * a handful of sweeps: for the tens of parameters of a population model, not for large n.
 */

/** Eigen-decomposition A = V·diag(λ)·Vᵀ. */
export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Eigenvectors as columns (row-major n × n): column j belongs to `values[j]`. */
  readonly vectors: Float64Array;
}

/** Decomposes the symmetric matrix `a` (only its lower triangle is read; `a` is not changed). */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      m[i * n + j] = a[i * n + j];
      m[j * n + i] = a[i * n + j];
    }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let scale = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        if (i !== j) off += m[i * n + j] ** 2;
        scale += m[i * n + j] ** 2;
      }
    if (!(off > 1e-30 * scale)) break; // also stops on NaN
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        // The rotation that zeroes (p, q): t = tan θ from cot 2θ, the smaller root.
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const kp = m[k * n + p];
          const kq = m[k * n + q];
          m[k * n + p] = c * kp - s * kq;
          m[k * n + q] = s * kp + c * kq;
        }
        for (let k = 0; k < n; k++) {
          const pk = m[p * n + k];
          const qk = m[q * n + k];
          m[p * n + k] = c * pk - s * qk;
          m[q * n + k] = s * pk + c * qk;
        }
        for (let k = 0; k < n; k++) {
          const kp = v[k * n + p];
          const kq = v[k * n + q];
          v[k * n + p] = c * kp - s * kq;
          v[k * n + q] = s * kp + c * kq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[x * n + x] - m[y * n + y]);
  const values = Float64Array.from(order, (i) => m[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from];
  });
  return { values, vectors };
}
