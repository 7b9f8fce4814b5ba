/**
 * One `WebAssembly.Memory` holding a model's hot buffers (θ, gradients, activations,
 * workspaces, batch data), handed out as ordinary typed-array views so the optimizers and the
 * user see plain `Float32Array`/`Float64Array`s while the kernels address the same bytes.
 *
 * The danger of a WebAssembly memory is growth: growing a non-shared memory detaches its
 * ArrayBuffer, and every view made before silently becomes empty. The arena rules that out by
 * construction instead of by care:
 *
 * - **Shared memory** (the default wherever `SharedArrayBuffer` exists, and what the worker pool
 *   needs): growing never detaches anything. A view made before growth keeps addressing the same
 *   bytes, which the kernels still see; growth is therefore always allowed.
 * - **Non-shared memory** (a browser page without cross-origin isolation): the arena grows only
 *   while it has handed out no view. Callers reserve what they need up front (`reserve`), and an
 *   allocation past the reservation throws an error naming the sizes rather than detaching live
 *   views.
 *
 * Allocation is a bump pointer, 16-byte aligned (one v128); buffers live as long as the arena.
 */
import { ScichainError } from '../core/errors.ts';
import type { Allocator } from '../core/allocator.ts';
import type { DType, FloatArray } from '../core/dtype.ts';
import { sharedMemoryAllocated } from '../parallel/collect-garbage.ts';
import { wasmFeatures } from './features.ts';

const PAGE = 65536;
const ALIGN = 16;

/** Options of {@link Arena}. */
export interface ArenaOptions {
  /** Bytes available before any growth (rounded up to 64 KiB pages; default 1 MiB). */
  initialBytes?: number;
  /** Largest size the memory may grow to (default 1 GiB; shared memory reserves it virtually). */
  maximumBytes?: number;
  /** Shared (SharedArrayBuffer-backed) memory; default: whenever the engine supports it. */
  shared?: boolean;
}

const pagesFor = (bytes: number): number => Math.max(1, Math.ceil(bytes / PAGE));

/**
 * The first 16 bytes of the memory are the arena's header: the bump pointer (bytes 0–3), kept in
 * the memory itself so that every thread attached to a shared memory allocates from the same
 * pointer (atomically) and no two threads are handed the same bytes. Address 0 thereby never
 * holds a buffer, so a zero pointer is never live.
 */
const TOP = 0;

/**
 * A `WebAssembly.Memory` as scichain's declarations name it: structural, so that TypeScript
 * projects using scichain need neither the DOM library nor @types/node for its types (a
 * `WebAssembly.Memory` from either is one).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(delta: number): number;
}

/** A WebAssembly memory with a bump allocator; see the module comment for the growth rules. */
export class Arena implements Allocator {
  readonly memory: WasmMemory;
  readonly shared: boolean;
  /** Pages the memory may grow to. */
  readonly maximumPages: number;
  /** View of the header; re-made after growth of a non-shared memory (which detaches it). */
  private header: Int32Array;
  private handedOut = 0;
  /** Every ArrayBuffer object the memory has had (shared memory gets a new one per growth). */
  private readonly buffers: ArrayBufferLike[] = [];

  /**
   * Another thread's view of an arena: the same shared memory, allocating from the same bump
   * pointer. Used by the worker threads of a {@link scichain!ThreadPool}, which receive the memory
   * in a message.
   */
  static attach(memory: WasmMemory, maximumBytes = 1 << 30): Arena {
    if (!(memory.buffer instanceof SharedArrayBuffer)) {
      throw new ScichainError('InvalidArgument', 'only a shared memory can be attached to');
    }
    return new Arena({ memory, maximumBytes, shared: true });
  }

  constructor(options: ArenaOptions & { memory?: WasmMemory } = {}) {
    if (options.memory !== undefined) {
      this.memory = options.memory;
      this.shared = true;
      this.maximumPages = Math.min(65536, pagesFor(options.maximumBytes ?? 1 << 30));
      this.header = new Int32Array(this.memory.buffer, 0, 4);
      this.buffers.push(this.memory.buffer);
      return;
    }
    const features = wasmFeatures();
    if (!features.wasm)
      throw new ScichainError('Unsupported', 'WebAssembly is not available in this runtime');
    const shared = options.shared ?? features.sharedMemory;
    if (shared && !features.sharedMemory) {
      throw new ScichainError(
        'Unsupported',
        'shared WebAssembly memory is not available here (browsers need cross-origin isolation)',
      );
    }
    const initial = pagesFor(options.initialBytes ?? 1 << 20);
    this.maximumPages = Math.min(65536, pagesFor(options.maximumBytes ?? 1 << 30));
    if (initial > this.maximumPages) {
      throw new ScichainError(
        'InvalidArgument',
        `arena initialBytes ${options.initialBytes} exceed maximumBytes ${options.maximumBytes}`,
      );
    }
    this.shared = shared;
    if (shared) sharedMemoryAllocated(initial * PAGE); // V8 does not count it: see there
    this.memory = new WebAssembly.Memory({ initial, maximum: this.maximumPages, shared });
    this.buffers.push(this.memory.buffer);
    this.header = new Int32Array(this.memory.buffer, 0, 4);
    this.header[TOP] = ALIGN;
  }

  /** Bytes in use (allocated so far, by every thread). */
  get usedBytes(): number {
    return Atomics.load(this.header, TOP);
  }

  /** Bytes the memory holds now. */
  get capacityBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Makes sure `bytes` more can be allocated without growing (call before handing out views). */
  reserve(bytes: number): void {
    this.ensure(this.usedBytes + bytes);
  }

  /** Whether a typed array lies in this arena's memory (then kernels can address it in place). */
  owns(view: ArrayBufferView): boolean {
    const buffer = view.buffer;
    if (buffer === this.memory.buffer) return true;
    for (let i = 0; i < this.buffers.length; i++) if (this.buffers[i] === buffer) return true;
    return false;
  }

  floats(dtype: DType, length: number): FloatArray {
    const bytesPer = dtype === 'float32' ? 4 : 8;
    const offset = this.allocate(length * bytesPer, length);
    const buffer = this.currentBuffer();
    return dtype === 'float32'
      ? new Float32Array(buffer, offset, length)
      : new Float64Array(buffer, offset, length);
  }

  /**
   * A view of `length` elements at `byteOffset` of this memory — how a thread addresses a buffer
   * another thread allocated (it receives the offset). The memory's current buffer is recorded,
   * so {@link owns} recognises the view after later growth.
   */
  view(dtype: DType, byteOffset: number, length: number): FloatArray;
  view(dtype: 'int32', byteOffset: number, length: number): Int32Array;
  view(dtype: DType | 'int32', byteOffset: number, length: number): FloatArray | Int32Array {
    const buffer = this.currentBuffer();
    if (dtype === 'int32') return new Int32Array(buffer, byteOffset, length);
    return dtype === 'float32'
      ? new Float32Array(buffer, byteOffset, length)
      : new Float64Array(buffer, byteOffset, length);
  }

  /** Zero-filled 32-bit integers (16-byte aligned), e.g. a parameter block threads read. */
  ints(length: number): Int32Array {
    const offset = this.allocate(length * 4, length);
    return new Int32Array(this.currentBuffer(), offset, length);
  }

  bytes(length: number): Uint8Array {
    const offset = this.allocate(length, length);
    return new Uint8Array(this.currentBuffer(), offset, length);
  }

  /**
   * The memory's buffer now, recorded so {@link owns} knows views of it. A shared memory's
   * buffer object changes when any thread grows it.
   */
  private currentBuffer(): ArrayBufferLike {
    const buffer = this.memory.buffer;
    if (this.buffers[this.buffers.length - 1] !== buffer) this.buffers.push(buffer);
    return buffer;
  }

  private allocate(bytes: number, length: number): number {
    if (!Number.isInteger(length) || length < 0) {
      throw new ScichainError(
        'InvalidArgument',
        `buffer length must be an integer ≥ 0, got ${length}`,
      );
    }
    const rounded = Math.ceil(bytes / ALIGN) * ALIGN;
    if (this.shared) {
      // Claim the bytes first (atomically: other threads allocate from the same pointer), then
      // make sure the memory holds them; a failed claim past the maximum is handed back.
      const offset = Atomics.add(this.header, TOP, rounded);
      try {
        this.ensure(offset + bytes);
      } catch (e) {
        Atomics.compareExchange(this.header, TOP, offset + rounded, offset);
        throw e;
      }
      return offset;
    }
    const offset = this.header[TOP];
    this.ensure(offset + bytes);
    this.header[TOP] = offset + rounded;
    this.handedOut++;
    return offset;
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = pagesFor(end - have);
    if (have / PAGE + pages > this.maximumPages) {
      throw new ScichainError(
        'ArenaFull',
        `the arena needs ${end} bytes but may grow to ${this.maximumPages * PAGE} (maximumBytes)`,
      );
    }
    if (!this.shared && this.handedOut > 0) {
      // Growing would detach the views already handed out: refuse instead.
      throw new ScichainError(
        'ArenaFull',
        `the non-shared arena is full (${have} bytes reserved, ${end} needed) and cannot grow ` +
          `without detaching ${this.handedOut} live views; reserve the space up front`,
      );
    }
    if (this.shared) sharedMemoryAllocated(pages * PAGE);
    this.memory.grow(pages);
    this.buffers.push(this.memory.buffer);
    if (!this.shared) this.header = new Int32Array(this.memory.buffer, 0, 4);
  }
}

/** Whether an allocator is an {@link Arena}. */
export function isArena(allocator: Allocator | undefined): allocator is Arena {
  return allocator instanceof Arena;
}
