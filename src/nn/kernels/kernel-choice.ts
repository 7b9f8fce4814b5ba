/**
 * Which implementation runs a layer's batched products: the generated WebAssembly SIMD kernels
 * or the generated TypeScript kernels. `'auto'` takes WebAssembly where it was measured to win
 * (batches of at least {@link WASM_MIN_BATCH} samples, when the engine has SIMD); the other two
 * force a path (`'wasm'` fails clearly where WebAssembly SIMD is missing).
 */
import { ScichainError } from '../../errors.ts';
import { wasmFeatures } from '../../wasm/features.ts';

/** Kernel selection. */
export type KernelChoice = 'auto' | 'wasm' | 'typescript';

/**
 * Smallest batch for which `'auto'` uses the WebAssembly kernels: below it the call overhead
 * (staging θ, the transposed weights, crossing into WebAssembly) costs more than the SIMD
 * arithmetic saves. Measured with `npm run bench -- gemm --crossover` (docs/performance.md).
 */
export const WASM_MIN_BATCH = 8;

/** Whether a cache of this capacity should get WebAssembly kernels. */
export function usesWasm(choice: KernelChoice | undefined, capacity: number): boolean {
  const c = choice ?? 'auto';
  if (c === 'typescript') return false;
  const simd = wasmFeatures().simd;
  if (c === 'wasm') {
    if (!simd) {
      throw new ScichainError(
        'Unsupported',
        "kernels: 'wasm' was asked for but this runtime has no WebAssembly SIMD",
      );
    }
    return true;
  }
  return simd && capacity >= WASM_MIN_BATCH;
}

/** Whether a call on n samples should take the WebAssembly path of a cache that has one. */
export function callUsesWasm(choice: KernelChoice | undefined, n: number): boolean {
  return (choice ?? 'auto') === 'wasm' ? true : n >= WASM_MIN_BATCH;
}
