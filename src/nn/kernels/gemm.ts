/**
 * Strided matrix product C (+)= A·B (+ bias), generated at run time from one description.
 *
 * A is M×K, B is K×N, C is M×N; each operand is (array, offset, row stride, column stride), so
 * the three products a dense layer needs are the same kernel with different strides:
 *   forward           Z  = X·Wᵀ + b   (A = X, B = Wᵀ read from W row-major)
 *   weight gradient   W̄ += Z̄ᵀ·X       (A = Z̄ᵀ, reduction over the samples)
 *   input cotangent   X̄  = Z̄·W
 *
 * This is the moral equivalent of SimpleChains' loop compiler. A {@link GemmSpec} fixes any
 * subset of the sizes and strides (a dense layer knows its widths at construction; only the
 * batch size varies) and fixed values are emitted as literals. The body is register-blocked: a
 * 4×4 tile of C lives in local accumulators while the reduction runs. The edge tiles (fewer rows
 * or columns) come from the same template — no variant is written by hand. A long reduction is
 * split into chunks so both panels stay in cache when K is a batch size.
 *
 * Measured on V8 (x86-64), and the reason for what is *not* here: fully unrolling a fixed
 * reduction was ~20 % slower than the loop, partial unrolling did not help, and large generated
 * functions are never optimised at all (V8 stops at ~60 KB of bytecode) — so kernels stay small.
 *
 * Every generated function is a separate `Function`, so each keeps its own monomorphic type
 * feedback in the JIT (Float32Array and Float64Array loads never meet in one kernel).
 */
import { ScichainError } from '../../core/errors.ts';
import type { DType, FloatArray } from '../../core/dtype.ts';

/**
 * C (+)= A·B with explicit strides; `accumulate` false overwrites C. Kernels generated with a
 * `bias` spec also add `bias[biasOffset + …]` along C's rows or columns.
 */
export type Gemm = (
  M: number,
  N: number,
  K: number,
  A: FloatArray,
  aOffset: number,
  aRowStride: number,
  aColStride: number,
  B: FloatArray,
  bOffset: number,
  bRowStride: number,
  bColStride: number,
  C: FloatArray,
  cOffset: number,
  cRowStride: number,
  cColStride: number,
  accumulate: boolean,
  bias?: FloatArray,
  biasOffset?: number,
) => void;

/** Sizes and strides to bake into a generated kernel; anything left out is read at call time. */
export interface GemmSpec {
  dtype: DType;
  M?: number;
  N?: number;
  K?: number;
  aRowStride?: number;
  aColStride?: number;
  bRowStride?: number;
  bColStride?: number;
  cRowStride?: number;
  cColStride?: number;
  /** Register tile [rows, columns] of C (default {@link DEFAULT_TILE}). */
  tile?: readonly [number, number];
  /**
   * Start the accumulators from a bias vector indexed by C's column (`'columns'`) or row
   * (`'rows'`), read from the trailing `bias, biasOffset` arguments: y = x·Wᵀ + b in one pass.
   */
  bias?: 'rows' | 'columns';
}

type Fixable = Exclude<keyof GemmSpec, 'dtype' | 'tile' | 'bias'>;

/**
 * Register tile (rows × columns of C held in locals). 4×4 measured fastest for V8 on x86-64 in
 * both dtypes (8 loads per 16 multiply-adds), 5–10 % ahead of 4×2 and 2×4.
 */
export const DEFAULT_TILE: readonly [number, number] = [4, 4];
/** Reduction chunk: 256 steps of two thin panels stay in L1/L2. */
const K_CHUNK = 256;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Emits a fixed value as a literal, else the runtime argument's name. */
function emitter(spec: GemmSpec): (name: Fixable) => string {
  return (name) => (spec[name] === undefined ? name : String(spec[name]));
}

/** `base + factor·stride` as compact source, folding literals. */
function offsetExpr(base: string, factor: number, stride: string): string {
  if (factor === 0) return base;
  const isLiteral = /^-?\d+$/.test(stride);
  const term = isLiteral
    ? String(factor * Number(stride))
    : factor === 1
      ? stride
      : `${factor} * ${stride}`;
  return term === '0' ? base : `${base} + ${term}`;
}

/** Source expression of the bias entry for tile element (r, c), or '0'. */
function biasSource(spec: GemmSpec, r: number, c: number): string {
  if (spec.bias === 'columns') return `bias[biasOffset + j + ${c}]`;
  if (spec.bias === 'rows') return `bias[biasOffset + i + ${r}]`;
  return '0';
}

/**
 * One mr×nr tile of C: reduce over k in [k0, k1), then add or store. With a fixed row stride A
 * is addressed from one pointer with literal offsets, which leaves registers for accumulators.
 */
function tileSource(spec: GemmSpec, mr: number, nr: number): string {
  const v = emitter(spec);
  const rows = range(mr);
  const cols = range(nr);
  const acc = (r: number, c: number): string => `c${r}_${c}`;
  const onePointerA = spec.aRowStride !== undefined;
  const aAt = (r: number): string =>
    onePointerA ? offsetExpr('pa', r, v('aRowStride')) : `pa${r}`;
  const bAt = (c: number): string => offsetExpr('pb', c, v('bColStride'));
  const step = [
    ...rows.map((r) => `const a${r} = A[${aAt(r)}];`),
    ...cols.map((c) => `const b${c} = B[${bAt(c)}];`),
    ...rows.flatMap((r) => cols.map((c) => `${acc(r, c)} += a${r} * b${c};`)),
    ...(onePointerA ? ['pa'] : rows.map((r) => `pa${r}`)).map((p) => `${p} += ${v('aColStride')};`),
    `pb += ${v('bRowStride')};`,
  ].join(' ');
  const pointers = onePointerA
    ? `let pa = aOffset + i * ${v('aRowStride')} + k0 * ${v('aColStride')};`
    : rows
        .map(
          (r) =>
            `let pa${r} = aOffset + (i + ${r}) * ${v('aRowStride')} + k0 * ${v('aColStride')};`,
        )
        .join(' ');
  const init = spec.bias
    ? `const fromBias = k0 === 0; let ${rows.flatMap((r) => cols.map((c) => `${acc(r, c)} = fromBias ? ${biasSource(spec, r, c)} : 0`)).join(', ')};`
    : `let ${rows.flatMap((r) => cols.map((c) => `${acc(r, c)} = 0`)).join(', ')};`;
  const store = (op: string): string =>
    rows
      .map(
        (r) =>
          cols
            .map((c) => `C[${offsetExpr('pc', c, v('cColStride'))}] ${op} ${acc(r, c)};`)
            .join(' ') + ` pc += ${v('cRowStride')};`,
      )
      .join('\n        ');
  return `{
      ${pointers}
      let pb = bOffset + j * ${v('bColStride')} + k0 * ${v('bRowStride')};
      ${init}
      for (let k = k0; k < k1; k++) { ${step} }
      let pc = cOffset + i * ${v('cRowStride')} + j * ${v('cColStride')};
      if (add) {
        ${store('+=')}
      } else {
        ${store('=')}
      }
    }`;
}

/** Column tiles of one band of `mr` rows, the narrower edge tiles after them. */
function rowBandSource(spec: GemmSpec, mr: number): string {
  const v = emitter(spec);
  const tileCols = (spec.tile ?? DEFAULT_TILE)[1];
  const edges = range(tileCols - 1)
    .map((e) => e + 1)
    .map((nr) => `if (restN === ${nr}) ${tileSource(spec, mr, nr)}`)
    .join(' else ');
  return `{
    let j = 0;
    for (; j + ${tileCols} <= ${v('N')}; j += ${tileCols}) ${tileSource(spec, mr, tileCols)}
    const restN = ${v('N')} - j;
    ${edges}
  }`;
}

/** A readable function name for profiles, e.g. `gemm_float32_N32_K4_biascolumns` (not a key). */
function kernelName(spec: GemmSpec): string {
  const fixed = Object.entries(spec)
    .filter(([k, v]) => k !== 'dtype' && v !== undefined)
    .map(([k, v]) => `${k}${Array.isArray(v) ? v.join('x') : String(v).replace('-', 'm')}`);
  return ['gemm', spec.dtype, ...fixed].join('_').replace(/[^A-Za-z0-9_]/g, '');
}

/** Source of a complete kernel for a spec (exported for inspection and tests). */
export function gemmSource(spec: GemmSpec): string {
  const v = emitter(spec);
  const tileRows = (spec.tile ?? DEFAULT_TILE)[0];
  const rowEdges = range(tileRows - 1)
    .map((e) => e + 1)
    .map((mr) => `if (restM === ${mr}) ${rowBandSource(spec, mr)}`)
    .join(' else ');
  return `"use strict";
  return function ${kernelName(spec)}(M, N, K, A, aOffset, aRowStride, aColStride, B, bOffset, bRowStride, bColStride,
                       C, cOffset, cRowStride, cColStride, accumulate, bias, biasOffset) {
    if (${v('K')} === 0) {
      for (let i = 0; i < ${v('M')}; i++) for (let j = 0; j < ${v('N')}; j++) {
        const p = cOffset + i * ${v('cRowStride')} + j * ${v('cColStride')};
        const value = ${biasSource(spec, 0, 0)};
        C[p] = accumulate ? C[p] + value : value;
      }
      return;
    }
    for (let k0 = 0; k0 < ${v('K')}; k0 += ${K_CHUNK}) {
      const k1 = Math.min(${v('K')}, k0 + ${K_CHUNK});
      const add = accumulate || k0 > 0;
      let i = 0;
      for (; i + ${tileRows} <= ${v('M')}; i += ${tileRows}) ${rowBandSource(spec, tileRows)}
      const restM = ${v('M')} - i;
      ${rowEdges}
    }
  };`;
}

const kernels = new Map<string, Gemm>();

/**
 * The kernel for a spec, generated on first request and shared afterwards (layers of the same
 * shape share code). `gemmFor({ dtype })` is the fully generic product.
 */
export function gemmFor(spec: GemmSpec): Gemm {
  for (const [k, v] of Object.entries(spec)) {
    const values =
      k === 'tile' ? (v as readonly number[]) : k === 'dtype' || k === 'bias' ? [] : [v as number];
    for (const x of values) {
      if (x !== undefined && !Number.isSafeInteger(x)) {
        throw new ScichainError(
          'InvalidArgument',
          `GEMM spec ${k} must be an integer, got ${String(v)}`,
        );
      }
    }
  }
  const key = JSON.stringify(spec, Object.keys(spec).sort());
  let kernel = kernels.get(key);
  if (!kernel) {
    kernel = new Function(gemmSource(spec))() as Gemm;
    kernels.set(key, kernel);
  }
  return kernel;
}

/** Straightforward triple loop with the same contract, the reference the tests compare with. */
export function referenceGemm(...args: [...Parameters<Gemm>, ('rows' | 'columns')?]): void {
  const [
    M,
    N,
    K,
    A,
    ao,
    ars,
    acs,
    B,
    bo,
    brs,
    bcs,
    C,
    co,
    crs,
    ccs,
    accumulate,
    bias,
    biasOffset,
    biasAlong,
  ] = args;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = bias && biasAlong ? bias[(biasOffset ?? 0) + (biasAlong === 'columns' ? j : i)] : 0;
      for (let k = 0; k < K; k++) s += A[ao + i * ars + k * acs] * B[bo + k * brs + j * bcs];
      const p = co + i * crs + j * ccs;
      C[p] = accumulate ? C[p] + s : s;
    }
  }
}
