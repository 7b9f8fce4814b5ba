// Dense parameter order (weight out×in row-major, then bias: PyTorch nn.Linear) on a
// hand-computed 2–3–1 network, and batched/single-sample/f32 consistency.
import { describe, expect, it } from 'vitest';
import { chain, dense, Rng, ScichainError } from '../../src/index.ts';

describe('dense layers', () => {
  it('use PyTorch nn.Linear order: a hand-computed 2–3–1 network', () => {
    const net = chain(2, dense(3, 'relu'), dense(1));
    expect(net.paramCount).toBe(3 * 2 + 3 + 1 * 3 + 1);
    // layer 1: W1 = [[1, 2], [−1, 0.5], [0, −3]], b1 = [0.5, 0, 1]; layer 2: W2 = [[2, −1, 4]], b2 = [−0.25]
    const theta = new Float64Array([1, 2, -1, 0.5, 0, -3, 0.5, 0, 1, 2, -1, 4, -0.25]);
    const x = new Float64Array([1, 2]);
    // z1 = [1 + 4 + 0.5, −1 + 1 + 0, 0 − 6 + 1] = [5.5, 0, −5] → relu [5.5, 0, 0]
    // y = 2·5.5 − 0 + 0 − 0.25 = 10.75
    const ws = net.workspace();
    const y = new Float64Array(1);
    net.forward(theta, 0, x, y, ws);
    expect(y[0]).toBe(10.75);
    // ∂y/∂W2 = h = [5.5, 0, 0], ∂y/∂b2 = 1; ∂y/∂W1[0,:] = W2[0]·x = 2·[1, 2]; ∂y/∂b1[0] = 2; other rows dead.
    const grad = new Float64Array(net.paramCount);
    const xBar = new Float64Array(2);
    net.vjp(theta, 0, ws, new Float64Array([1]), xBar, grad, 0);
    expect(Array.from(grad)).toEqual([2, 4, 0, 0, 0, 0, 2, 0, 0, 5.5, 0, 0, 1]);
    expect(Array.from(xBar)).toEqual([2, 4]); // 2·W1[0,:]
    expect(net.parameterGroups().map((g) => [g.name, g.offset, g.size, g.role])).toEqual([
      ['layer1.weight', 0, 6, 'weight'],
      ['layer1.bias', 6, 3, 'bias'],
      ['layer2.weight', 9, 3, 'weight'],
      ['layer2.bias', 12, 1, 'bias'],
    ]);
  });

  it('without bias have out×in parameters', () => {
    const net = chain(3, dense(4, 'tanh', { bias: false }));
    expect(net.paramCount).toBe(12);
    expect(net.roleMask('bias').reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('give the same outputs batched and one sample at a time', () => {
    const net = chain(5, dense(7, 'gelu'), dense(6, 'silu'), dense(3, 'sigmoid'));
    const rng = new Rng(4);
    const theta = new Float64Array(net.paramCount);
    net.init(theta, 0, rng);
    const n = 11;
    const x = rng.fillNormal(new Float64Array(n * 5));
    const batched = net.forward(theta, 0, x, null, net.workspace({ batch: n }), n).slice();
    const ws1 = net.workspace();
    for (let s = 0; s < n; s++) {
      const y = net.forward(theta, 0, x.subarray(5 * s, 5 * s + 5), null, ws1, 1);
      for (let o = 0; o < 3; o++) expect(y[o]).toBeCloseTo(batched[3 * s + o], 14);
    }
  });

  it('in float32 agree with float64 to single precision', () => {
    const net = chain(4, dense(32, 'tanh'), dense(16, 'tanh'), dense(4));
    const theta = new Float64Array(net.paramCount);
    net.init(theta, 0, new Rng(2));
    const theta32 = Float32Array.from(theta);
    const x = new Rng(3).fillNormal(new Float64Array(4 * 50));
    const y64 = net.forward(theta, 0, x, null, net.workspace({ batch: 50 }));
    const y32 = net.forward(
      theta32,
      0,
      Float32Array.from(x),
      null,
      net.workspace({ batch: 50, dtype: 'float32' }),
    );
    for (let i = 0; i < y64.length; i++)
      expect(Math.abs(y32[i] - y64[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(y64[i])));
  });

  it('in float32 give the float64 pullback to single precision (batched and single sample)', () => {
    const net = chain(
      3,
      dense(9, 'tanh'),
      dense(7, 'softplus'),
      dense(2, 'sigmoid', { bias: false }),
      dense(3),
    );
    const theta = new Float64Array(net.paramCount);
    net.init(theta, 0, new Rng(5));
    const rng = new Rng(6);
    for (const n of [1, 13]) {
      const x = rng.fillNormal(new Float64Array(3 * n));
      const yBar = rng.fillNormal(new Float64Array(3 * n));
      const results = (['float64', 'float32'] as const).map((dtype) => {
        const T = dtype === 'float32' ? Float32Array : Float64Array;
        const ws = net.workspace({ batch: n, dtype });
        const t = T.from(theta);
        const grad = new T(net.paramCount);
        const xBar = new T(3 * n);
        net.forward(t, 0, T.from(x), null, ws, n);
        net.vjp(t, 0, ws, T.from(yBar), xBar, grad, 0, n);
        return [...grad, ...xBar];
      });
      const scale = Math.max(...results[0].map(Math.abs));
      results[0].forEach((v, i) => expect(Math.abs(results[1][i] - v)).toBeLessThan(1e-5 * scale));
    }
  });

  it('initialise with Glorot uniform by default, seeded, zero biases', () => {
    const net = chain(30, dense(50));
    const a = new Float64Array(net.paramCount);
    const b = new Float64Array(net.paramCount);
    net.init(a, 0, new Rng(1));
    net.init(b, 0, new Rng(1));
    expect(Array.from(a)).toEqual(Array.from(b));
    const limit = Math.sqrt(6 / 80);
    const w = a.subarray(0, 1500);
    expect(Math.max(...w)).toBeLessThanOrEqual(limit);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-limit);
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeCloseTo(limit ** 2 / 3, 2); // variance of U(−a, a) is a²/3 = 2/(in+out)
    expect(Array.from(a.subarray(1500))).toEqual(new Array(50).fill(0));
    const torch = chain(30, dense(50, 'identity', { init: 'pytorchLinear' }));
    const tw = new Float64Array(torch.paramCount);
    torch.init(tw, 0, new Rng(1));
    const bound = 1 / Math.sqrt(30); // nn.Linear: U(−1/√fanIn, 1/√fanIn) for weights and bias
    expect(Math.max(...tw.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(tw.subarray(1500).some((b) => b !== 0)).toBe(true);
    expect(tw.reduce((s, v) => s + v * v, 0) / tw.length).toBeCloseTo(bound ** 2 / 3, 3);
    const normal = chain(30, dense(50, 'identity', { init: 'glorotNormal' }));
    const c = new Float64Array(normal.paramCount);
    normal.init(c, 0, new Rng(1));
    const v2 = c.subarray(0, 1500).reduce((s, v) => s + v * v, 0) / 1500;
    expect(v2).toBeCloseTo(2 / 80, 2);
  });
});

describe('chain outputs', () => {
  it("write into the caller's y of the workspace dtype, convert into another, same gradient", () => {
    const net = chain(3, dense(5, 'tanh'), dense(2, 'sigmoid'));
    const theta = new Float64Array(net.paramCount);
    net.init(theta, 0, new Rng(4));
    const n = 7;
    const x = new Rng(5).fillNormal(new Float64Array(3 * n));
    const yBar = new Rng(6).fillNormal(new Float64Array(2 * n));
    const run = (y: Float64Array | Float32Array | null) => {
      const ws = net.workspace({ batch: n });
      const out = net.forward(theta, 0, x, y, ws, n);
      const grad = new Float64Array(net.paramCount);
      net.vjp(theta, 0, ws, yBar, null, grad, 0, n);
      return { out: Float64Array.from(out.subarray(0, 2 * n)), grad, ws };
    };
    const internal = run(null);
    const same = new Float64Array(2 * n);
    const direct = run(same);
    // The sigmoid's pullback reads its output back from y: the same gradient bits.
    expect(direct.grad).toEqual(internal.grad);
    expect(Array.from(same)).toEqual(Array.from(internal.out));
    expect(direct.ws.output).toBe(same);
    const other = new Float32Array(2 * n);
    const converted = run(other);
    expect(converted.grad).toEqual(internal.grad);
    expect(Array.from(other)).toEqual(Array.from(Float32Array.from(internal.out)));
    expect(converted.ws.output).not.toBe(other);
  });
});

describe('bad input to networks', () => {
  const net = chain(3, dense(4, 'tanh'), dense(2));
  const theta = new Float64Array(net.paramCount);

  it('names an unknown activation and lists the valid ones', () => {
    expect(() => dense(4, 'tanhh')).toThrow(
      /unknown activation 'tanhh'; did you mean 'tanh'\? valid: identity, tanh/,
    );
  });

  it('names a θ of the wrong length', () => {
    expect(() =>
      net.forward(new Float64Array(5), 0, new Float64Array(3), null, net.workspace()),
    ).toThrow(/θ has length 5 but the chain needs 26 entries from offset 0/);
  });

  it('names inputs that are too short, batches beyond capacity and dtype mismatches', () => {
    const ws = net.workspace({ batch: 2 });
    expect(() => net.forward(theta, 0, new Float64Array(5), null, ws, 2)).toThrow(
      /input x has length 5 but 2 samples × 3 inputs = 6/,
    );
    expect(() => net.forward(theta, 0, new Float64Array(9), null, ws, 3)).toThrow(
      /batch size n = 3 must be an integer in 1…2/,
    );
    expect(() => net.forward(new Float32Array(26), 0, new Float64Array(6), null, ws)).toThrow(
      /θ is float32 but the workspace is float64/,
    );
    expect(() => net.vjp(theta, 0, ws, new Float64Array(4), null, new Float64Array(3), 0)).toThrow(
      /gradient has length 3/,
    );
  });

  it('rejects chain pieces whose sizes do not fit', () => {
    const inner = chain(5, dense(2));
    expect(() => chain(3, dense(4), inner)).toThrow(
      /chain item 2 \(chain\(5: dense\(5 → 2, identity\)\)\) takes 5 inputs but receives 4/,
    );
    expect(() => dense(0)).toThrow(ScichainError);
    expect(() => dense(2.5)).toThrow(/dense layer output size must be an integer ≥ 1, got 2.5/);
  });
});
