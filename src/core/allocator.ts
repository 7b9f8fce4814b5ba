import { ScichainError } from './errors.ts';
import type { DType, FloatArray } from './dtype.ts';

/**
 * Every hot buffer (workspaces, activation caches, optimizer state) is allocated through an
 * `Allocator`, once, before the hot loop starts. Today buffers live on the JavaScript heap;
 * routing them through one interface is what lets the WebAssembly kernels place them in a
 * `WebAssembly.Memory` arena later without touching the layers.
 */
export interface Allocator {
  /** A zero-filled buffer of `length` elements of `dtype`. */
  floats(dtype: DType, length: number): FloatArray;
  /** A zero-filled byte buffer (masks). */
  bytes(length: number): Uint8Array;
}

/** Allocates ordinary typed arrays on the JavaScript heap. */
export const heapAllocator: Allocator = {
  floats(dtype: DType, length: number): FloatArray {
    if (!Number.isInteger(length) || length < 0) {
      throw new ScichainError(
        'InvalidArgument',
        `buffer length must be an integer ≥ 0, got ${length}`,
      );
    }
    return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
  },
  bytes(length: number): Uint8Array {
    return new Uint8Array(length);
  },
};
