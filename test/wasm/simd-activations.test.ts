// The SIMD activations against exact double-precision references on a dense grid over
// [−40, 40], logarithmic grids towards 0 and ±1e3, and the ends of the exp range. Bounds are the
// documented ones (docs/performance.md): float32 in ulp of the correctly rounded result, float64
// relative. Results below 1e-35 (float32) / 1e-300 (float64) may flush to zero. For gelu the
// bound holds for z ≥ −5: further out its error is that of rounding u = c·(z + 0.044715 z³)
// itself, multiplied by |2u| (the function's own conditioning).
import { describe, expect, it } from 'vitest';
import { Dense } from '../../src/nn/index.ts';

const sigmoid = (z: number): number =>
  z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
const EXACT: Record<string, (z: number) => number> = {
  tanh: Math.tanh,
  sigmoid,
  rbf: (z) => Math.exp(-z * z),
  silu: (z) => z * sigmoid(z),
  gelu: (z) => z * sigmoid(2 * 0.7978845608028654 * (z + 0.044715 * z * z * z)),
  relu: (z) => Math.max(z, 0),
};
/** Documented maximum errors: float32 in ulp, float64 relative. */
const BOUNDS: Record<string, { float32: number; float64: number }> = {
  tanh: { float32: 6, float64: 1e-15 },
  sigmoid: { float32: 3, float64: 1e-15 },
  rbf: { float32: 3, float64: 1e-15 },
  silu: { float32: 4, float64: 1e-15 },
  gelu: { float32: 40, float64: 1e-14 },
  relu: { float32: 0, float64: 0 },
};

function grid(): number[] {
  const g: number[] = [];
  for (let i = -100_000; i <= 100_000; i++) g.push(i * 4e-4);
  for (let e = -30; e <= 3; e += 0.01) g.push(10 ** e, -(10 ** e));
  g.push(-800, -745, -709, -708.3, -100, -88, -87.3, 87, 88, 100, 709, 800, 0, -0);
  return g;
}

/** Error of y against the exact value e: ulp (float32) or relative (float64). */
function error(y: number, e: number, dtype: 'float32' | 'float64'): number {
  const floor = dtype === 'float32' ? 1e-35 : 1e-300;
  if (Math.abs(e) < floor) return Math.abs(y) <= floor ? 0 : Infinity;
  if (dtype === 'float64') return Math.abs(y - e) / Math.abs(e);
  const ulp = 2 ** (Math.floor(Math.log2(Math.abs(e))) - 23);
  return Math.abs(y - e) / ulp;
}

describe('SIMD activations', () => {
  const z = grid();
  for (const dtype of ['float32', 'float64'] as const) {
    for (const name of Object.keys(EXACT)) {
      it(`${name} (${dtype}) stays within its documented error`, () => {
        const n = z.length;
        const layer = new Dense(1, 1, name);
        const cache = layer.createCache(dtype, n, { kernels: 'wasm' });
        const T = dtype === 'float32' ? Float32Array : Float64Array;
        const x = T.from(z);
        const y = new T(n);
        layer.forward(T.from([1, 0]), 0, x, y, cache, n); // y = f(1·x + 0)
        let worst = 0;
        let at = 0;
        for (let i = 0; i < n; i++) {
          if (name === 'gelu' && x[i] < -5) continue;
          const err = Number.isNaN(y[i]) ? Infinity : error(y[i], EXACT[name](x[i]), dtype);
          if (err > worst) [worst, at] = [err, x[i]];
        }
        expect(worst, `worst at z = ${at}`).toBeLessThanOrEqual(BOUNDS[name][dtype]);
        // Not vacuous: the float32 results really are float32 roundings, not exact copies.
        if (name === 'tanh' && dtype === 'float32') expect(worst).toBeGreaterThan(0);
      });
    }
  }
});
