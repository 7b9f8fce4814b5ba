// Surrogate forward passes and pullbacks allocate nothing after warm-up: young-generation growth
// per call measured in a child process (it needs --expose-gc and a young generation that no
// scavenge empties during the count), as in test/nn/allocation.test.ts. The probe script is
// passed inline so that this file is self-contained; a control that allocates one small typed
// array per call shows the measurement can see an allocation.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const probe = `
import { allocatingControl, bytesAllocatedPerCall } from './bench/harness.ts';
import { chain } from './src/nn/chain.ts';
import { dense } from './src/nn/dense.ts';
import { Rng } from './src/core/rng.ts';
import { chebyshev } from './src/surrogates/chebyshev.ts';
import { fourier } from './src/surrogates/fourier.ts';

const calls = 4_000;
const results = {};
// One-input Chebyshev, several-input Chebyshev and Fourier layers, a float32 batch
// with clamping, both kinds inside a chain with a dense layer, a layer large enough for the
// loop form of the kernels, one with many outputs, and the single-sample entry points.
const cases = {
  chebyshev1d: [chebyshev({ degree: 12, inputs: 1, outputs: 2, domain: [0, 5] }), 1, 'float64'],
  chebyshevClampBatch: [
    chebyshev({ degree: 4, inputs: 2, basis: 'tensor', outside: 'clamp', domain: [-0.5, 0.5] }),
    4,
    'float32',
  ],
  chainWithSurrogates: [
    chain(2, fourier({ harmonics: 3, period: 6.3 }), dense(4, 'tanh'), chebyshev({ degree: 3, outputs: 2 })),
    1,
    'float64',
  ],
  loopForm: [chebyshev({ degree: 6, inputs: 3, basis: 'tensor' }), 2, 'float64'],
  manyOutputs: [fourier({ harmonics: 2, period: 3, inputs: 2, outputs: 8 }), 3, 'float64'],
};
for (const [name, [layer, n, dtype]] of Object.entries(cases)) {
  const rng = new Rng(1);
  const F = dtype === 'float32' ? Float32Array : Float64Array;
  const theta = new F(layer.paramCount);
  layer.init(theta, 0, rng);
  const grad = new F(layer.paramCount);
  const x = rng.fillUniform(new F(n * layer.inputSize), -0.9, 0.9);
  const y = new F(n * layer.outputSize);
  const yBar = rng.fillNormal(new F(n * layer.outputSize));
  const xBar = new F(n * layer.inputSize);
  const cache = layer.createCache(dtype, n);
  results[name] = await bytesAllocatedPerCall(() => {
    layer.forward(theta, 0, x, y, cache, n);
    layer.vjp(theta, 0, cache, yBar, xBar, grad, 0, n);
  }, calls);
}
{
  const layer = chebyshev({ degree: 8, inputs: 2, domain: [0, 2] });
  const single = layer.singleSample();
  const rng = new Rng(2);
  const theta = rng.fillNormal(new Float64Array(layer.paramCount));
  const grad = new Float64Array(layer.paramCount);
  const x = Float64Array.from([0.4, 1.7]);
  const y = new Float64Array(1);
  const yBar = Float64Array.from([0.3]);
  const xBar = new Float64Array(2);
  results.singleSample = await bytesAllocatedPerCall(() => {
    single.forward(theta, 0, x, y);
    single.vjp(theta, 0, yBar, xBar, grad, 0);
  }, calls);
}
results.allocatingControl = await bytesAllocatedPerCall(allocatingControl, calls);
console.log(JSON.stringify(results));
`;

describe('zero allocation of the surrogate layers', () => {
  it('forward + pullback of Chebyshev and Fourier layers (alone, a float32 batch, in a chain, loop form, many outputs, single-sample) allocate nothing', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '--min-semi-space-size=64',
        '--max-semi-space-size=64',
        '--import',
        'tsx',
        '--input-type=module',
        '--eval',
        probe,
      ],
      { encoding: 'utf8' },
    );
    const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
    expect(r.allocatingControl).toBeGreaterThan(16);
    // The smallest V8 allocation is 16 bytes; below 1 byte per call is JIT bookkeeping.
    const names = ['chebyshev1d', 'chebyshevClampBatch', 'chainWithSurrogates', 'loopForm'];
    for (const name of [...names, 'manyOutputs', 'singleSample']) {
      expect(r[name], name).toBeTypeOf('number');
      expect(r[name], name).toBeLessThan(1);
    }
  });
});
