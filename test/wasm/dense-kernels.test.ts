// Every generated WebAssembly dense kernel (forward with fused bias and activation, bias and
// weight gradients, input cotangent) against the plain TypeScript kernels, property-based over
// widths 1…300 (odd sizes and every remainder of the register tiles), batch sizes, bias,
// activations and both precisions. Errors are relative to the largest entry of each result:
// float64 within 1e-12, float32 within 1e-5.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activationNames } from '../../src/nn/index.ts';
import { compareLayer } from '../helpers/dense-compare.ts';

type DType = 'float32' | 'float64';

const activations = activationNames.filter((a) => a !== 'swish');

describe('WebAssembly dense kernels', () => {
  it('match the TypeScript kernels over widths 1…300, batches, activations and precisions', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 13, max: 300 })),
        fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 13, max: 300 })),
        fc.oneof(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 250, max: 600 })),
        fc.constantFrom(...activations),
        fc.boolean(),
        fc.constantFrom<DType>('float64', 'float32'),
        fc.nat(),
        (inp, out, n, activation, bias, dtype, seed) => {
          // Keep each case small enough for CI: at most ~2·10⁶ multiply-adds.
          const batch = inp * out * n > 2e6 ? Math.max(1, Math.floor(2e6 / (inp * out))) : n;
          const error = compareLayer(inp, out, batch, activation, bias, dtype, seed);
          expect(error).toBeLessThan(dtype === 'float64' ? 1e-12 : 1e-5);
        },
      ),
      { numRuns: 120, seed: 7 },
    );
  });

  it('cover every tile remainder at small widths in both precisions', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      for (let inp = 1; inp <= 9; inp++) {
        for (let out = 1; out <= 9; out++) {
          const error = compareLayer(inp, out, 13, 'tanh', true, dtype, inp * 10 + out);
          expect(error).toBeLessThan(dtype === 'float64' ? 1e-12 : 1e-5);
        }
      }
    }
  });

  it('agree on the relaxed-SIMD (fused multiply-add) path when the engine has it', () => {
    // Node 20 has relaxed SIMD only behind a flag: run the comparison in a child process with it.
    const script = fileURLToPath(new URL('./relaxed-simd-check.ts', import.meta.url));
    const output = execFileSync(
      process.execPath,
      ['--experimental-wasm-relaxed-simd', '--import', 'tsx', script],
      { encoding: 'utf8' },
    );
    const result = JSON.parse(output.trim().split('\n').pop()!) as {
      relaxed: boolean;
      f64: number;
      f32: number;
    };
    expect(result.relaxed).toBe(true);
    expect(result.f64).toBeLessThan(1e-12);
    expect(result.f32).toBeLessThan(1e-5);
  });
});
