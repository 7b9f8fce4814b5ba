// Adam against a three-step trajectory computed independently (Kingma & Ba, Algorithm 1, in
// Python) for f(θ) = θ₁² + 10θ₂² from θ = (1, −1) with η = 0.1; and AdamW's decoupled decay.
import { describe, expect, it } from 'vitest';
import { adam, gradientDescent, ScichainError } from '../../src/index.ts';

const gradient = (theta: Float64Array, g: Float64Array): void => {
  g[0] = 2 * theta[0];
  g[1] = 20 * theta[1];
};

function run(opt: ReturnType<typeof adam>, steps: number): number[][] {
  const theta = new Float64Array([1, -1]);
  const g = new Float64Array(2);
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    gradient(theta, g);
    opt.step(theta, g);
    out.push(Array.from(theta));
  }
  return out;
}

describe('Adam', () => {
  it('reproduces a hand-computed three-step trajectory', () => {
    const expected = [
      [0.9000000005, -0.90000000005],
      [0.8004122286917928, -0.8004122277733021],
      [0.7015862729460303, -0.7015862715434841],
    ];
    const got = run(adam({ learningRate: 0.1 }), 3);
    got.forEach((row, t) => row.forEach((v, i) => expect(v).toBeCloseTo(expected[t][i], 14)));
  });

  it('applies decoupled weight decay (AdamW)', () => {
    const expected = [
      [0.8500000004999999, -0.85000000005],
      [0.7082484433597453, -0.7082484424544291],
      [0.5749739307415969, -0.5749739293811125],
    ];
    const got = run(adam({ learningRate: 0.1, weightDecay: 0.5 }), 3);
    got.forEach((row, t) => row.forEach((v, i) => expect(v).toBeCloseTo(expected[t][i], 14)));
  });

  it('leaves frozen entries and their moments alone, following a mask changed in place', () => {
    // Same trajectory for the free entry as an unmasked run of that entry alone.
    const mask = new Uint8Array([0, 1]);
    const masked = adam({ learningRate: 0.1, frozen: mask });
    const theta = new Float64Array([1, -1]);
    const g = new Float64Array(2);
    const single = adam({ learningRate: 0.1 });
    const alone = new Float64Array([1]);
    for (let t = 0; t < 3; t++) {
      gradient(theta, g);
      masked.step(theta, g);
      single.step(alone, new Float64Array([2 * alone[0]]));
    }
    expect(theta[1]).toBe(-1);
    expect(theta[0]).toBe(alone[0]);
    expect(masked.state().buffers.v?.[1]).toBe(0);
    // Swap which entry is frozen without a new array: the first must stop moving.
    mask[0] = 1;
    mask[1] = 0;
    const before = theta[0];
    gradient(theta, g);
    masked.step(theta, g);
    expect(theta[0]).toBe(before);
    expect(theta[1]).not.toBe(-1);
  });

  it('saves and restores its state exactly', () => {
    const a = adam({ learningRate: 0.05 });
    const theta = new Float64Array([1, -1]);
    const g = new Float64Array(2);
    for (let t = 0; t < 4; t++) {
      gradient(theta, g);
      a.step(theta, g);
    }
    const b = adam({ learningRate: 0.05 });
    b.loadState(JSON.parse(JSON.stringify(a.state())));
    const thetaB = theta.slice();
    for (let t = 0; t < 3; t++) {
      gradient(theta, g);
      a.step(theta, g);
      gradient(thetaB, g);
      b.step(thetaB, g);
    }
    expect(Array.from(thetaB)).toEqual(Array.from(theta));
  });

  it('refuses a non-finite gradient without touching θ, naming the entry', () => {
    const a = adam();
    const theta = new Float64Array([1, 2, 3]);
    expect(() => a.step(theta, new Float64Array([0.1, NaN, 0.3]))).toThrow(
      /gradient entry 1 is NaN at optimizer step 1/,
    );
    expect(Array.from(theta)).toEqual([1, 2, 3]);
  });

  it('validates hyper-parameters by name', () => {
    expect(() => adam({ learningRate: -1 })).toThrow(
      /Adam learningRate must be in \(0, Infinity\), got -1/,
    );
    expect(() => adam({ beta1: 1 })).toThrow(/Adam beta1/);
    expect(() => adam({ epsilon: 0 })).toThrow(/Adam epsilon must be in \(0, Infinity\), got 0/);
    // A string from JavaScript or JSON passed the range check by coercion and trained.
    expect(() => adam({ learningRate: '0.01' as unknown as number })).toThrow(
      /Adam learningRate must be in \(0, Infinity\), got "0.01"/,
    );
    expect(() => gradientDescent({ momentum: 1.5 })).toThrow(ScichainError);
  });
});

describe('gradient descent', () => {
  it('takes θ ← θ − η·g, and heavy-ball momentum as PyTorch SGD', () => {
    const theta = new Float64Array([1, -1]);
    const g = new Float64Array(2);
    const gd = gradientDescent({ learningRate: 0.01 });
    gradient(theta, g);
    gd.step(theta, g);
    expect(Array.from(theta)).toEqual([1 - 0.02, -1 + 0.2]);
    const m = gradientDescent({ learningRate: 0.1, momentum: 0.5 });
    const x = new Float64Array([1]);
    m.step(x, new Float64Array([1])); // b = 1, x = 0.9
    m.step(x, new Float64Array([1])); // b = 1.5, x = 0.75
    expect(x[0]).toBeCloseTo(0.75, 15);
  });
});
