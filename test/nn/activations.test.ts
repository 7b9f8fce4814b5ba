// Activation values against their definitions, derivatives against finite differences, and the
// float32 tanh approximation against Math.tanh on a dense grid including the tails.
import { describe, expect, it } from 'vitest';
import { activationKernels } from '../../src/nn/activations.ts';
import { activationNames } from '../../src/nn/index.ts';

const definitions: Record<string, (z: number) => number> = {
  identity: (z) => z,
  tanh: Math.tanh,
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  relu: (z) => Math.max(z, 0),
  softplus: (z) => Math.log(1 + Math.exp(z)),
  silu: (z) => z / (1 + Math.exp(-z)),
  swish: (z) => z / (1 + Math.exp(-z)),
  gelu: (z) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3))),
  rbf: (z) => Math.exp(-z * z),
};

describe('activations', () => {
  it('match their definitions and finite-difference derivatives (float64)', () => {
    for (const name of activationNames) {
      const k = activationKernels(name, 'float64');
      for (let z = -6; z <= 6; z += 0.37) {
        expect(k.scalar(z)).toBeCloseTo(definitions[name](z), 12);
        const h = 1e-6;
        const fd = (k.scalar(z + h) - k.scalar(z - h)) / (2 * h);
        expect(Math.abs(k.scalarDerivative(z) - fd)).toBeLessThan(1e-8);
      }
    }
  });

  it('stay finite and exact in the tails (no overflow in sigmoid/softplus/silu)', () => {
    const sig = activationKernels('sigmoid', 'float64');
    expect(sig.scalar(-800)).toBe(0);
    expect(sig.scalar(800)).toBe(1);
    const sp = activationKernels('softplus', 'float64');
    expect(sp.scalar(800)).toBe(800);
    expect(sp.scalar(-50)).toBeCloseTo(Math.exp(-50), 30);
    expect(sp.scalarDerivative(-50)).toBeCloseTo(Math.exp(-50), 30);
    expect(activationKernels('silu', 'float64').scalar(-800)).toBe(-0);
  });

  it('float32 tanh is within 2 float32 ulp of Math.tanh on [−20, 20]', () => {
    const k = activationKernels('tanh', 'float32');
    const n = 400001;
    const z = new Float32Array(n);
    for (let i = 0; i < n; i++) z[i] = -20 + (40 * i) / (n - 1);
    const y = new Float32Array(n);
    k.forward(z, y, n);
    const bits = new Int32Array(2);
    const f = new Float32Array(bits.buffer);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      f[0] = y[i];
      f[1] = Math.fround(Math.tanh(z[i]));
      worst = Math.max(worst, Math.abs(bits[0] - bits[1]));
    }
    // Tiny arguments, where a rational with mismatched leading terms would be off by a constant factor.
    for (let e = -40; e < 0; e++) {
      const t = Math.fround(1.37 * 2 ** e);
      f[0] = k.scalar(t);
      f[1] = Math.fround(Math.tanh(t));
      worst = Math.max(worst, Math.abs(bits[0] - bits[1]));
    }
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('backward kernels compute ȳ·f′ from the cached values', () => {
    for (const name of activationNames) {
      const k = activationKernels(name, 'float64');
      const z = Float64Array.from({ length: 9 }, (_, i) => -2 + 0.5 * i);
      const y = new Float64Array(9);
      k.forward(z, y, 9);
      const yBar = Float64Array.from({ length: 9 }, (_, i) => 1 + i);
      const zBar = new Float64Array(9);
      k.backward(z, y, yBar, zBar, 9);
      for (let i = 0; i < 9; i++)
        expect(zBar[i]).toBeCloseTo(yBar[i] * k.scalarDerivative(z[i]), 12);
    }
  });
});
