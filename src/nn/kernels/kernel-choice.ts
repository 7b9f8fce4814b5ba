/**
 * Which implementation runs a layer's batched products: the generated WebAssembly SIMD kernels
 * or the generated TypeScript kernels. `'auto'` takes WebAssembly where it was measured to win —
 * batches of two or more samples whose product has at least {@link WASM_MIN_MULTIPLY_ADDS}
 * multiply-adds, when the engine has SIMD; a single sample keeps the fused single-sample
 * TypeScript kernels (the ODE right-hand-side case). `'wasm'` and `'typescript'` force a path
 * (`'wasm'` fails clearly where WebAssembly SIMD is missing).
 */
import { ScichainError } from '../../core/errors.ts';
import { wasmFeatures } from '../../wasm/features.ts';

/** Kernel selection. */
export type KernelChoice = 'auto' | 'wasm' | 'typescript';

/**
 * Smallest n·in·out for which `'auto'` uses the WebAssembly kernels. Measured with
 * `npm run bench -- gemm --crossover` (forward + pullback, both dtypes, widths 2, 8, 32, batches
 * 1…64): below ~256 multiply-adds the call overhead (staging, transposing W, crossing into
 * WebAssembly) makes either path win by chance; from 512 WebAssembly won in every case, by
 * 1.6–2.9× at 512 and up to 10× at 65,536 (docs/performance.md).
 */
export const WASM_MIN_MULTIPLY_ADDS = 512;

function wasmAvailable(choice: KernelChoice): boolean {
  const simd = wasmFeatures().simd;
  if (choice === 'wasm' && !simd) {
    throw new ScichainError(
      'Unsupported',
      "kernels: 'wasm' was asked for but this runtime has no WebAssembly SIMD",
    );
  }
  return simd;
}

/**
 * Whether a cache for up to `capacity` samples of a product with `multiplyAddsPerSample`
 * (in·out) should get WebAssembly kernels.
 */
export function usesWasm(
  choice: KernelChoice | undefined,
  capacity: number,
  multiplyAddsPerSample: number,
): boolean {
  const c = choice ?? 'auto';
  if (c === 'typescript' || !wasmAvailable(c)) return false;
  return c === 'wasm' || callUsesWasm(c, capacity, multiplyAddsPerSample);
}

/** Whether a call on n samples takes the WebAssembly path of a cache that has one. */
export function callUsesWasm(
  choice: KernelChoice | undefined,
  n: number,
  multiplyAddsPerSample: number,
): boolean {
  if ((choice ?? 'auto') === 'wasm') return true;
  return n >= 2 && n * multiplyAddsPerSample >= WASM_MIN_MULTIPLY_ADDS;
}
