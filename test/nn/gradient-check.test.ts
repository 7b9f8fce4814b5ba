// Property-based gradient checks: every activation, random widths 1–40, with and without bias,
// batched and single-sample, f64. The pullback is compared with central finite differences of
// L = Σ ȳ·y, for the parameter gradient and for the input cotangent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chain, dense, activation, dropout, Rng, type Chain } from '../../src/index.ts';
import { activationNames } from '../../src/nn/index.ts';
import { centralDifferences, relativeError } from '../helpers/finite-differences.ts';

interface Case {
  net: Chain;
  n: number;
  theta: Float64Array;
  x: Float64Array;
  yBar: Float64Array;
}

function makeCase(
  inputSize: number,
  layers: { width: number; act: string; bias: boolean }[],
  n: number,
  seed: number,
): Case {
  const net = chain(inputSize, ...layers.map((l) => dense(l.width, l.act, { bias: l.bias })));
  const rng = new Rng(seed);
  const theta = new Float64Array(net.paramCount);
  net.init(theta, 0, rng);
  // Non-zero biases so that the bias gradient is exercised away from zero.
  for (let i = 0; i < theta.length; i++) theta[i] += 0.1 * rng.normal();
  const x = rng.fillNormal(new Float64Array(n * inputSize)) as Float64Array;
  const yBar = rng.fillNormal(new Float64Array(n * net.outputSize)) as Float64Array;
  return { net, n, theta, x, yBar };
}

/** L(θ, x) = Σ ȳ·net(θ, x). */
function lossOf(c: Case): () => number {
  const ws = c.net.workspace({ batch: c.n });
  return () => {
    const y = c.net.forward(c.theta, 0, c.x, null, ws, c.n);
    let s = 0;
    for (let i = 0; i < c.n * c.net.outputSize; i++) s += c.yBar[i] * y[i];
    return s;
  };
}

/** Indices of at most `count` entries, spread over the vector. */
function sample(length: number, count: number): number[] {
  if (length <= count) return Array.from({ length }, (_, i) => i);
  return Array.from({ length: count }, (_, k) => Math.floor((k * length) / count));
}

/** The smallest |pre-activation| of relu layers (finite differences are wrong across a kink). */
function smallestReluPreactivation(c: Case): number {
  let smallest = Infinity;
  const ws = c.net.workspace({ batch: c.n });
  c.net.forward(c.theta, 0, c.x, null, ws, c.n);
  c.net.layers.forEach((layer, l) => {
    if ((layer as { activationName?: string }).activationName !== 'relu') return;
    // relu keeps z only implicitly: y = z where positive; recompute z = W·x + b from the inputs.
    const input = l === 0 ? c.x : ws.outputs[l - 1];
    const d = layer as unknown as { inputSize: number; outputSize: number; hasBias: boolean };
    const off = c.net.offsets[l];
    for (let s = 0; s < c.n; s++) {
      for (let o = 0; o < d.outputSize; o++) {
        let z = d.hasBias ? c.theta[off + d.outputSize * d.inputSize + o] : 0;
        for (let i = 0; i < d.inputSize; i++)
          z += c.theta[off + o * d.inputSize + i] * input[s * d.inputSize + i];
        smallest = Math.min(smallest, Math.abs(z));
      }
    }
  });
  return smallest;
}

const layerArb = fc.record({
  width: fc.integer({ min: 1, max: 40 }),
  act: fc.constantFrom(...activationNames),
  bias: fc.boolean(),
});

function checkCase(c: Case): void {
  const ws = c.net.workspace({ batch: c.n });
  const grad = new Float64Array(c.theta.length);
  const xBar = new Float64Array(c.x.length);
  c.net.forward(c.theta, 0, c.x, null, ws, c.n);
  c.net.vjp(c.theta, 0, ws, c.yBar, xBar, grad, 0, c.n);

  const f = lossOf(c);
  const idx = sample(c.theta.length, 48);
  const sub = new Float64Array(idx.map((i) => c.theta[i]));
  const fdTheta = centralDifferences(() => {
    idx.forEach((i, k) => (c.theta[i] = sub[k]));
    return f();
  }, sub);
  idx.forEach((i, k) => (c.theta[i] = sub[k]));
  expect(
    relativeError(
      idx.map((i) => grad[i]),
      fdTheta,
    ),
  ).toBeLessThanOrEqual(1e-6);

  const fdX = centralDifferences(f, c.x);
  expect(relativeError(xBar, fdX)).toBeLessThanOrEqual(1e-6);

  // Skipping the input cotangent leaves the parameter gradient unchanged.
  const grad2 = new Float64Array(c.theta.length);
  c.net.forward(c.theta, 0, c.x, null, ws, c.n);
  c.net.vjp(c.theta, 0, ws, c.yBar, null, grad2, 0, c.n);
  expect(Array.from(grad2)).toEqual(Array.from(grad));
}

describe('VJP against central finite differences (f64)', () => {
  it('single-sample chains: every activation, widths 1–40, with/without bias', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(layerArb, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (inp, layers, seed) => {
          const c = makeCase(inp, layers, 1, seed);
          fc.pre(smallestReluPreactivation(c) > 1e-4);
          checkCase(c);
        },
      ),
    );
  });

  it('batched chains (n = 2…9, crossing the 4×4 tile edges)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(layerArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 2, max: 9 }),
        fc.nat(),
        (inp, layers, n, seed) => {
          const c = makeCase(inp, layers, n, seed);
          fc.pre(smallestReluPreactivation(c) > 1e-4);
          checkCase(c);
        },
      ),
    );
  });

  it('each activation at least once, single and batched', () => {
    for (const act of activationNames) {
      for (const n of [1, 5]) {
        const c = makeCase(
          3,
          [
            { width: 7, act, bias: true },
            { width: 2, act: 'identity', bias: true },
          ],
          n,
          11,
        );
        if (act === 'relu' && smallestReluPreactivation(c) < 1e-4)
          throw new Error('relu case too close to a kink');
        checkCase(c);
      }
    }
  });

  it('a long batch (n = 600, reduction split into chunks) matches finite differences', () => {
    const c = makeCase(
      5,
      [
        { width: 9, act: 'tanh', bias: true },
        { width: 3, act: 'sigmoid', bias: true },
      ],
      600,
      3,
    );
    checkCase(c);
  });

  it('activation layers and dropout in evaluation mode', () => {
    const net = chain(
      4,
      dense(6),
      activation('gelu'),
      dropout(0.3),
      dense(3, 'softplus'),
      activation('tanh'),
    );
    const rng = new Rng(5);
    const theta = new Float64Array(net.paramCount);
    net.init(theta, 0, rng);
    const c: Case = {
      net,
      n: 3,
      theta,
      x: rng.fillNormal(new Float64Array(12)) as Float64Array,
      yBar: rng.fillNormal(new Float64Array(9)) as Float64Array,
    };
    checkCase(c);
  });

  it('the pullback accumulates into the gradient (two calls give twice the gradient)', () => {
    const c = makeCase(4, [{ width: 5, act: 'tanh', bias: true }], 3, 9);
    const ws = c.net.workspace({ batch: 3 });
    const once = new Float64Array(c.theta.length);
    const twice = new Float64Array(c.theta.length);
    c.net.forward(c.theta, 0, c.x, null, ws, 3);
    c.net.vjp(c.theta, 0, ws, c.yBar, null, once, 0, 3);
    c.net.vjp(c.theta, 0, ws, c.yBar, null, twice, 0, 3);
    c.net.vjp(c.theta, 0, ws, c.yBar, null, twice, 0, 3);
    for (let i = 0; i < once.length; i++) expect(twice[i]).toBeCloseTo(2 * once[i], 12);
  });
});

describe('dropout', () => {
  it('keeps about 1 − rate of the entries, scales them by 1/(1 − rate), and its pullback uses the same mask', () => {
    const net = chain(1, dropout(0.25));
    const ws = net.workspace({ batch: 40000, seed: 3 });
    ws.training = true;
    const x = new Float64Array(40000).fill(2);
    const y = net.forward(new Float64Array(0), 0, x, null, ws);
    let kept = 0;
    for (const v of y) {
      if (v !== 0) {
        kept++;
        expect(v).toBeCloseTo(2 / 0.75, 14);
      }
    }
    expect(kept / 40000).toBeGreaterThan(0.74);
    expect(kept / 40000).toBeLessThan(0.76);
    const yBar = new Float64Array(40000).fill(1);
    const xBar = new Float64Array(40000);
    net.vjp(new Float64Array(0), 0, ws, yBar, xBar, new Float64Array(0), 0);
    for (let i = 0; i < 40000; i++) expect(xBar[i]).toBe(y[i] / 2);
  });

  it('is the identity outside training and reproducible for a seed', () => {
    const net = chain(3, dropout(0.5));
    const x = Float64Array.from({ length: 300 }, (_, i) => i + 1);
    const a = net.workspace({ batch: 100, seed: 9 });
    expect(Array.from(net.forward(new Float64Array(0), 0, x, null, a))).toEqual(Array.from(x));
    a.training = true;
    const b = net.workspace({ batch: 100, seed: 9 });
    b.training = true;
    const ya = Array.from(net.forward(new Float64Array(0), 0, x, null, a));
    const yb = Array.from(net.forward(new Float64Array(0), 0, x, null, b));
    expect(ya).toEqual(yb);
    expect(ya.filter((v) => v === 0).length).toBeGreaterThan(100);
  });

  it('rejects rates outside [0, 1)', () => {
    expect(() => dropout(1)).toThrow(/dropout rate must be in \[0, 1\), got 1/);
    expect(() => dropout(-0.1)).toThrow(/dropout rate/);
  });
});
