// The generated product-basis kernels on the shapes the surrogate tests elsewhere do not reach:
// multi-index sets whose one-input rows are permuted, incomplete or repeated (read through the
// tables instead of the recurrence loop), many inputs with interactions (in the loop form: rows
// grouped by factor count, cotangents through an input table), many outputs (a loop instead of
// locals), a layer too large for straight-line code and a float32 batch — values against a
// direct evaluation, pullbacks against finite differences, and the loop form (which layers use
// when straight-line code would be too large) against the straight-line form.
import { describe, expect, it } from 'vitest';
import type { Layer } from '../../src/nn/layer.ts';
import { Rng } from '../../src/core/rng.ts';
import { ChebyshevBasis } from '../../src/surrogates/chebyshev-basis.ts';
import { chebyshev } from '../../src/surrogates/chebyshev.ts';
import { fourier } from '../../src/surrogates/fourier.ts';
import {
  compileProductBasis,
  kernelScratchSizes,
  productBasisSource,
  type KernelScratch,
  type KernelShape,
} from '../../src/surrogates/product-basis-kernels.ts';
import { ProductBasisLayer } from '../../src/surrogates/product-basis.ts';
import { centralDifferences, relativeError } from '../helpers/finite-differences.ts';

/** A Chebyshev layer on [−1, 1]^d over explicit multi-index rows. */
function custom(rows: number[][], degree: number, outputs = 2): ProductBasisLayer {
  const d = rows[0].length;
  return new ProductBasisLayer({
    bases: Array.from(
      { length: d },
      (_, i) => new ChebyshevBasis(degree, [-1, 1], 'extrapolate', `input ${i + 1} of ${d}`),
    ),
    outputs,
    set: { dimension: d, count: rows.length, indices: Int32Array.from(rows.flat()) },
    init: 'normal',
    description: `custom(${d} → ${outputs})`,
    coefficientShape: [outputs, rows.length],
  });
}

/** y_o = Σ_j c[o, j] Π_i T_{k_ji}(x_i) with T_k(x) = cos(k·acos x), for x in [−1, 1]. */
function direct(layer: ProductBasisLayer, theta: Float64Array, x: Float64Array): Float64Array {
  const d = layer.inputSize;
  const P = layer.basisSize;
  const y = new Float64Array(layer.outputSize);
  for (let j = 0; j < P; j++) {
    let phi = 1;
    for (let i = 0; i < d; i++) phi *= Math.cos(layer.multiIndex[j * d + i] * Math.acos(x[i]));
    for (let o = 0; o < layer.outputSize; o++) y[o] += theta[o * P + j] * phi;
  }
  return y;
}

function shapeOf(layer: ProductBasisLayer): KernelShape {
  const { bases, outputSize: outputs, multiIndex, basisSize } = layer;
  return { bases, outputs, multiIndex, basisSize };
}

/** The layer's forward and pullback (with x̄) in the loop form, against its own (auto) form. */
function checkLoopForm(layer: ProductBasisLayer, n: number, seed: number): void {
  const shape = shapeOf(layer);
  expect(productBasisSource(shape, 'loops')).not.toBe(productBasisSource(shape, 'auto'));
  const sizes = kernelScratchSizes(shape, n);
  const scratch = {} as Record<keyof KernelScratch, Float64Array>;
  for (const key of Object.keys(sizes) as (keyof KernelScratch)[])
    scratch[key] = new Float64Array(sizes[key]);
  const loops = compileProductBasis(shape, 'float64', 'loops', 'loops')(scratch);
  const rng = new Rng(seed);
  const theta = rng.fillNormal(new Float64Array(layer.paramCount)) as Float64Array;
  const x = Float64Array.from({ length: n * layer.inputSize }, () => 1.8 * rng.uniform() - 0.9);
  const yBar = rng.fillNormal(new Float64Array(n * layer.outputSize)) as Float64Array;
  const y = new Float64Array(n * layer.outputSize);
  const grad = new Float64Array(layer.paramCount);
  const xBar = new Float64Array(x.length);
  loops.forward(theta, 0, x, y, n);
  loops.vjpInput(theta, 0, yBar, xBar, grad, 0, n);
  const grad2 = new Float64Array(layer.paramCount);
  loops.vjpNoInput(theta, 0, yBar, null, grad2, 0, n);
  const cache = layer.createCache('float64', n);
  const yAuto = new Float64Array(y.length);
  const gradAuto = new Float64Array(grad.length);
  const xBarAuto = new Float64Array(x.length);
  layer.forward(theta, 0, x, yAuto, cache, n);
  layer.vjp(theta, 0, cache, yBar, xBarAuto, gradAuto, 0, n);
  expect(relativeError(y, yAuto)).toBeLessThan(1e-13);
  expect(relativeError(grad, gradAuto)).toBeLessThan(1e-13);
  expect(relativeError(grad2, gradAuto)).toBeLessThan(1e-13);
  expect(relativeError(xBar, xBarAuto)).toBeLessThan(1e-13);
}

/** Forward and pullback of n samples against finite differences of L = Σ ȳ·y. */
function checkPullback(layer: Layer, n: number, seed: number): void {
  const rng = new Rng(seed);
  const theta = rng.fillNormal(new Float64Array(layer.paramCount)) as Float64Array;
  const x = Float64Array.from({ length: n * layer.inputSize }, () => 1.8 * rng.uniform() - 0.9);
  const yBar = rng.fillNormal(new Float64Array(n * layer.outputSize)) as Float64Array;
  const cache = layer.createCache('float64', n);
  const y = new Float64Array(n * layer.outputSize);
  const loss = (): number => {
    layer.forward(theta, 0, x, y, cache, n);
    return y.reduce((s, v, i) => s + v * yBar[i], 0);
  };
  loss();
  const grad = new Float64Array(layer.paramCount);
  const xBar = new Float64Array(x.length);
  layer.vjp(theta, 0, cache, yBar, xBar, grad, 0, n);
  expect(relativeError(grad, centralDifferences(loss, theta))).toBeLessThan(1e-6);
  expect(relativeError(xBar, centralDifferences(loss, x))).toBeLessThan(1e-6);
  const grad2 = new Float64Array(layer.paramCount);
  loss();
  layer.vjp(theta, 0, cache, yBar, null, grad2, 0, n);
  expect(Array.from(grad2)).toEqual(Array.from(grad));
}

describe('product-basis kernels on unusual shapes', () => {
  it('one-input rows permuted, incomplete or repeated; interactions mixed in', () => {
    const sets = [
      [[0], [3], [1], [2]], // permuted: rows looked up by k
      [[0], [3], [1]], // ψ₂ missing: read from the table
      [[2], [1], [1], [0], [3]], // ψ₁ twice, no leading constant
      [
        [0, 0],
        [2, 0],
        [1, 1],
        [0, 3],
        [1, 0],
        [0, 1],
        [3, 2],
        [3, 0],
      ], // sparse interactions, input 1 complete and permuted, input 2 incomplete
    ];
    sets.forEach((rows, s) => {
      const layer = custom(rows, 3);
      const rng = new Rng(s + 1);
      const theta = rng.fillNormal(new Float64Array(layer.paramCount)) as Float64Array;
      const x = Float64Array.from({ length: layer.inputSize }, () => 1.8 * rng.uniform() - 0.9);
      const y = new Float64Array(layer.outputSize);
      layer.forward(theta, 0, x, y, layer.createCache('float64', 1), 1);
      expect(relativeError(y, direct(layer, theta, x))).toBeLessThan(1e-13);
      checkPullback(layer, 3, s + 10);
      checkLoopForm(layer, 3, s + 20);
    });
  });

  it('many inputs with interactions and many outputs, in both forms', () => {
    const layers = [
      // 7 inputs, total degree 3: 120 rows over 64 input sets (loop form: grouped by count).
      chebyshev({ degree: 3, inputs: 7, outputs: 2 }),
      chebyshev({ degree: 4, inputs: 2, outputs: 9, basis: 'tensor' }),
      fourier({ harmonics: 2, period: 3, inputs: 3, outputs: 8 }),
      fourier({ harmonics: 3, period: [2, 5], inputs: 2, form: 'tensor' }),
      chebyshev({ degree: 6, inputs: 3, outside: 'clamp' }),
      chebyshev({ degree: 9, inputs: 1, outputs: 3 }),
    ];
    layers.forEach((layer, k) => {
      checkPullback(layer, 2, k + 1);
      checkLoopForm(layer, 3, k + 1);
    });
  });

  it('a layer too large for straight-line code', () => {
    // 343 rows: the pullback with x̄ would be ~78,000 characters unrolled; it uses loops.
    const layer = chebyshev({ degree: 6, inputs: 3, basis: 'tensor' });
    const source = productBasisSource(shapeOf(layer));
    expect(source).toContain('for (let q = 0;');
    checkPullback(layer, 2, 5);
  });

  it('a float32 batch with many outputs is close to float64', () => {
    const layer = chebyshev({ degree: 5, inputs: 2, outputs: 7, domain: [0, 4] });
    const n = 5;
    const rng = new Rng(4);
    const theta = rng.fillNormal(new Float64Array(layer.paramCount)) as Float64Array;
    const x = Float64Array.from({ length: n * 2 }, () => 4 * rng.uniform());
    const yBar = rng.fillNormal(new Float64Array(n * 7)) as Float64Array;
    const run = (F: Float64ArrayConstructor | Float32ArrayConstructor) => {
      const cache = layer.createCache(F === Float32Array ? 'float32' : 'float64', n);
      const y = new F(n * 7);
      const grad = new F(layer.paramCount);
      const xBar = new F(n * 2);
      layer.forward(F.from(theta), 0, F.from(x), y, cache, n);
      layer.vjp(F.from(theta), 0, cache, F.from(yBar), xBar, grad, 0, n);
      return { y, grad, xBar };
    };
    const a = run(Float32Array);
    const b = run(Float64Array);
    expect(relativeError(a.y, b.y)).toBeLessThan(1e-5);
    expect(relativeError(a.grad, b.grad)).toBeLessThan(1e-5);
    expect(relativeError(a.xBar, b.xBar)).toBeLessThan(1e-4);
  });
});
