// The single-sample entry points of the surrogate layers (`singleSample()`, what expression
// models call inside ODE right-hand sides) against the layer's own forward and pullback: same
// outputs, same accumulated gradient, same input cotangent, for random kinds, sizes, bases,
// out-of-domain modes and θ at an offset; and each instance keeps its own forward record.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FloatArray } from '../../src/core/dtype.ts';
import type { Layer } from '../../src/nn/layer.ts';
import { Rng } from '../../src/core/rng.ts';
import { chebyshev } from '../../src/surrogates/chebyshev.ts';
import { fourier } from '../../src/surrogates/fourier.ts';

function normal(rng: Rng, n: number): Float64Array {
  return rng.fillNormal(new Float64Array(n)) as Float64Array;
}

function close(a: FloatArray, b: FloatArray): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(b[i])));
}

const layerArb = fc.oneof(
  fc
    .record({
      inputs: fc.integer({ min: 1, max: 3 }),
      outputs: fc.integer({ min: 1, max: 8 }), // beyond 6 the outputs run in a loop
      degree: fc.integer({ min: 0, max: 7 }),
      basis: fc.constantFrom('total', 'tensor'),
      outside: fc.constantFrom('extrapolate', 'clamp'),
    })
    .map((o) => chebyshev({ ...o, domain: [-1, 2] }) as Layer),
  fc
    .record({
      inputs: fc.integer({ min: 1, max: 3 }),
      outputs: fc.integer({ min: 1, max: 8 }),
      harmonics: fc.integer({ min: 0, max: 4 }),
      form: fc.constantFrom('additive', 'tensor'),
      period: fc.double({ min: 0.5, max: 30, noNaN: true }),
    })
    .map((o) => fourier(o) as Layer),
);

describe('surrogate single-sample entry points', () => {
  it('match the layer forward and pullback (property-based)', () => {
    fc.assert(
      fc.property(
        layerArb,
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 1000 }),
        (layer, offset, seed) => {
          const single = layer.singleSample?.() ?? null;
          expect(single).not.toBeNull();
          const rng = new Rng(seed);
          const theta = normal(rng, offset + layer.paramCount);
          // Inputs in [−1.5, 2.5]: inside the Chebyshev domain [−1, 2] and beyond both ends.
          const x = Float64Array.from({ length: layer.inputSize }, () => 4 * rng.uniform() - 1.5);
          const yBar = normal(rng, layer.outputSize);
          const start = normal(rng, offset + layer.paramCount);

          const cache = layer.createCache('float64', 1);
          const yLayer = new Float64Array(layer.outputSize);
          layer.forward(theta, offset, x, yLayer, cache, 1);
          const gLayer = start.slice();
          const xBarLayer = new Float64Array(layer.inputSize);
          layer.vjp(theta, offset, cache, yBar, xBarLayer, gLayer, offset, 1);

          const y = new Float64Array(layer.outputSize).fill(Number.NaN);
          single!.forward(theta, offset, x, y);
          const g = start.slice();
          const xBar = new Float64Array(layer.inputSize).fill(Number.NaN); // written
          single!.vjp(theta, offset, yBar, xBar, g, offset);
          close(y, yLayer);
          close(g, gLayer);
          close(xBar, xBarLayer);
          // Without x̄ the parameter gradient is the same.
          const g2 = start.slice();
          single!.vjp(theta, offset, yBar, null, g2, offset);
          close(g2, gLayer);
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });

  it('each instance has its own forward record', () => {
    const layer = chebyshev({ degree: 5, inputs: 2, outputs: 2, domain: [0, 1] });
    const theta = normal(new Rng(2), layer.paramCount);
    const a = layer.singleSample();
    const b = layer.singleSample();
    const yBar = Float64Array.from([0.5, -1]);
    const run = (x: number[], interleave: boolean): Float64Array[] => {
      const y = new Float64Array(2);
      const g = new Float64Array(layer.paramCount);
      const xBar = new Float64Array(2);
      a.forward(theta, 0, Float64Array.from(x), y);
      if (interleave) b.forward(theta, 0, Float64Array.from([0.9, 0.1]), new Float64Array(2));
      a.vjp(theta, 0, yBar, xBar, g, 0);
      return [y, g, xBar];
    };
    const alone = run([0.3, 0.6], false);
    const interleaved = run([0.3, 0.6], true);
    alone.forEach((v, i) => expect(Array.from(interleaved[i])).toEqual(Array.from(v)));
  });
});
