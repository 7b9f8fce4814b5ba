/**
 * Gaussian elimination with partial pivoting for the tiny (n ≤ 4) systems of the closed-form
 * models, in place, allocating nothing.
 */
/**
 * Solves A·x = b for x (returned in `b`); `A` (n × n, row-major) is overwritten. Returns false
 * (leaving b undefined) when A is singular to working precision.
 */
export function solveSmallSystem(A: Float64Array, b: Float64Array, n: number): boolean {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    let best = Math.abs(A[col * n + col]);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(A[r * n + col]);
      if (v > best) {
        best = v;
        pivot = r;
      }
    }
    if (!(best > 0) || !Number.isFinite(best)) return false;
    if (pivot !== col) {
      for (let c = 0; c < n; c++) {
        const t = A[col * n + c];
        A[col * n + c] = A[pivot * n + c];
        A[pivot * n + c] = t;
      }
      const t = b[col];
      b[col] = b[pivot];
      b[pivot] = t;
    }
    const d = A[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const factor = A[r * n + col] / d;
      if (factor === 0) continue;
      for (let c = col; c < n; c++) A[r * n + c] -= factor * A[col * n + c];
      b[r] -= factor * b[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let c = r + 1; c < n; c++) s -= A[r * n + c] * b[c];
    b[r] = s / A[r * n + r];
  }
  return true;
}
