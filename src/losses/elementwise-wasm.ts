/**
 * WebAssembly SIMD loops for the element-wise regression losses (squared and absolute error):
 * one pass over predictions and targets that writes the seed `scale · slope(r)` and
 * `scale · Σ entries`, r = ŷ − y. Arithmetic is the TypeScript loop's — float64 throughout, float32 inputs
 * widened exactly and the seed rounded once — so the seed has the same bits; only the sum is
 * added in another order (four running sums instead of one). A TypeScript loop over typed arrays
 * costs 1.3–2.3 ns per entry here, most of it V8 re-checking the arrays per element; this
 * kernel about 0.1 ns.
 */
import type { DType, FloatArray } from '../core/dtype.ts';
import type { Arena } from '../wasm/arena.ts';
import { ModuleBuilder, type FunctionBuilder } from '../wasm/emitter.ts';
import { wasmFeatures } from '../wasm/features.ts';
import { kernelExports } from '../wasm/kernel-cache.ts';
import type { ElementwiseKind, SeparableLoss } from './loss.ts';

interface ElementwiseExports {
  partial(prediction: number, target: number, gradient: number, length: number, io: number): void;
}

/** The module's bytes for an entry kind and element type (exported for tests). */
export function elementwiseLossModuleBytes(
  kind: ElementwiseKind,
  dtype: DType,
  shared: boolean,
): Uint8Array<ArrayBuffer> {
  const es = dtype === 'float32' ? 4 : 8;
  const m = new ModuleBuilder({
    initial: 1,
    maximum: shared ? 65536 : undefined,
    shared,
  });
  // partial(prediction, target, gradient, length, io): io holds two float64, the scale (read)
  // and then scale · Σ (written) — through memory, since a double crossing into or out of
  // WebAssembly from JavaScript is boxed unless V8 inlines the call.
  m.function('partial', ['i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [pp, pt, pg, length, io] = [0, 1, 2, 3, 4];
    const scale = f.local('f64');
    f.get(io).memory('f64.load', 0).set(scale);
    const end = f.local('i32');
    const scaled = f.local('v128');
    const accumulators = [f.local('v128'), f.local('v128')];
    const [r, entry] = [f.local('v128'), f.local('v128')];
    const two = f.hoist('f64:2', 'v128', () => f.splatConst('f64', 2));
    const one = f.hoist('f64:1', 'v128', () => f.splatConst('f64', 1));
    const minusOne = f.hoist('f64:-1', 'v128', () => f.splatConst('f64', -1));
    const zero = f.hoist('f64:0', 'v128', () => f.splatConst('f64', 0));
    f.get(scale).op('f64x2.splat').set(scaled);
    for (const a of accumulators) f.get(zero).set(a);

    /** Loads `count` (1 or 2) elements at pointer + offset as a float64x2 (missing lane 0). */
    const load = (pointer: number, offset: number, count: number): void => {
      f.get(pointer);
      if (es === 8) f.memory(count === 2 ? 'v128.load' : 'v128.load64_zero', offset);
      else
        f.memory(count === 2 ? 'v128.load64_zero' : 'v128.load32_zero', offset).op(
          'f64x2.promote_low_f32x4',
        );
    };
    /** One or two entries at element offset `at`: sum into `acc`, seed to the gradient. */
    const pair = (at: number, count: number, acc: number): void => {
      const offset = at * es;
      load(pp, offset, count);
      load(pt, offset, count);
      f.op('f64x2.sub').set(r);
      if (kind === 'squared') f.get(r).get(r).op('f64x2.mul');
      else f.get(r).op('f64x2.abs');
      f.set(entry);
      f.get(acc).get(entry).op('f64x2.add').set(acc);
      // Seed: scale · slope(r), slope = 2r or sign(r) (0 at r = 0, as in the TypeScript loop).
      f.get(pg);
      if (kind === 'squared') {
        f.get(two).get(r).op('f64x2.mul');
      } else {
        f.get(one).get(r).get(zero).op('f64x2.gt', 'v128.and');
        f.get(minusOne).get(r).get(zero).op('f64x2.lt', 'v128.and', 'v128.or');
      }
      f.get(scaled).op('f64x2.mul');
      storeSeed(f, es, offset, count);
    };

    // Main loop: four elements (two float64x2 pairs) per iteration.
    f.get(pp).get(length).i32(-4).op('i32.and').i32(es).op('i32.mul', 'i32.add').set(end);
    f.block(() => {
      f.get(pp).get(end).op('i32.ge_u').brIf(0);
      f.loop(() => {
        pair(0, 2, accumulators[0]);
        pair(2, 2, accumulators[1]);
        for (const p of [pp, pt, pg]) f.addTo(p, 4 * es);
        f.get(pp).get(end).op('i32.lt_u').brIf(0);
      });
    });
    // The last 0–3 elements.
    f.get(length)
      .i32(2)
      .op('i32.and')
      .if(() => {
        pair(0, 2, accumulators[0]);
        for (const p of [pp, pt, pg]) f.addTo(p, 2 * es);
      });
    f.get(length)
      .i32(1)
      .op('i32.and')
      .if(() => pair(0, 1, accumulators[1]));
    // scale · Σ, as the TypeScript loop's `scale * s`.
    f.get(io).get(scale);
    f.get(accumulators[0]).get(accumulators[1]).op('f64x2.add').set(entry);
    f.get(entry).lane('f64x2.extract_lane', 0).get(entry).lane('f64x2.extract_lane', 1);
    f.op('f64.add', 'f64.mul').memory('f64.store', 8);
  });
  return m.encode();
}

/** Stores the seed on the stack (float64x2) to `count` elements at the gradient pointer. */
function storeSeed(f: FunctionBuilder, es: number, offset: number, count: number): void {
  if (es === 8) {
    if (count === 2) f.memory('v128.store', offset);
    else f.memoryLane('v128.store64_lane', offset, 0);
    return;
  }
  f.op('f32x4.demote_f64x2_zero');
  if (count === 2) f.memoryLane('v128.store64_lane', offset, 0);
  else f.memoryLane('v128.store32_lane', offset, 0);
}

/**
 * An element-wise loss's SIMD loop bound to an arena: {@link partial} runs it when predictions,
 * targets and gradient all live in the arena.
 */
export class ElementwiseLossWasm {
  private readonly k: ElementwiseExports;
  private readonly arena: Arena;
  /** [scale, result]: the kernel's float64 input and output (see the module). */
  private readonly io: Float64Array;

  constructor(kind: ElementwiseKind, dtype: DType, arena: Arena) {
    this.arena = arena;
    this.k = kernelExports<ElementwiseExports>(
      JSON.stringify(['elementwise-loss', kind, dtype, arena.shared]),
      () => elementwiseLossModuleBytes(kind, dtype, arena.shared),
      arena,
    );
    this.io = arena.floats('float64', 2) as Float64Array;
  }

  /** Whether the three buffers are in the arena (then {@link partial} may be called). */
  accepts(prediction: FloatArray, target: FloatArray, gradient: FloatArray): boolean {
    const arena = this.arena;
    return arena.owns(prediction) && arena.owns(target) && arena.owns(gradient);
  }

  /** The scale of the following {@link partial} calls (the batch's normalizer). */
  set scale(value: number) {
    this.io[0] = value;
  }

  /**
   * `scale · Σ entries` over `length` elements into `out[index]`; writes `scale · slope` into
   * the gradient. (The result goes to an array, not a return value: a returned double is boxed
   * when V8 does not inline the call — an allocation per step.)
   */
  partial(
    prediction: FloatArray,
    target: FloatArray,
    length: number,
    gradient: FloatArray,
    out: Float64Array,
    index: number,
  ): void {
    const io = this.io;
    this.k.partial(
      prediction.byteOffset,
      target.byteOffset,
      gradient.byteOffset,
      length,
      io.byteOffset,
    );
    out[index] = io[1];
  }
}

/**
 * A separable loss's part of a batch (see `SeparableLoss.part`), on the arena's SIMD loop when
 * the loss is element-wise and the buffers live in the arena, else on the loss's own loop.
 */
export class PartialLoss<Target> {
  private readonly separable: SeparableLoss<Target>;
  private readonly simd: ElementwiseLossWasm | null;
  /** The (batchRows, width) whose normalizer the SIMD loop holds. */
  private scaleRows = -1;
  private scaleWidth = -1;

  constructor(separable: SeparableLoss<Target>, dtype: DType, arena: Arena | null) {
    this.separable = separable;
    const kind = separable.elementwise;
    this.simd =
      kind !== undefined && arena !== null && wasmFeatures().simd
        ? new ElementwiseLossWasm(kind, dtype, arena)
        : null;
  }

  /** As `SeparableLoss.part`: `rows` samples' part of a `batchRows`-sample batch's loss. */
  evaluate(
    prediction: FloatArray,
    target: Target,
    rows: number,
    width: number,
    batchRows: number,
    gradient: FloatArray,
    out: Float64Array,
    index: number,
  ): void {
    const simd = this.simd;
    if (simd !== null && simd.accepts(prediction, target as FloatArray, gradient)) {
      if (batchRows !== this.scaleRows || width !== this.scaleWidth) {
        simd.scale = this.separable.normalizer(batchRows, width);
        this.scaleRows = batchRows;
        this.scaleWidth = width;
      }
      simd.partial(prediction, target as FloatArray, rows * width, gradient, out, index);
    } else {
      this.separable.part(prediction, target, rows, width, batchRows, gradient, out, index);
    }
  }
}
