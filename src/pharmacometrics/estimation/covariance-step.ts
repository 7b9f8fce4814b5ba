/**
 * The covariance step's verdict on its two matrices, in NONMEM's terms: R, the Hessian of the
 * objective (standard errors 2·R⁻¹), and S, the sum of the subjects' score outer products (the
 * sandwich R⁻¹SR⁻¹). Each is decomposed (symmetric Jacobi) so that a failure says why — non-finite
 * entries, singular (naming the parameters of the null direction), not positive definite (a
 * saddle, not a minimum) — instead of leaving NaN standard errors.
 */
import { symmetricEigen } from '../../linalg/symmetric-eigen.ts';

/** Outcome of one matrix of the covariance step. */
export type CovarianceStatus = 'ok' | 'skipped' | 'nonFinite' | 'singular' | 'notPositiveDefinite';

/** What {@link fitPopulation}'s covariance step found. */
export interface CovarianceStep {
  /**
   * The Hessian R (standard errors `se`): `'ok'`, `'skipped'` (`covariance: false`, or the fit did
   * not reach a finite estimate), `'nonFinite'`, `'singular'` or `'notPositiveDefinite'`.
   */
  readonly status: CovarianceStatus;
  /** Why R gave no standard errors, naming the parameters ('' when ok). */
  readonly reason: string;
  /** Condition number of R: largest / smallest eigenvalue over the estimated entries of x. */
  readonly conditionNumber: number;
  /** S, the sum of the subjects' score outer products (sandwich standard errors `seSandwich`). */
  readonly sandwichStatus: CovarianceStatus;
  /** Why S gave no sandwich standard errors ('' when ok). */
  readonly sandwichReason: string;
}

/** A skipped covariance step with its reason. */
export function skippedCovariance(reason: string): CovarianceStep {
  return {
    status: 'skipped',
    reason,
    conditionNumber: NaN,
    sandwichStatus: 'skipped',
    sandwichReason: reason,
  };
}

/** The verdict on one symmetric matrix. */
export interface MatrixVerdict {
  readonly status: CovarianceStatus;
  readonly reason: string;
  readonly conditionNumber: number;
}

/**
 * Checks a symmetric k × k matrix that must be positive definite. `names` label its rows (the
 * estimated entries of x), `noise` is the size of its numerical error (e.g. the asymmetry of a
 * difference Hessian): an eigenvalue within k·noise of zero (or below 1e-12 of the largest) is
 * zero. `label` names the matrix in the reason (e.g. 'R (the Hessian of the objective)'), and
 * `singularMeans` says what a null direction means (e.g. 'the data do not determine').
 */
export function checkPositiveDefinite(
  matrix: Float64Array,
  k: number,
  names: readonly string[],
  noise: number,
  label: string,
  singularMeans: string,
): MatrixVerdict {
  const bad: string[] = [];
  for (let r = 0; r < k; r++)
    for (let c = 0; c < k; c++)
      if (!Number.isFinite(matrix[r * k + c])) {
        bad.push(names[r]);
        break;
      }
  if (bad.length > 0)
    return {
      status: 'nonFinite',
      reason: `${label} has non-finite entries in the rows of ${bad.join(', ')}: the objective is not finite at points beside the estimate`,
      conditionNumber: NaN,
    };
  if (k === 0) return { status: 'ok', reason: '', conditionNumber: 1 };
  const { values, vectors } = symmetricEigen(matrix, k);
  const largest = Math.max(Math.abs(values[0]), Math.abs(values[k - 1]));
  const zero = Math.max(k * noise, 1e-12 * largest);
  const smallest = values[0];
  const conditionNumber = smallest > 0 ? values[k - 1] / smallest : Infinity;
  const direction = describeDirection(vectors, k, 0, names);
  if (smallest < -zero)
    return {
      status: 'notPositiveDefinite',
      reason: `${label} is not positive definite (eigenvalue ${smallest.toPrecision(3)}, largest ${largest.toPrecision(3)}, along ${direction}): the estimate is not a minimum`,
      conditionNumber,
    };
  if (smallest <= zero) {
    let nullity = 1;
    while (nullity < k && Math.abs(values[nullity]) <= zero) nullity++;
    const more = nullity > 1 ? ` (and ${nullity - 1} more direction${nullity > 2 ? 's' : ''})` : '';
    return {
      status: 'singular',
      reason: `${label} is singular (rank ${k - nullity} of ${k}: eigenvalue ${smallest.toPrecision(3)} against the largest ${largest.toPrecision(3)}, within its numerical error ${zero.toPrecision(3)}): ${singularMeans} ${direction}${more}`,
      conditionNumber,
    };
  }
  return { status: 'ok', reason: '', conditionNumber };
}

/** An eigenvector as `0.71·ta − 0.71·tb` over its entries of at least 0.1 (column `column`). */
function describeDirection(
  vectors: Float64Array,
  k: number,
  column: number,
  names: readonly string[],
): string {
  const terms: { name: string; weight: number }[] = [];
  for (let r = 0; r < k; r++) {
    const w = vectors[r * k + column];
    if (Math.abs(w) >= 0.1) terms.push({ name: names[r], weight: w });
  }
  terms.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  // Lead with a positive coefficient (the direction's sign is arbitrary).
  const flip = terms.length > 0 && terms[0].weight < 0 ? -1 : 1;
  return terms
    .map(({ name, weight }, i) => {
      const w = flip * weight;
      const size = Math.abs(w).toFixed(2);
      if (i === 0) return `${w < 0 ? '−' : ''}${size}·${name}`;
      return `${w < 0 ? '−' : '+'} ${size}·${name}`;
    })
    .join(' ');
}
