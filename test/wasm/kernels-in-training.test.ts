// The WebAssembly kernels inside a model: gradients against central differences, seeded
// determinism over 100 training steps, and which path 'auto', 'wasm' and 'typescript' select.
import { describe, expect, it } from 'vitest';
import {
  adam,
  chain,
  dense,
  meanSquaredError,
  parameters,
  Rng,
  supervisedObjective,
  trainSupervised,
} from '../../src/index.ts';
import { WASM_MIN_MULTIPLY_ADDS, type Dense, type DenseCache } from '../../src/nn/index.ts';
import { centralDifferences, relativeError } from '../helpers/finite-differences.ts';

function problem(n: number, seed: number, dtype: 'float32' | 'float64') {
  const rng = new Rng(seed);
  const T = dtype === 'float32' ? Float32Array : Float64Array;
  return { x: rng.fillNormal(new T(n * 5)), y: rng.fillNormal(new T(n * 3)) };
}

describe('WebAssembly kernels in training', () => {
  it('give gradients that match central differences (every activation, float64)', () => {
    for (const act of ['tanh', 'sigmoid', 'gelu', 'rbf', 'silu', 'softplus', 'relu']) {
      const net = chain(5, dense(13, act), dense(7, 'tanh'), dense(3));
      const { x, y } = problem(40, 2, 'float64');
      const objective = supervisedObjective({
        model: net,
        loss: meanSquaredError,
        x,
        y,
        kernels: 'wasm',
      });
      expect(objective.arena).not.toBeNull();
      const theta = parameters({ net }).initial({ seed: 5 }) as Float64Array;
      const grad = new Float64Array(theta.length);
      objective.valueAndGradient(theta, grad);
      const fd = centralDifferences(() => objective.value(theta), theta);
      expect(relativeError(grad, fd), act).toBeLessThan(act === 'relu' ? 1e-5 : 1e-7);
    }
  });

  it('train deterministically: same seed, bit-identical θ after 100 steps', () => {
    const runOnce = (): number[] => {
      const net = chain(5, dense(24, 'tanh'), dense(3));
      const { x, y } = problem(300, 9, 'float32');
      const objective = supervisedObjective({ model: net, loss: meanSquaredError, x, y });
      const theta = parameters({ net }).initial({ seed: 4, dtype: 'float32' });
      trainSupervised(objective, theta, {
        epochs: 100,
        optimizer: adam({ learningRate: 3e-3 }),
        progress: false,
      });
      return Array.from(theta);
    };
    const a = runOnce();
    expect(runOnce()).toEqual(a);
  });

  it("select WebAssembly from WASM_MIN_MULTIPLY_ADDS under 'auto', and honour forcing", () => {
    const layer = chain(4, dense(8, 'tanh')).layers[0] as Dense;
    const cache = (capacity: number, kernels?: 'auto' | 'wasm' | 'typescript') =>
      layer.createCache('float64', capacity, kernels ? { kernels } : {}) as DenseCache;
    const threshold = WASM_MIN_MULTIPLY_ADDS / 32; // 4·8 multiply-adds per sample
    expect(cache(threshold).wasm).not.toBeNull();
    expect(cache(threshold - 1).wasm).toBeNull();
    expect(
      new (layer.constructor as typeof Dense)(64, 64).createCache('float64', 1).wasm,
    ).toBeNull();
    expect(cache(1, 'wasm').wasm).not.toBeNull();
    expect(cache(4096, 'typescript').wasm).toBeNull();
    // The two paths agree on a batch, float32 training included.
    const { x, y } = problem(64, 1, 'float32');
    const losses = (['wasm', 'typescript'] as const).map((kernels) => {
      const net = chain(5, dense(16, 'tanh'), dense(3));
      const objective = supervisedObjective({ model: net, loss: meanSquaredError, x, y, kernels });
      const theta = parameters({ net }).initial({ seed: 4, dtype: 'float32' });
      trainSupervised(objective, theta, {
        epochs: 20,
        optimizer: adam({ learningRate: 1e-2 }),
        progress: false,
      });
      return objective.value(theta);
    });
    expect(Math.abs(losses[0] - losses[1]) / losses[1]).toBeLessThan(1e-4);
  });
});
