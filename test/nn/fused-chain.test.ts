// The fused single-sample kernel of a whole chain against the per-layer path it replaces inside
// ODE right-hand sides: same outputs, same accumulated gradient, same input cotangent, for every
// activation, stand-alone activation layers, layers without bias and θ at an offset.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activation, chain, dense, dropout, Rng, type FloatArray } from '../../src/index.ts';
import { activationNames } from '../../src/nn/index.ts';
import { WasmFusedChain } from '../../src/nn/kernels/fused-chain-wasm.ts';
import { FUSED_CHAIN_MAX_WEIGHTS } from '../../src/nn/kernels/fused-chain.ts';

function normal(rng: Rng, n: number): Float64Array {
  const a = new Float64Array(n);
  rng.fillNormal(a);
  return a;
}

describe('fused single-sample chain kernels', () => {
  it('match the per-layer forward and pullback (property-based)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.record({
            width: fc.integer({ min: 1, max: 4 }), // ≤ 64 weights: under the fusion limit
            activation: fc.constantFrom(...activationNames),
            bias: fc.boolean(),
            standalone: fc.constantFrom(...activationNames),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 1000 }),
        (inputSize, layers, offset, seed) => {
          const items = layers.flatMap((l, i) => [
            dense(l.width, l.activation, { bias: l.bias }),
            ...(i % 2 === 1 ? [activation(l.standalone)] : []),
          ]);
          const net = chain(inputSize, ...items);
          const fused = net.singleSample();
          expect(fused).not.toBeNull();
          const rng = new Rng(seed);
          const theta = normal(rng, offset + net.paramCount);
          const x = normal(rng, inputSize);
          const yBar = normal(rng, net.outputSize);
          const start = normal(rng, offset + net.paramCount);

          const ws = net.workspace();
          const yLayered = net.forward(theta, offset, x, null, ws, 1).slice();
          const gLayered = start.slice();
          const xBarLayered = new Float64Array(inputSize);
          net.vjp(theta, offset, ws, yBar, xBarLayered, gLayered, offset, 1);

          const y = new Float64Array(net.outputSize);
          fused!.forward(theta, offset, x, y);
          const g = start.slice();
          const xBar = new Float64Array(inputSize).fill(Number.NaN);
          fused!.vjp(theta, offset, yBar, xBar, g, offset);
          const close = (a: FloatArray, b: FloatArray): void => {
            for (let i = 0; i < a.length; i++)
              expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(b[i])));
          };
          close(y, yLayered);
          close(g, gLayered);
          close(xBar, xBarLayered);
          // Without x̄ the parameter gradient is the same.
          const g2 = start.slice();
          fused!.vjp(theta, offset, yBar, null, g2, offset);
          close(g2, gLayered);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it('keep separate records per instance (one per call site)', () => {
    const net = chain(2, dense(3, 'tanh'), dense(1));
    const theta = normal(new Rng(1), net.paramCount);
    const a = net.singleSample()!;
    const b = net.singleSample()!;
    const y = new Float64Array(1);
    a.forward(theta, 0, new Float64Array([0.3, -1]), y);
    b.forward(theta, 0, new Float64Array([2, 0.5]), y);
    const ga = new Float64Array(net.paramCount);
    a.vjp(theta, 0, new Float64Array([1]), null, ga, 0);
    // The second-layer weight gradient is the first forward's hidden values, not the second's.
    const ws = net.workspace();
    net.forward(theta, 0, new Float64Array([0.3, -1]), null, ws, 1);
    expect(Array.from(ga.subarray(9, 12))).toEqual(Array.from(ws.outputs[0].subarray(0, 3)));
  });

  it('are not generated for unfusable layers; above the size limit WebAssembly takes over', () => {
    expect(chain(2, dense(4, 'tanh'), dropout(0.1), dense(1)).singleSample()).toBeNull();
    const side = Math.ceil(Math.sqrt(FUSED_CHAIN_MAX_WEIGHTS)) + 1;
    expect(chain(side, dense(side)).singleSample('typescript')).toBeNull();
    expect(chain(side, dense(side)).singleSample()).toBeInstanceOf(WasmFusedChain);
    expect(chain(2, dense(5, 'rbf'), dense(2)).singleSample()).not.toBeInstanceOf(WasmFusedChain);
  });
});
