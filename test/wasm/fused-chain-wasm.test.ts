// The WebAssembly single-sample chain kernels (float64x2) against the per-layer TypeScript path:
// property-based over depths, widths 1…80 (odd widths take the scalar tails), activations and
// bias; θ and the gradient inside and outside the kernels' arena; the gradient accumulated, not
// overwritten; and which path chains and workspaces take.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chain, dense, Rng } from '../../src/index.ts';
import { Arena, type LayerSpec } from '../../src/nn/index.ts';
import { FUSED_CHAIN_MAX_WEIGHTS } from '../../src/nn/kernels/fused-chain.ts';
import { WasmFusedChain } from '../../src/nn/kernels/fused-chain-wasm.ts';
import { errorRelativeToLargest } from '../helpers/dense-compare.ts';

const ACTIVATIONS = ['identity', 'tanh', 'sigmoid', 'relu', 'rbf', 'silu', 'gelu'];

function compare(widths: number[], activations: string[], biases: boolean[], seed: number) {
  const specs: LayerSpec[] = widths
    .slice(1)
    .map((w, i) => dense(w, activations[i], { bias: biases[i] }));
  const net = chain(widths[0], ...specs);
  const rng = new Rng(seed);
  const theta = (rng.fillNormal(new Float64Array(net.paramCount + 3)) as Float64Array).map(
    (v) => 0.4 * v,
  );
  const x = rng.fillNormal(new Float64Array(widths[0])) as Float64Array;
  const yBar = rng.fillNormal(new Float64Array(net.outputSize)) as Float64Array;
  const wasm = new WasmFusedChain(net.inputSize, net.fusedStages()!);
  const ws = net.workspace({ kernels: 'typescript' });
  const run = (kind: 'wasm' | 'typescript') => {
    const y = new Float64Array(net.outputSize);
    const grad = new Float64Array(net.paramCount + 5).fill(0.5); // accumulated into
    const xBar = new Float64Array(net.inputSize);
    if (kind === 'wasm') {
      wasm.forward(theta, 3, x, y);
      wasm.vjp(theta, 3, yBar, xBar, grad, 5 - 0);
    } else {
      net.forward(theta, 3, x, y, ws, 1);
      net.vjp(theta, 3, ws, yBar, xBar, grad, 5, 1);
    }
    return { y, grad, xBar };
  };
  const a = run('wasm');
  const b = run('typescript');
  return Math.max(
    errorRelativeToLargest(a.y, b.y),
    errorRelativeToLargest(a.grad, b.grad),
    errorRelativeToLargest(a.xBar, b.xBar),
  );
}

describe('WebAssembly single-sample chain kernels', () => {
  it('match the per-layer TypeScript path over depths, widths 1…80, activations and bias', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 2, maxLength: 5 }),
        fc.array(fc.constantFrom(...ACTIVATIONS), { minLength: 4, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.nat(),
        (widths, activations, biases, seed) => {
          expect(compare(widths, activations, biases, seed)).toBeLessThan(1e-12);
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });

  it('use θ and the gradient in place inside their arena, with the same bits as staged', () => {
    const net = chain(2, dense(32, 'tanh'), dense(31, 'gelu'), dense(2));
    const stages = net.fusedStages()!;
    const arena = new Arena({ shared: false, initialBytes: 1 << 18 });
    const kernel = new WasmFusedChain(2, stages, arena);
    const rng = new Rng(3);
    const heapTheta = (rng.fillNormal(new Float64Array(net.paramCount)) as Float64Array).map(
      (v) => 0.3 * v,
    );
    const arenaTheta = arena.floats('float64', net.paramCount) as Float64Array;
    arenaTheta.set(heapTheta);
    const x = new Float64Array([0.3, -1.1]);
    const yBar = new Float64Array([1, -2]);
    const pairs: [Float64Array, Float64Array][] = [
      [heapTheta, new Float64Array(net.paramCount)],
      [arenaTheta, arena.floats('float64', net.paramCount) as Float64Array],
    ];
    const results = pairs.map(([theta, grad]) => {
      const y = new Float64Array(2);
      const xBar = new Float64Array(2);
      kernel.forward(theta, 0, x, y);
      kernel.vjp(theta, 0, yBar, xBar, grad, 0);
      kernel.vjp(theta, 0, yBar, xBar, grad, 0); // accumulates: twice the gradient
      return [...y, ...xBar, ...grad];
    });
    expect(results[1]).toEqual(results[0]);
  });

  it('are chosen beyond the unrolled TypeScript kernel, and not when TypeScript is forced', () => {
    const small = chain(2, dense(5, 'tanh'), dense(5, 'tanh'), dense(2)); // 45 weights
    const large = chain(2, dense(32, 'tanh'), dense(32, 'tanh'), dense(2)); // 1,152 weights
    expect(1152).toBeGreaterThan(FUSED_CHAIN_MAX_WEIGHTS);
    expect(small.workspace().single).toBeNull();
    expect(large.workspace().single).toBeInstanceOf(WasmFusedChain);
    expect(large.workspace({ kernels: 'typescript' }).single).toBeNull();
    expect(large.singleSample()).toBeInstanceOf(WasmFusedChain);
    expect(large.singleSample('typescript')).toBeNull();
    expect(small.singleSample('wasm')).toBeInstanceOf(WasmFusedChain);
    // softplus has no SIMD form: the per-layer path stays.
    expect(chain(2, dense(32, 'softplus'), dense(32), dense(2)).workspace().single).toBeNull();
  });
});
