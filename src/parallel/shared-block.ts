/**
 * A block of named buffers laid out back to back in one (Shared)ArrayBuffer: a few Int32 fields
 * first (for `Atomics`), then float64 arrays. The calling thread creates the block and sends the
 * buffer with a task's registration; each worker lays the same sizes over the buffer it receives,
 * so both sides address the same bytes through views made once.
 */
import { sharedMemoryAllocated } from './collect-garbage.ts';

/** The views of a block: `ints` (the Int32 fields) and one Float64Array per named size. */
export interface SharedBlock<K extends string> {
  readonly buffer: ArrayBufferLike;
  readonly ints: Int32Array;
  readonly floats: Readonly<Record<K, Float64Array>>;
}

/**
 * Lays out `ints` Int32 fields and the float64 arrays of `sizes` (in key order) over `buffer`,
 * or over a new SharedArrayBuffer (an ArrayBuffer when `shared` is false, for one thread).
 */
export function sharedBlock<K extends string>(
  sizes: Readonly<Record<K, number>>,
  ints: number,
  buffer: ArrayBufferLike | null = null,
  shared = true,
): SharedBlock<K> {
  const header = 8 * Math.ceil((4 * ints) / 8); // keep the float64 arrays 8-byte aligned
  const keys = Object.keys(sizes) as K[];
  const total = header + 8 * keys.reduce((s, k) => s + sizes[k], 0);
  if (buffer === null && shared) sharedMemoryAllocated(total);
  const b = buffer ?? (shared ? new SharedArrayBuffer(total) : new ArrayBuffer(total));
  const floats = {} as Record<K, Float64Array>;
  let at = header;
  for (const k of keys) {
    floats[k] = new Float64Array(b, at, sizes[k]);
    at += 8 * sizes[k];
  }
  return { buffer: b, ints: new Int32Array(b, 0, ints), floats };
}
