import { describe, expect, it } from 'vitest';
import { median, quantile } from '../../src/index.ts';

describe('quantiles', () => {
  it('interpolate between order statistics like R type 7 / NumPy', () => {
    const x = [7, 1, 3, 9, 5];
    expect(median(x)).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile(x, 0.25)).toBe(3); // numpy.percentile([1,3,5,7,9], 25) = 3
    expect(quantile([1, 2, 3, 4], 0.1)).toBeCloseTo(1.3, 15); // numpy: 1.3
    expect(quantile(x, 0)).toBe(1);
    expect(quantile(x, 1)).toBe(9);
    expect(median([])).toBeNaN();
    expect(() => quantile(x, 1.5)).toThrow(/quantile level must be in \[0, 1\], got 1.5/);
  });

  it('are NaN for a list holding NaN (numpy.percentile too), never a plausible number', () => {
    // Sorting around a NaN leaves the order undefined: the median of [5, 4, NaN, 3, 2, 1] came
    // out 3.5 and of [NaN, 9, 1, 5] 3 — numbers that look right.
    expect(median([5, 4, NaN, 3, 2, 1])).toBeNaN();
    expect(median([NaN, 9, 1, 5])).toBeNaN();
    expect(quantile([9, 1, NaN, 5, 7, 3, 2], 0)).toBeNaN();
    expect(quantile([5, -Infinity, Infinity, 1], 0)).toBe(-Infinity); // infinities have a place
    expect(quantile([5, -Infinity, Infinity, 1], 1)).toBe(Infinity);
  });
});
