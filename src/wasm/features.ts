/**
 * What the running WebAssembly engine supports, detected once by validating tiny modules built
 * with the same emitter the kernels use: SIMD (v128), relaxed SIMD (fused multiply-add) and
 * shared memory (threads). Node 20 has SIMD and threads; relaxed SIMD only behind
 * `--experimental-wasm-relaxed-simd`; current browsers have all three (shared memory only on
 * cross-origin-isolated pages).
 */
import { ModuleBuilder } from './emitter.ts';

/** Engine capabilities the kernels care about. */
export interface WasmFeatures {
  /** WebAssembly itself is available. */
  readonly wasm: boolean;
  /** Fixed-width SIMD (v128). */
  readonly simd: boolean;
  /** Relaxed SIMD: `f32x4.relaxed_madd` / `f64x2.relaxed_madd`. */
  readonly relaxedSimd: boolean;
  /** Shared `WebAssembly.Memory` (SharedArrayBuffer-backed), needed for worker threads. */
  readonly sharedMemory: boolean;
}

function validates(build: (m: ModuleBuilder) => void, shared = false): boolean {
  try {
    const m = new ModuleBuilder({ initial: 1, maximum: 1, shared });
    build(m);
    return WebAssembly.validate(m.encode());
  } catch {
    return false;
  }
}

let detected: WasmFeatures | null = null;

/** Detects (once) what the engine supports. */
export function wasmFeatures(): WasmFeatures {
  if (detected !== null) return detected;
  const hasWasm = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
  const simdBody = (madd: boolean) => (m: ModuleBuilder) =>
    m.function('probe', ['i32'], [], (f) => {
      f.get(0).get(0).memory('v128.load').get(0).memory('v128.load');
      if (madd) f.get(0).memory('v128.load').op('f32x4.relaxed_madd');
      else f.op('f32x4.mul');
      f.memory('v128.store');
    });
  let shared = false;
  if (hasWasm && typeof SharedArrayBuffer === 'function') {
    try {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      shared = memory.buffer instanceof SharedArrayBuffer && validates(() => {}, true);
    } catch {
      shared = false;
    }
  }
  detected = {
    wasm: hasWasm,
    simd: hasWasm && validates(simdBody(false)),
    relaxedSimd: hasWasm && validates(simdBody(true)),
    sharedMemory: shared,
  };
  return detected;
}
