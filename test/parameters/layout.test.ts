// The parameter vector: views alias θ, transforms and their gradients, freezing under every
// optimizer, exact JSON round trips, and clear errors.
import { describe, expect, it } from 'vitest';
import {
  adam,
  chain,
  dense,
  gradientDescent,
  minimize,
  parameters,
  scalar,
  vector,
  meanSquaredError,
  supervisedObjective,
  trainSupervised,
  Rng,
  bounded,
} from '../../src/index.ts';

function layout() {
  return parameters({
    ka: scalar(1.5, { transform: 'positive' }),
    f: scalar(0.3, { transform: [0, 1] }),
    shift: scalar(-2),
    w: vector(3, [1, 2, 3]),
    net: chain(2, dense(4, 'tanh'), dense(1)),
  });
}

describe('ParameterLayout', () => {
  it('assembles blocks in order and gives views that alias θ', () => {
    const L = layout();
    expect(L.paramCount).toBe(1 + 1 + 1 + 3 + 17);
    expect(L.offset('net')).toBe(6);
    const theta = L.initial({ seed: 1 });
    const w = L.view(theta, 'w');
    expect(Array.from(w)).toEqual([1, 2, 3]);
    w[1] = 20;
    expect(theta[4]).toBe(20);
    theta[5] = 30;
    expect(w[2]).toBe(30);
    const net = L.view(theta, 'net');
    expect(net.buffer).toBe(theta.buffer);
    expect(net.byteOffset).toBe(6 * 8);
  });

  it('stores transformed values and reads natural ones', () => {
    const L = layout();
    const theta = L.initial();
    expect(theta[0]).toBeCloseTo(Math.log(1.5), 15);
    expect(L.get(theta, 'ka')).toBeCloseTo(1.5, 15);
    expect(L.get(theta, 'f')).toBeCloseTo(0.3, 15);
    L.set(theta, 'f', 0.9);
    expect(L.get(theta, 'f')).toBeCloseTo(0.9, 15);
    expect(L.natural(theta)).toMatchObject({ shift: -2, w: [1, 2, 3] });
  });

  it('carries natural-scale gradients back through log and bounded transforms (chain rule)', () => {
    const L = layout();
    const theta = L.initial();
    // A loss written in natural values: g(ka, f) = ka²·f + sin(f).
    const loss = (t: Float64Array): number => {
      const ka = L.get(t, 'ka');
      const f = L.get(t, 'f');
      return ka * ka * f + Math.sin(f);
    };
    const grad = L.gradient(theta);
    const ka = L.get(theta, 'ka');
    const f = L.get(theta, 'f');
    L.addNaturalGradient(theta, grad, 'ka', 2 * ka * f);
    L.addNaturalGradient(theta, grad, 'f', ka * ka + Math.cos(f));
    for (const i of [0, 1]) {
      const h = 1e-6;
      const up = theta.slice() as Float64Array;
      const down = theta.slice() as Float64Array;
      up[i] += h;
      down[i] -= h;
      expect(grad[i]).toBeCloseTo((loss(up) - loss(down)) / (2 * h), 8);
    }
  });

  it('keeps bounded transforms usable far from the centre and refuses values at a bound', () => {
    const t = bounded(0, 1);
    expect(t.derivative(40)).toBeGreaterThan(0); // σ(1 − σ) would round to 0 here
    expect(t.derivative(40)).toBeCloseTo(Math.exp(-40), 30);
    expect(t.derivative(-40)).toBeCloseTo(Math.exp(-40), 30);
    // Inside (−1e17, 1), but (x − lower)/width rounds to 1.
    expect(() => bounded(-1e17, 1).fromNatural(0.9999999999999999, 'p')).toThrow(
      /p = 0.9999999999999999 is too close to a bound of \(-100000000000000000, 1\)/,
    );
  });

  it('includes the frozen blocks of a nested layout in the outer mask', () => {
    const inner = parameters({ a: scalar(1), b: vector(2, 0, { frozen: true }) });
    const outer = parameters({ x: scalar(0), inner });
    expect(Array.from(outer.frozenMask())).toEqual([0, 0, 1, 1]);
  });

  it('is seeded: same seed, same bits; other blocks do not shift a component', () => {
    const a = layout().initial({ seed: 7 });
    const b = layout().initial({ seed: 7 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(layout().initial({ seed: 8 }))).not.toEqual(Array.from(a));
    const bigger = parameters({
      extra: vector(5, 0),
      ...{
        ka: scalar(1.5, { transform: 'positive' }),
        f: scalar(0.3, { transform: [0, 1] }),
        shift: scalar(-2),
        w: vector(3, [1, 2, 3]),
        net: chain(2, dense(4, 'tanh'), dense(1)),
      },
    });
    const c = bigger.initial({ seed: 7 });
    expect(Array.from(bigger.view(c, 'net'))).toEqual(Array.from(layout().view(a, 'net')));
  });

  it('round-trips through JSON bit for bit, including −0 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const L = layout();
      const theta = L.initial({ seed: 3, dtype });
      theta[2] = -0;
      theta[3] = 0.1 + 0.2;
      L.freeze('w');
      const text = JSON.stringify(L.toJson(theta));
      const M = layout();
      const back = M.fromJson(JSON.parse(text));
      expect(back.constructor).toBe(theta.constructor);
      expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array(theta.buffer));
      expect(Object.is(back[2], -0)).toBe(true);
      expect(M.isFrozen('w')).toBe(true);
      expect(M.isFrozen('ka')).toBe(false);
    }
  });

  it('refuses files that do not match the layout, naming the difference', () => {
    const L = layout();
    const doc = L.toJson(L.initial());
    const other = parameters({ ka: scalar(1.5, { transform: 'positive' }), f: scalar(0.3) });
    expect(() => other.fromJson(doc)).toThrow(
      /parameter document: blocks lists ka, f, shift, w, net but the layout has ka, f/,
    );
    const renamed = parameters({
      ka: scalar(1, { transform: 'positive' }),
      g: scalar(0.3, { transform: [0, 1] }),
      shift: scalar(0),
      w: vector(3),
      net: chain(2, dense(4, 'tanh'), dense(1)),
    });
    expect(() => renamed.fromJson(doc)).toThrow(
      /blocks\[1\]\.name of block 2 is 'f' but the layout expects 'g'/,
    );
    const retransformed = parameters({
      ka: scalar(1.5),
      f: scalar(0.3, { transform: [0, 1] }),
      shift: scalar(0),
      w: vector(3),
      net: chain(2, dense(4, 'tanh'), dense(1)),
    });
    expect(() => retransformed.fromJson(doc)).toThrow(
      /'ka' was saved with transform \{"type":"log"\} but the layout uses \{"type":"identity"\}/,
    );
    expect(() => L.fromJson({ hello: 1 })).toThrow(/not a scichain parameter file/);
  });

  it('gives clear errors for bad names, values and lengths', () => {
    const L = layout();
    expect(() => L.view(L.initial(), 'kaa')).toThrow(
      /no parameter block 'kaa'; the layout has ka, f, shift, w, net/,
    );
    expect(() => parameters({ ka: scalar(-1, { transform: 'positive' }) })).toThrow(
      /initial value of 'ka' is log-transformed and must be positive and finite, got -1/,
    );
    expect(() => L.set(L.initial(), 'f', 1.5)).toThrow(
      /value of 'f' must lie strictly inside \(0, 1\), got 1.5/,
    );
    expect(() => L.check(new Float64Array(3))).toThrow(
      /θ has length 3 but the parameter layout \(ka: 1, f: 1, shift: 1, w: 3, net: 17\) needs 23/,
    );
    expect(() => parameters({ w: vector(2, [1, 2, 3]) })).toThrow(
      /vector 'w' has size 2 but 3 initial values/,
    );
    expect(() => bounded(1, 1)).toThrow(/bounds must be finite with lower < upper/);
    expect(() => L.toJson(Object.assign(L.initial(), { 0: NaN }))).toThrow(
      /cannot save parameter 'ka'\[0\]: value is NaN/,
    );
  });
});

describe('freezing', () => {
  function problem() {
    const net = chain(2, dense(5, 'tanh'), dense(1));
    const L = parameters({ scale: scalar(2, { transform: 'positive' }), net });
    const rng = new Rng(1);
    const x = rng.fillNormal(new Float64Array(40));
    const y = new Float64Array(20).map((_, i) => Math.sin(x[2 * i]) + x[2 * i + 1]);
    // Objective over the whole θ: network loss plus a term that pulls `scale` towards 5.
    const obj = supervisedObjective({
      model: net,
      loss: meanSquaredError,
      x,
      y,
      offset: L.offset('net'),
    });
    const fg = (t: Float64Array, g: Float64Array): number => {
      const v = obj.valueAndGradient(t, g);
      const s = L.get(t, 'scale');
      L.addNaturalGradient(t, g, 'scale', 2 * (s - 5));
      return v + (s - 5) ** 2;
    };
    return { L, net, obj, fg };
  }

  it('holds under L-BFGS, Adam, gradient descent and the training loop', () => {
    for (const method of ['lbfgs', 'adam', 'gradientDescent', 'train'] as const) {
      const { L, obj, fg } = problem();
      L.freeze('net');
      const theta = L.initial({ seed: 2 }) as Float64Array;
      const before = Array.from(L.view(theta, 'net'));
      if (method === 'train') {
        trainSupervised(obj, theta, {
          epochs: 20,
          optimizer: adam({ learningRate: 0.05 }),
          batchSize: 8,
          frozen: L.frozenMask(),
        });
      } else {
        const r = minimize(fg, theta, { method, maxIterations: 50, frozen: L.frozenMask() });
        expect(L.get(theta, 'scale')).not.toBe(2); // the free block moved
        expect(r.iterations).toBeGreaterThan(0);
      }
      expect(Array.from(L.view(theta, 'net'))).toEqual(before);
    }
  });

  it('freezing the scalar leaves it bit-identical while the network trains', () => {
    const { L, fg } = problem();
    L.freeze('scale');
    const theta = L.initial({ seed: 2 }) as Float64Array;
    const s0 = theta[0];
    minimize(fg, theta, {
      method: gradientDescent({ learningRate: 0.01, momentum: 0.9 }),
      maxIterations: 30,
      frozen: L.frozenMask(),
    });
    expect(theta[0]).toBe(s0);
  });
});
