// The SIMD loops of the element-wise losses against their TypeScript loops: the same seed bits
// (both compute in float64 and round once), the same sum up to the order of addition, over
// lengths with every remainder, ties (r = 0, whose absolute-error slope is 0), both dtypes and
// shared and unshared memory; and separable losses split over rows give the whole batch's seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  logitCrossEntropy,
  meanAbsoluteError,
  meanSquaredError,
  sumAbsoluteError,
  sumSquaredError,
  type FloatArray,
} from '../../src/index.ts';
import { Arena } from '../../src/nn/index.ts';
import { ElementwiseLossWasm, PartialLoss } from '../../src/losses/elementwise-wasm.ts';

const regression = [sumSquaredError, meanSquaredError, sumAbsoluteError, meanAbsoluteError];

describe('element-wise loss SIMD loops', () => {
  it('write the TypeScript seed bit for bit and its sum to rounding', () => {
    const arenas = [new Arena({ shared: true }), new Arena({ shared: false })];
    for (const arena of arenas) arena.reserve(1 << 20);
    fc.assert(
      fc.property(
        fc.constantFrom(...regression),
        fc.constantFrom<'float32' | 'float64'>('float32', 'float64'),
        fc.constantFrom(...arenas),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), {
          minLength: 300,
          maxLength: 300,
        }),
        fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }),
        (loss, dtype, arena, rows, width, values, ties) => {
          const length = rows * width;
          const prediction = arena.floats(dtype, length);
          const target = arena.floats(dtype, length);
          for (let i = 0; i < length; i++) {
            prediction[i] = values[i];
            target[i] = ties[i] ? prediction[i] : values[299 - i];
          }
          const separable = loss.separable!;
          const normalizer = separable.normalizer(rows, width);
          const expected = arena.floats(dtype, length);
          const out = new Float64Array(2);
          separable.part(prediction, target, rows, width, rows, expected, out, 0);
          const sum = out[0];
          const simd = new ElementwiseLossWasm(separable.elementwise!, dtype, arena);
          expect(simd.accepts(prediction, target, expected)).toBe(true);
          const gradient = arena.floats(dtype, length);
          simd.scale = normalizer;
          simd.partial(prediction, target, length, gradient, out, 1);
          const got = out[1];
          expect(Array.from(gradient)).toEqual(Array.from(expected));
          expect(Math.abs(got - sum)).toBeLessThanOrEqual(1e-13 * Math.abs(sum));
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('leave buffers outside the arena to the TypeScript loop', () => {
    const arena = new Arena({ shared: false });
    const partial = new PartialLoss(meanSquaredError.separable!, 'float64', arena);
    const prediction = new Float64Array([1, 2, 3]);
    const target = new Float64Array([0, 2, 5]);
    const gradient = new Float64Array(3);
    // (1 + 0 + 4) / 3; seed (2/3)·r
    const out = new Float64Array(1);
    partial.evaluate(prediction, target, 3, 1, 3, gradient, out, 0);
    expect(out[0]).toBeCloseTo(5 / 3, 15);
    expect(Array.from(gradient)).toEqual([2 / 3, 0, -4 / 3]);
  });
});

describe('separable losses', () => {
  it('give the whole batch seed and sum when evaluated by shares of rows', () => {
    const rows = 7;
    const width = 3;
    const prediction = Float64Array.from({ length: rows * width }, (_, i) => Math.sin(i + 1));
    const values = Float64Array.from({ length: rows * width }, (_, i) => Math.cos(2 * i));
    const labels = Int32Array.from({ length: rows }, (_, s) => (s * 2) % width);
    for (const loss of [...regression, logitCrossEntropy]) {
      const target = (loss === logitCrossEntropy ? labels : values) as FloatArray;
      const whole = new Float64Array(rows * width);
      const value = (loss.valueAndGradient as (...a: unknown[]) => number)(
        prediction,
        target,
        rows,
        width,
        whole,
      );
      const separable = loss.separable as NonNullable<typeof meanSquaredError.separable>;
      const parts = new Float64Array(rows * width);
      const out = new Float64Array(2);
      for (const [k, start, count] of [
        [0, 0, 3],
        [1, 3, 4],
      ]) {
        const targetWidth = loss === logitCrossEntropy ? 1 : width;
        separable.part(
          prediction.subarray(start * width),
          target.subarray(start * targetWidth),
          count,
          width,
          rows,
          parts.subarray(start * width),
          out,
          k,
        );
      }
      const sum = out[0] + out[1];
      expect(Math.abs(sum - value), loss.name).toBeLessThan(1e-15 * Math.abs(value));
      expect(Array.from(parts), loss.name).toEqual(Array.from(whole));
    }
  });
});
