/**
 * The one template every generated matrix product comes from: C (M × N) = or += A·B with SIMD
 * along N, emitted into a WebAssembly function.
 *
 * B and C are contiguous along N (their rows are vectors); A is read one scalar at a time and
 * splatted over the lanes, so its strides are free — that is how one template serves all three
 * products of a dense layer (forward X·Wᵀ with a transposed copy of W, weight gradient Z̄ᵀ·X, input
 * cotangent Z̄·W) and the bias gradient (A = a row of ones). N and every stride are fixed when the
 * kernel is generated, M and K may be run-time values.
 *
 * The body is register-blocked: a tile of `rows × vectors` v128 accumulators stays in locals
 * while the reduction runs, each step loading `vectors` rows of B and `rows` scalars of A, with
 * every tile offset folded into the memory instructions' constant offsets. Edge tiles come from
 * the same template: fewer rows for the last rows of C, fewer vectors and a partial vector
 * (loaded and stored lane by lane, never past the end of a row) for the last columns — there is
 * no scalar remainder loop. Long run-time reductions are split into chunks whose partial sums are
 * added into C, so both panels stay in cache and float32 sums are blocked (error grows with the
 * chunk length, not with K).
 */
import type { DType } from '../core/dtype.ts';
import type { FunctionBuilder } from './emitter.ts';
import type { SimdMath } from './simd-math.ts';

/** A size that is either fixed at generation or held in an i32 local. */
export type Size = { fixed: number } | { local: number };

/** What to do with a finished accumulator tile. */
export interface GemmEpilogue {
  /**
   * Emits code for one accumulator vector before it is stored to C: `acc` is the local holding
   * it (the epilogue may rewrite it), `cPointer` the i32 local with the tile's address in C,
   * `offset` the vector's byte offset from there and `lanes` how many lanes are real. `store`
   * writes a vector local to `base + offset` honouring `lanes` (for extra outputs).
   */
  vector(
    acc: number,
    cPointer: number,
    offset: number,
    lanes: number,
    store: (base: number, offset: number, vector: number, lanes: number) => void,
  ): void;
}

/** Description of one product. */
export interface GemmSpec {
  dtype: DType;
  M: Size;
  K: Size;
  /** Columns of C and B (fixed). */
  N: number;
  /** i32 locals holding byte addresses of A, B and C. */
  a: number;
  b: number;
  c: number;
  /** Byte strides: A per row of C and per reduction step; B per reduction step; C per row. */
  aRow: number;
  aStep: number;
  bStep: number;
  cRow: number;
  /** A is all ones (column sums of B): no loads of A. */
  aOnes?: boolean;
  /** C = A·B (store), or C += A·B (accumulate). */
  mode: 'store' | 'accumulate';
  /** Start the accumulators from a vector along N at this i32 local's address (a bias). */
  bias?: number;
  /** Split a run-time reduction into chunks of this many steps (then mode must accumulate). */
  chunk?: number;
  /** Register tile: rows of C × vectors along N. */
  tile: readonly [number, number];
  /** Rewrites each accumulator vector before the store (fused activation). */
  epilogue?: GemmEpilogue;
}

const lanesOf = (dtype: DType): number => (dtype === 'float32' ? 4 : 2);

/**
 * Default register tile for a product with N columns: 4 rows × 2 vectors (8 accumulators, 2 B
 * vectors and a splat fit the 16 vector registers of x86-64 without spilling). Measured in
 * float32 at n = 10,000 against 2×4, 4×4, 3×4, 4×3 and 6×2: 4×2 was fastest at every width from
 * 16 to 256 (by 5–45 %). A single column vector gets 4 rows × 1: swept over 2…8 rows on the
 * products of 4–32–16–4 and 2–8, 2–32, 16–2 layers (both dtypes, n = 10,000), 8 rows ran
 * 1.4–2× slower than 4–6 rows in every case (e.g. float32 16 → 4 forward: 56 against 31 µs).
 */
export function defaultTile(N: number, dtype: DType): [number, number] {
  const vectors = Math.ceil(N / lanesOf(dtype));
  return vectors <= 1 ? [4, 1] : [4, 2];
}

/** Emits the product into `f`; `math` supplies vector arithmetic for the spec's dtype. */
export function emitGemm(f: FunctionBuilder, math: SimdMath, spec: GemmSpec): void {
  const lanes = lanesOf(spec.dtype);
  const es = spec.dtype === 'float32' ? 4 : 8;
  const [tileRows, tileVectors] = spec.tile;
  const fullVectors = Math.floor(spec.N / lanes);
  const partialLanes = spec.N % lanes;
  const tileWidth = tileVectors * lanes;
  const fullColumnTiles = Math.floor(fullVectors / tileVectors);
  const restVectors = fullVectors - fullColumnTiles * tileVectors;

  // Locals: loop counters and moving pointers.
  const i = f.local('i32');
  const j = f.local('i32');
  const pa = f.local('i32');
  const pb = f.local('i32');
  const pc = f.local('i32');
  const aEnd = f.local('i32');
  const k0 = f.local('i32');
  const kEnd = f.local('i32');
  const acc = Array.from({ length: tileRows * (tileVectors + 1) }, () => f.local('v128'));
  const bv = Array.from({ length: tileVectors + 1 }, () => f.local('v128'));
  const splat = f.local('v128');

  const pushSize = (s: Size): void => {
    if ('fixed' in s) f.i32(s.fixed);
    else f.get(s.local);
  };

  const { loadVector, storeVector } = vectorAccess(f, math);

  /**
   * One tile: `rows` rows of C at i, vector widths `widths` (lanes per vector, last may be
   * partial) at column j, reduction over [k0, kEnd).
   */
  const tile = (rows: number, widths: readonly number[]): void => {
    const nv = widths.length;
    const accAt = (r: number, v: number): number => acc[r * (tileVectors + 1) + v];
    // pa = a + i·aRow + k0·aStep; pb = b + k0·bStep + j·es
    if (!spec.aOnes) {
      f.get(spec.a).get(i).i32(spec.aRow).op('i32.mul', 'i32.add');
      f.get(k0).i32(spec.aStep).op('i32.mul', 'i32.add').set(pa);
    }
    f.get(spec.b).get(k0).i32(spec.bStep).op('i32.mul', 'i32.add');
    f.get(j).i32(es).op('i32.mul', 'i32.add').set(pb);
    // Accumulators start at the bias (first chunk only) or zero.
    const zero = (): void => {
      for (let r = 0; r < rows; r++) {
        for (let v = 0; v < nv; v++) {
          math.constant(0);
          f.set(accAt(r, v));
        }
      }
    };
    if (spec.bias !== undefined) {
      const bias = spec.bias;
      const fromBias = (): void => {
        f.get(bias).get(j).i32(es).op('i32.mul', 'i32.add').set(pc);
        for (let v = 0; v < nv; v++) {
          loadVector(pc, v * 16, widths[v]);
          f.set(accAt(0, v));
          for (let r = 1; r < rows; r++) f.get(accAt(0, v)).set(accAt(r, v));
        }
      };
      if (spec.chunk === undefined) fromBias();
      else f.get(k0).op('i32.eqz').if(fromBias, zero);
    } else {
      zero();
    }
    // Reduction: while pb < end of the B panel.
    f.get(kEnd).get(k0).op('i32.sub').i32(spec.bStep).op('i32.mul').get(pb).op('i32.add');
    f.set(aEnd);
    f.block(() => {
      f.get(pb).get(aEnd).op('i32.ge_s').brIf(0);
      f.loop(() => {
        for (let v = 0; v < nv; v++) {
          loadVector(pb, v * 16, widths[v]);
          f.set(bv[v]);
        }
        for (let r = 0; r < rows; r++) {
          if (!spec.aOnes) {
            f.get(pa);
            f.memory(es === 4 ? 'v128.load32_splat' : 'v128.load64_splat', r * spec.aRow);
            f.set(splat);
          }
          for (let v = 0; v < nv; v++) {
            if (spec.aOnes) {
              f.get(accAt(r, v)).get(bv[v]);
              math.op('add');
            } else {
              f.get(splat).get(bv[v]).get(accAt(r, v));
              math.madd();
            }
            f.set(accAt(r, v));
          }
        }
        if (!spec.aOnes) f.addTo(pa, spec.aStep);
        f.addTo(pb, spec.bStep);
        f.get(pb).get(aEnd).op('i32.lt_s').brIf(0);
      });
    });
    // Store (or add) the tile: pc = c + i·cRow + j·es.
    f.get(spec.c).get(i).i32(spec.cRow).op('i32.mul', 'i32.add');
    f.get(j).i32(es).op('i32.mul', 'i32.add').set(pc);
    const add = spec.mode === 'accumulate' || spec.chunk !== undefined;
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < nv; v++) {
        const a = accAt(r, v);
        const offset = r * spec.cRow + v * 16;
        if (add) {
          loadVector(pc, offset, widths[v]);
          f.get(a);
          math.op('add');
          f.set(a);
        }
        spec.epilogue?.vector(a, pc, offset, widths[v], storeVector);
        storeVector(pc, offset, a, widths[v]);
      }
    }
  };

  /** All column tiles of one band of `rows` rows at i. */
  const band = (rows: number): void => {
    if (fullColumnTiles > 0) {
      f.forRange(
        j,
        () => f.i32(0),
        () => f.i32(fullColumnTiles * tileWidth),
        tileWidth,
        () => tile(rows, Array(tileVectors).fill(lanes)),
      );
    }
    const widths = [...Array(restVectors).fill(lanes), ...(partialLanes ? [partialLanes] : [])];
    if (widths.length > 0) {
      f.i32(fullColumnTiles * tileWidth).set(j);
      tile(rows, widths);
    }
  };

  /** Every row band for the reduction range [k0, kEnd). */
  const rowBands = (): void => {
    // Full bands: i from 0 while i + tileRows ≤ M.
    f.i32(0).set(i);
    f.block(() => {
      f.loop(() => {
        f.get(i).i32(tileRows).op('i32.add');
        pushSize(spec.M);
        f.op('i32.gt_s').brIf(1);
        band(tileRows);
        f.addTo(i, tileRows);
        f.br(0);
      });
    });
    // The remaining rows (0 … tileRows − 1), each count with its own band.
    for (let rows = 1; rows < tileRows; rows++) {
      pushSize(spec.M);
      f.get(i)
        .op('i32.sub')
        .i32(rows)
        .op('i32.eq')
        .if(() => band(rows));
    }
  };

  if (spec.chunk === undefined) {
    f.i32(0).set(k0);
    pushSize(spec.K);
    f.set(kEnd);
    rowBands();
    return;
  }
  // Chunked reduction: for k0 in steps of `chunk`, kEnd = min(k0 + chunk, K).
  const chunk = spec.chunk;
  f.i32(0).set(k0);
  f.block(() => {
    f.loop(() => {
      f.get(k0);
      pushSize(spec.K);
      f.op('i32.ge_s').brIf(1);
      f.get(k0).i32(chunk).op('i32.add').set(kEnd);
      f.get(kEnd);
      pushSize(spec.K);
      f.op('i32.gt_s').if(() => {
        pushSize(spec.K);
        f.set(kEnd);
      });
      rowBands();
      f.get(kEnd).set(k0);
      f.br(0);
    });
  });
}

/**
 * Loads and stores of vectors that may be partial (the last `lanes` < full lanes of a row),
 * lane by lane so nothing is read or written past the end of a row.
 */
export function vectorAccess(
  f: FunctionBuilder,
  math: SimdMath,
): {
  /** Pushes the vector of `count` lanes at `base` (an i32 local) + offset. */
  loadVector(base: number, offset: number, count: number): void;
  /** Stores the vector local `v` (`count` lanes) at `base` + offset. */
  storeVector(base: number, offset: number, v: number, count: number): void;
} {
  const lanes = lanesOf(math.dtype);
  const es = math.dtype === 'float32' ? 4 : 8;
  const loadVector = (base: number, offset: number, count: number): void => {
    f.get(base);
    if (count === lanes) f.memory('v128.load', offset);
    else if (es === 8 || count === 1)
      f.memory(es === 8 ? 'v128.load64_zero' : 'v128.load32_zero', offset);
    else {
      f.memory('v128.load64_zero', offset);
      if (count === 3) {
        const t = math.temp('vector.load3');
        f.set(t)
          .get(base)
          .get(t)
          .memoryLane('v128.load32_lane', offset + 8, 2);
      }
    }
  };
  const storeVector = (base: number, offset: number, v: number, count: number): void => {
    if (count === lanes) {
      f.get(base).get(v).memory('v128.store', offset);
    } else if (es === 8 || count === 1) {
      f.get(base)
        .get(v)
        .memoryLane(es === 8 ? 'v128.store64_lane' : 'v128.store32_lane', offset, 0);
    } else {
      f.get(base).get(v).memoryLane('v128.store64_lane', offset, 0);
      if (count === 3)
        f.get(base)
          .get(v)
          .memoryLane('v128.store32_lane', offset + 8, 2);
    }
  };
  return { loadVector, storeVector };
}
