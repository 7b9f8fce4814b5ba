/** Order statistics of plain number lists (reports, benchmarks, diagnostics). */
import { ScichainError } from '../core/errors.ts';

/**
 * The q-quantile (0 ≤ q ≤ 1) with linear interpolation between order statistics — the
 * default ("type 7") of R's `quantile` and NumPy's `percentile`. NaN for an empty list and for a
 * list holding NaN (as NumPy: a NaN has no place in the order, and sorting around it would give
 * a number that looks right and is not).
 */
export function quantile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1))
    throw new ScichainError('InvalidArgument', `quantile level must be in [0, 1], got ${q}`);
  if (values.length === 0) return NaN;
  for (const v of values) if (Number.isNaN(v)) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  // On an order statistic exactly, no interpolation: 0·(∞ − x) would make an infinite one NaN.
  if (h === lo) return sorted[lo];
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** The median (NaN for an empty list). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}
