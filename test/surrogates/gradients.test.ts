// Pullbacks of the Chebyshev and Fourier layers against central finite differences of
// L = Σ ȳ·y (parameter gradient and input cotangent), property-based over degrees, inputs,
// outputs, domains, bases and batch sizes; alone and inside chains with dense layers; and the
// float32 path against float64.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chain } from '../../src/nn/chain.ts';
import { dense } from '../../src/nn/dense.ts';
import type { Layer } from '../../src/nn/layer.ts';
import { Rng } from '../../src/core/rng.ts';
import { centralDifferences, relativeError } from '../helpers/finite-differences.ts';
import { Chebyshev, chebyshev } from '../../src/surrogates/chebyshev.ts';
import { Fourier, fourier } from '../../src/surrogates/fourier.ts';
import type { FloatArray } from '../../src/core/dtype.ts';

interface Case {
  layer: Layer;
  n: number;
  theta: Float64Array;
  x: Float64Array;
  yBar: Float64Array;
}

/** Runs forward then the pullback; returns the parameter gradient, x̄ and y. */
function pullback(c: Case, withInput = true): { grad: Float64Array; xBar: Float64Array } {
  const cache = c.layer.createCache('float64', c.n);
  const y = new Float64Array(c.n * c.layer.outputSize);
  const grad = new Float64Array(c.layer.paramCount);
  const xBar = new Float64Array(c.x.length).fill(NaN); // written, not accumulated
  c.layer.forward(c.theta, 0, c.x, y, cache, c.n);
  c.layer.vjp(c.theta, 0, cache, c.yBar, withInput ? xBar : null, grad, 0, c.n);
  return { grad, xBar };
}

/** L(θ, x) = Σ ȳ·layer(θ, x). */
function lossOf(c: Case): () => number {
  const cache = c.layer.createCache('float64', c.n);
  const y = new Float64Array(c.n * c.layer.outputSize);
  return () => {
    c.layer.forward(c.theta, 0, c.x, y, cache, c.n);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += c.yBar[i] * y[i];
    return s;
  };
}

function checkCase(c: Case, tolerance = 1e-6): void {
  const { grad, xBar } = pullback(c);
  const f = lossOf(c);
  expect(relativeError(grad, centralDifferences(f, c.theta))).toBeLessThanOrEqual(tolerance);
  expect(relativeError(xBar, centralDifferences(f, c.x))).toBeLessThanOrEqual(tolerance);
  // Without x̄ the parameter gradient is the same.
  expect(Array.from(pullback(c, false).grad)).toEqual(Array.from(grad));
}

function makeCase(layer: Layer, n: number, seed: number, x: (rng: Rng, i: number) => number): Case {
  const rng = new Rng(seed);
  const theta = new Float64Array(layer.paramCount);
  // Coefficients of order one (not the small init) so every term matters.
  rng.fillNormal(theta);
  const xs = Float64Array.from({ length: n * layer.inputSize }, (_, k) =>
    x(rng, k % layer.inputSize),
  );
  const yBar = rng.fillNormal(new Float64Array(n * layer.outputSize)) as Float64Array;
  return { layer, n, theta, x: xs, yBar };
}

const domainArb = fc
  .tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 0.2, max: 6, noNaN: true }))
  .map(([a, w]) => [a, a + w] as const);

describe('Chebyshev pullback against finite differences', () => {
  it('random degrees, inputs, outputs, domains, bases and batches (inputs inside and slightly outside the domain)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom('total', 'tensor'),
        fc.array(domainArb, { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        (d, outputs, degree, basis, domains, n, seed) => {
          const domain = domains.slice(0, d);
          const layer = chebyshev({ degree, inputs: d, outputs, basis, domain });
          // 'extrapolate' (the default): sample 10 % beyond each end as well.
          const c = makeCase(layer, n, seed, (rng, i) => {
            const [a, b] = domain[i];
            return a - 0.1 * (b - a) + 1.2 * (b - a) * rng.uniform();
          });
          checkCase(c, 1e-6);
        },
      ),
    );
  });

  it("'clamp' inside the domain matches finite differences; outside, x̄ is 0 and y is the end value", () => {
    const layer = new Chebyshev({ inputs: 2, degree: 5, domain: [0, 2], outside: 'clamp' });
    const c = makeCase(layer, 4, 3, (rng) => 0.1 + 1.8 * rng.uniform());
    checkCase(c);
    c.x.set([2.5, 0.7, -1, 0.3], 0);
    const { xBar } = pullback(c);
    expect(Math.abs(xBar[0])).toBe(0);
    expect(Math.abs(xBar[2])).toBe(0);
    expect(Math.abs(xBar[1])).toBeGreaterThan(0);
    const f = lossOf(c);
    const outside = f();
    c.x.set([2, 0.7, 0, 0.3], 0);
    expect(f()).toBe(outside);
  });
});

describe('Fourier pullback against finite differences', () => {
  it('random harmonics, inputs, outputs, periods, forms and batches', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom('additive', 'tensor'),
        fc.array(fc.double({ min: 0.5, max: 30, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        (d, outputs, harmonics, form, periods, n, seed) => {
          const period = periods.slice(0, d);
          const layer = fourier({ harmonics, period, inputs: d, outputs, form });
          const c = makeCase(layer, n, seed, (rng, i) => period[i] * (4 * rng.uniform() - 2));
          checkCase(c, 1e-6);
        },
      ),
    );
  });
});

describe('surrogates inside chains', () => {
  function chainCase(layers: Layer, n: number, seed: number): void {
    const rng = new Rng(seed);
    const theta = new Float64Array(layers.paramCount);
    layers.init(theta, 0, rng.fork('init'));
    for (let i = 0; i < theta.length; i++) theta[i] += 0.2 * rng.normal();
    const x = rng.fillNormal(new Float64Array(n * layers.inputSize)) as Float64Array;
    const yBar = rng.fillNormal(new Float64Array(n * layers.outputSize)) as Float64Array;
    checkCase({ layer: layers, n, theta, x, yBar });
  }

  it('dense → chebyshev (input count from the chain) → dense, single sample and batch', () => {
    const net = chain(2, dense(3, 'tanh'), chebyshev({ degree: 4, outputs: 2 }), dense(2));
    expect(net.layers[1]).toBeInstanceOf(Chebyshev);
    expect(net.layers[1].description).toBe('chebyshev(3 → 2, degree 4, total, 35 terms)');
    chainCase(net, 1, 1);
    chainCase(net, 5, 2);
  });

  it('fourier → dense → dense and a stand-alone tensor Chebyshev layer after a dense layer', () => {
    const net = chain(1, fourier({ harmonics: 3, period: 2 }), dense(4, 'tanh'), dense(1));
    expect(net.layers[0]).toBeInstanceOf(Fourier);
    chainCase(net, 1, 3);
    chainCase(net, 7, 4);
    const standalone = chebyshev({ degree: 3, inputs: 2, basis: 'tensor', domain: [-2, 2] });
    const net2 = chain(3, dense(2, 'tanh'), standalone);
    chainCase(net2, 3, 5);
  });

  it('a built layer whose input count does not match the chain is rejected', () => {
    expect(() => chain(3, chebyshev({ degree: 2, inputs: 2 }))).toThrow(
      /chain item 1 \(chebyshev\(2 → 1, degree 2, total, 6 terms\)\) takes 2 inputs but receives 3/,
    );
    expect(() => chain(3, chebyshev({ degree: 2, domain: [[0, 1]] }))).toThrow(
      /chebyshev has 3 inputs but 1 domains were given/,
    );
  });

  it('the pullback accumulates into the gradient', () => {
    const layer = new Fourier({ inputs: 2, harmonics: 2, period: [1, 3], form: 'tensor' });
    const c = makeCase(layer, 3, 8, (rng) => rng.normal());
    const once = pullback(c).grad;
    const cache = layer.createCache('float64', 3);
    const y = new Float64Array(3);
    const twice = new Float64Array(layer.paramCount).fill(1);
    layer.forward(c.theta, 0, c.x, y, cache, 3);
    layer.vjp(c.theta, 0, cache, c.yBar, null, twice, 0, 3);
    layer.vjp(c.theta, 0, cache, c.yBar, null, twice, 0, 3);
    for (let i = 0; i < once.length; i++) expect(twice[i]).toBeCloseTo(1 + 2 * once[i], 12);
  });
});

describe('float32', () => {
  const toF32 = (a: Float64Array): Float32Array => Float32Array.from(a);
  function compare(layer: Layer, seed: number, x: (rng: Rng, i: number) => number): void {
    const n = 6;
    const c = makeCase(layer, n, seed, x);
    const f64 = pullback(c);
    const y64 = new Float64Array(n * layer.outputSize);
    layer.forward(c.theta, 0, c.x, y64, layer.createCache('float64', n), n);

    const cache = layer.createCache('float32', n);
    const theta = toF32(c.theta);
    const xs = toF32(c.x);
    const y32 = new Float32Array(n * layer.outputSize);
    const grad: FloatArray = new Float32Array(layer.paramCount);
    const xBar = new Float32Array(c.x.length);
    layer.forward(theta, 0, xs, y32, cache, n);
    layer.vjp(theta, 0, cache, toF32(c.yBar), xBar, grad, 0, n);
    // float32 inputs and coefficients carry ~6e-8 relative error, amplified by the degree.
    expect(relativeError(y32, y64)).toBeLessThan(1e-5);
    expect(relativeError(grad, f64.grad)).toBeLessThan(1e-5);
    expect(relativeError(xBar, f64.xBar)).toBeLessThan(1e-4);
  }

  it('Chebyshev (one input; two inputs, tensor basis) and Fourier are close to float64', () => {
    compare(
      new Chebyshev({ inputs: 1, degree: 12, domain: [0, 10], outputs: 2 }),
      1,
      (r) => r.uniform() * 10,
    );
    compare(
      new Chebyshev({ inputs: 2, degree: 6, domain: [-1, 3], basis: 'tensor' }),
      2,
      (r) => 4 * r.uniform() - 1,
    );
    compare(
      new Fourier({ inputs: 2, harmonics: 4, period: [24, 7], outputs: 3 }),
      3,
      (r) => 100 * r.uniform(),
    );
  });
});
