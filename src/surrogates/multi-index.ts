/**
 * Multi-index sets of product bases. A multi-index (k₁, …, k_d) names the basis function
 * φ(x) = ψ_{k₁}(x₁)·…·ψ_{k_d}(x_d), a product of one univariate function per input; a set of
 * them is stored as an `Int32Array` of `count × d` entries, one row per basis function.
 *
 * The tensor and total-degree sets are in lexicographic order with the last input varying
 * fastest (the order of a row-major array of shape [m, …, m]); the total-degree set is the
 * subsequence of the tensor set with k₁ + … + k_d ≤ degree. Row 0 of every set is (0, …, 0).
 */
import { ScichainError } from '../core/errors.ts';

/** Largest basis a surrogate may have: beyond it the coefficient count is a mistake. */
export const MAX_BASIS_SIZE = 1_000_000;

/** A multi-index set: `count` rows of `dimension` indices. */
export interface MultiIndexSet {
  readonly dimension: number;
  readonly count: number;
  /** Row-major `count × dimension` indices. */
  readonly indices: Int32Array;
}

function checkSize(count: number, what: string): void {
  if (count > MAX_BASIS_SIZE) {
    throw new ScichainError(
      'InvalidArgument',
      `${what} has ${count} basis functions, more than the limit of ${MAX_BASIS_SIZE}; ` +
        'use fewer inputs, a lower degree or a sparser basis',
    );
  }
}

/** All multi-indices with every index in 0…m−1: m^d rows. */
export function tensorIndices(dimension: number, m: number): MultiIndexSet {
  const count = m ** dimension;
  checkSize(count, `a tensor basis of ${dimension} inputs × ${m} functions each`);
  const indices = new Int32Array(count * dimension);
  for (let row = 0; row < count; row++) {
    // Digits of `row` in base m, most significant first.
    let rest = row;
    for (let i = dimension - 1; i >= 0; i--) {
      indices[row * dimension + i] = rest % m;
      rest = Math.floor(rest / m);
    }
  }
  return { dimension, count, indices };
}

/** Multi-indices with k₁ + … + k_d ≤ degree: C(d + degree, d) rows. */
export function totalDegreeIndices(dimension: number, degree: number): MultiIndexSet {
  let count = 1;
  for (let i = 1; i <= dimension; i++) count = (count * (degree + i)) / i;
  count = Math.round(count);
  checkSize(count, `a total-degree basis of ${dimension} inputs and degree ${degree}`);
  const indices = new Int32Array(count * dimension);
  const current = new Int32Array(dimension);
  let row = 0;
  // Depth-first in lexicographic order: input i takes 0…(degree − sum of the earlier indices).
  const visit = (i: number, budget: number): void => {
    if (i === dimension) {
      indices.set(current, row * dimension);
      row++;
      return;
    }
    for (let k = 0; k <= budget; k++) {
      current[i] = k;
      visit(i + 1, budget - k);
    }
    current[i] = 0;
  };
  visit(0, degree);
  return { dimension, count, indices };
}

/**
 * The constant, then for each input in turn its non-constant functions 1…m−1 with every other
 * index 0: the basis of a sum of univariate series, 1 + d·(m − 1) rows. (This one is ordered by
 * input, not lexicographically.)
 */
export function additiveIndices(dimension: number, m: number): MultiIndexSet {
  const count = 1 + dimension * (m - 1);
  checkSize(count, `an additive basis of ${dimension} inputs × ${m} functions each`);
  const indices = new Int32Array(count * dimension);
  let row = 1;
  for (let i = 0; i < dimension; i++) {
    for (let k = 1; k < m; k++, row++) indices[row * dimension + i] = k;
  }
  return { dimension, count, indices };
}
