/**
 * Generated kernels of the product-basis engine (`product-basis.ts`): per layer, one forward
 * pass and two pullbacks (with and without the input cotangent) as specialised JavaScript,
 * compiled once per layer and element type. One description drives every shape:
 *
 * - each univariate basis describes itself as source (`UnivariateBasis.seedSource`, the map of
 *   an input to its seed; `recurrence`, the steps that yield ψ₁ … ψ_{m−1} and their
 *   derivatives in locals), pasted inline — no per-sample interface calls, constants folded;
 * - a one-factor row set that holds every function of its input (ψ₁ … ψ_{m−1} of input i
 *   alone: all rows of a one-input or additive basis, the edges of a tensor or total-degree
 *   basis) is consumed inside that input's recurrence — value, derivative, coefficient
 *   gradient and cotangent in one pass;
 * - the other rows (products of several factors, or one-factor rows of an unusual multi-index
 *   set) read ψ and dψ/dt from a per-sample table that the recurrences fill, the factors of
 *   each row unrolled with prefix and suffix products.
 *
 * Two forms of the same code. Straight-line (each entry point, while its source stays small
 * enough for V8 to optimise it, see {@link MAX_UNROLLED_SOURCE}): recurrences unrolled, the
 * tables in locals, every coefficient index a constant. Loops (larger layers): recurrences as
 * loops, the tables in scratch arrays, the rows grouped by support (the inputs with a
 * non-constant factor) with one loop per group, so that each group's inputs are constants of
 * the code and the cotangents t̄_i stay in locals; row and table indices affine in the loop
 * counter are computed, others read from a constant Int32Array.
 *
 * The forward pass maps every input once, stores its seed and slope dt/dx in the cache and
 * accumulates y_o = Σ_j c[o, j] φ_j. The pullback rebuilds the ψ from the cached seeds (no
 * transcendental calls) and per row j adds ȳ_o φ_j to the coefficient gradient and, with x̄,
 * w_j ∂φ_j/∂t_i to t̄_i with w_j = Σ_o ȳ_o c[o, j]: the derivative along factor f is
 * w·(product of the factors before f)·ψ′_f·(product of those after), prefix and suffix
 * products as locals (factors may be 0, so no division). Finally x̄_i = (dt_i/dx_i)·t̄_i.
 *
 * Names: generated engine code uses plain identifiers; basis sources must name their locals
 * with a leading `$` (see {@link UnivariateBasis}), so the two never collide.
 */
import { compileWithElementary } from '../math/elementary.ts';
import type { DType, FloatArray } from '../core/dtype.ts';

/** A number as a source literal that reads back as the same double. */
export function literal(v: number): string {
  if (Object.is(v, -0)) return '(-0)';
  return v < 0 ? `(${String(v)})` : String(v);
}

/** Registers a value (a function, a table) for generated code and returns the name it has there. */
export type SourceScope = (value: unknown) => string;

/**
 * The recurrence that yields a univariate basis's functions ψ₁ … ψ_{m−1} (and their
 * derivatives) from the seed, as source. The generated kernels run its steps in a loop, or
 * unrolled with the step number a literal for small layers; step h (1 … steps) yields ψ_k for
 * k = perStep·(h − 1) + 1 … perStep·h. Locals must be named with a leading `$`.
 */
export interface Recurrence {
  /** Statements declaring the recurrence's state (before step 1). */
  readonly init: string;
  /** Number of steps; `1 + steps·perStep` must be the basis size. */
  readonly steps: number;
  /** Functions per step. */
  readonly perStep: number;
  /** Statements advancing the state to step `h` (a source expression: a literal or a variable). */
  step(h: string): string;
  /** ψ_k(t) of the step's function `f` (0 … perStep − 1) after `step(h)`, an expression. */
  value(f: number, h: string): string;
  /** dψ_k/dt likewise; asked only of a recurrence built with derivatives. */
  derivative(f: number, h: string): string;
}

/**
 * The univariate basis ψ₀ ≡ 1, ψ₁, …, ψ_{m−1} of one input, with the map from the input value
 * to the basis's own coordinate t, described as source for the generated kernels. The map
 * produces a "seed" of a few numbers (t itself, or cos t and sin t) that the forward pass
 * caches, so that the pullback rebuilds the functions without a transcendental call.
 */
export interface UnivariateBasis {
  /** Number m of functions; ψ₀ must be the constant 1. */
  readonly size: number;
  /** Numbers per sample that seed the recurrences. */
  readonly seedSize: number;
  /** Degree or harmonic number of ψ_k (sets how fast the initial coefficients decay). */
  order(k: number): number;
  /**
   * Statements that map the input value `x` (a local) to the seed, assigning the `seed` names
   * (declared by the caller), and assign `slope` = dt/dx (0 where the map is flat, e.g.
   * clamped). They may throw a ScichainError for values the basis rejects (`scope` makes an
   * error-building function callable from the source). Locals must be named with a leading `$`.
   */
  seedSource(x: string, seed: readonly string[], slope: string, scope: SourceScope): string;
  /** The recurrence from the `seed` locals, with derivatives when asked. */
  recurrence(seed: readonly string[], withDerivatives: boolean): Recurrence;
}

/** The layer shape the kernels are generated for. */
export interface KernelShape {
  readonly bases: readonly UnivariateBasis[];
  readonly outputs: number;
  /** Row-major `basisSize × inputs` multi-indices. */
  readonly multiIndex: Int32Array;
  readonly basisSize: number;
}

/** Per-instance float64 scratch the kernels close over (see {@link kernelScratchSizes}). */
export interface KernelScratch {
  /** Seeds of every input of every sample of the last forward pass. */
  readonly seeds: Float64Array;
  /** dt_i/dx_i of every input of every sample (0 where clamped). */
  readonly slopes: Float64Array;
  /** ψ values of one sample, input after input (only for inputs read through tables). */
  readonly values: Float64Array;
  /** dψ/dt of one sample, same layout. */
  readonly derivatives: Float64Array;
  /** Output accumulators for layers with many outputs. */
  readonly accumulators: Float64Array;
  /** Cotangents t̄ summed by the rows of the fallback grouping (very many inputs). */
  readonly tBar: Float64Array;
}

/** The generated entry points over one scratch record; unchecked. */
export interface ProductBasisKernels {
  /** y = layer(x) for n samples; caches seeds and slopes. */
  forward(theta: FloatArray, offset: number, x: FloatArray, y: FloatArray, n: number): void;
  /** Pullback of the last forward: accumulates ȳᵀ∂y/∂c into `grad[gradOffset …]`, writes x̄. */
  vjpInput(
    theta: FloatArray,
    offset: number,
    yBar: FloatArray,
    xBar: FloatArray,
    grad: FloatArray,
    gradOffset: number,
    n: number,
  ): void;
  /** The same without x̄ (no derivative recurrences). */
  vjpNoInput(
    theta: FloatArray,
    offset: number,
    yBar: FloatArray,
    xBar: FloatArray | null,
    grad: FloatArray,
    gradOffset: number,
    n: number,
  ): void;
}

/** Builds the kernels over a scratch record. */
export type KernelFactory = (scratch: KernelScratch) => ProductBasisKernels;

/** Outputs up to this many are unrolled into locals; more run in a loop over scratch. */
const UNROLL_OUTPUTS = 6;
/**
 * Each entry point is generated as straight-line code (recurrences unrolled, tables in locals,
 * constant indices: 2–4× faster than loops for several inputs) while its source stays under
 * this many characters, else with loops. V8 stops optimising such a function between ~60,000
 * and ~78,000 characters (measured: the x̄ pullback of a 3-input total-degree-10 layer, 61,000,
 * is optimised; of a 3-input tensor degree-6 layer, 78,000, it is not and runs 25× slower).
 */
const MAX_UNROLLED_SOURCE = 40_000;
/** Beyond this many rows straight-line code is not even tried (it would be far too long). */
const MAX_UNROLLED_ROWS = 1_000;
/**
 * Up to this many support groups each get their own loop; beyond (many inputs with high-order
 * interactions), rows with two or more factors are grouped by factor count and add their
 * cotangents into a scratch array through an input table.
 */
const MAX_GROUPS = 48;

/** A set of basis rows that share one loop. */
interface RowGroup {
  /** Number of non-constant factors of each row. */
  readonly factors: number;
  /** The factors' inputs (ascending) when every row has the same, else null (fallback). */
  readonly inputs: readonly number[] | null;
  /** Row indices j, ascending. */
  readonly rows: number[];
  /** Per row, per factor (`factors` entries per row): the univariate function index k. */
  readonly ks: number[];
  /** Per row, per factor: the input. */
  readonly factorInputs: number[];
}

/** How the kernels of a shape are laid out. */
interface Plan {
  readonly groups: RowGroup[];
  /** Per input: its complete one-factor group, consumed inside its recurrence, or null. */
  readonly fused: (RowGroup | null)[];
  /** Per input: whether some other group reads its ψ from the tables. */
  readonly tabled: boolean[];
  /** Where input i's functions start in the tables. */
  readonly tableOffset: number[];
  /** Size of the ψ (and dψ/dt) tables of the loop form. */
  readonly tableSize: number;
  /**
   * Loop form: rows with several factors grouped by factor count, cotangents through `TB` (see
   * {@link MAX_GROUPS}).
   */
  readonly dynamic: boolean;
}

const plans = new WeakMap<KernelShape, Plan>();

function plan(shape: KernelShape): Plan {
  let p = plans.get(shape);
  if (p === undefined) {
    p = makePlan(shape);
    plans.set(shape, p);
  }
  return p;
}

function makePlan(shape: KernelShape): Plan {
  const { bases, multiIndex, basisSize } = shape;
  const d = bases.length;
  // A row's support (inputs with a non-constant factor) as a key: a bit mask for up to 30
  // inputs (no per-row allocation for bases of up to a million rows), else a string.
  const supportKey = (j: number): number | string => {
    if (d <= 30) {
      let mask = 0;
      for (let i = 0; i < d; i++) if (multiIndex[j * d + i] !== 0) mask |= 1 << i;
      return mask;
    }
    let key = '';
    for (let i = 0; i < d; i++) if (multiIndex[j * d + i] !== 0) key += `${i},`;
    return key;
  };
  const supports = new Set<number | string>();
  for (let j = 0; j < basisSize; j++) supports.add(supportKey(j));
  const dynamic = supports.size > MAX_GROUPS;
  const groups = new Map<number | string, RowGroup>();
  for (let j = 0; j < basisSize; j++) {
    let r = 0;
    for (let i = 0; i < d; i++) if (multiIndex[j * d + i] !== 0) r++;
    const key = dynamic && r >= 2 ? `#${r}` : supportKey(j);
    let g = groups.get(key);
    if (g === undefined) {
      const inputs: number[] = [];
      for (let i = 0; i < d; i++) if (multiIndex[j * d + i] !== 0) inputs.push(i);
      g = {
        factors: r,
        inputs: dynamic && r >= 2 ? null : inputs,
        rows: [],
        ks: [],
        factorInputs: [],
      };
      groups.set(key, g);
    }
    g.rows.push(j);
    for (let i = 0; i < d; i++) {
      const k = multiIndex[j * d + i];
      if (k === 0) continue;
      g.ks.push(k);
      g.factorInputs.push(i);
    }
  }
  const fused: (RowGroup | null)[] = bases.map(() => null);
  for (const g of groups.values()) {
    if (g.factors !== 1) continue;
    const i = g.factorInputs[0];
    // Complete: every function ψ₁ … ψ_{m−1} of input i exactly once.
    if (g.rows.length === bases[i].size - 1 && new Set(g.ks).size === g.rows.length) fused[i] = g;
  }
  const tabled = bases.map(() => false);
  for (const g of groups.values()) {
    if (g.factors === 1 && fused[g.factorInputs[0]] === g) continue;
    for (const i of g.inputs ?? new Set(g.factorInputs)) tabled[i] = true;
  }
  const tableOffset: number[] = [];
  let tableSize = 0;
  for (let i = 0; i < d; i++) {
    tableOffset.push(tableSize);
    if (tabled[i]) tableSize += bases[i].size;
  }
  return { groups: [...groups.values()], fused, tabled, tableOffset, tableSize, dynamic };
}

/** Sizes of the scratch arrays of a kernel instance for `capacity` samples. */
export function kernelScratchSizes(
  shape: KernelShape,
  capacity: number,
): Record<keyof KernelScratch, number> {
  const p = plan(shape);
  const d = shape.bases.length;
  const seedStride = shape.bases.reduce((sum, b) => sum + b.seedSize, 0);
  return {
    seeds: capacity * seedStride,
    slopes: capacity * d,
    values: p.tableSize,
    derivatives: p.tableSize,
    accumulators: shape.outputs > UNROLL_OUTPUTS ? shape.outputs : 0,
    tBar: p.dynamic ? d : 0,
  };
}

/**
 * `values[n]` as source in the variable `q` = first + n when it is affine in q (simplified), or
 * null when it is not.
 */
function affine(values: ArrayLike<number>, q: string, first = 0): string | null {
  const b = values.length > 1 ? values[1] - values[0] : 0;
  for (let n = 2; n < values.length; n++) if (values[n] !== values[0] + b * n) return null;
  const a = values[0] - b * first;
  if (b === 0) return String(a);
  const step = b === 1 ? q : `${b} * ${q}`;
  return a === 0 ? step : `${a} + ${step}`;
}

/** `Σ terms`, or `0`. */
const sum = (terms: readonly string[]): string => (terms.length === 0 ? '0' : terms.join(' + '));
/** `Π factors`, or `1`. */
const product = (factors: readonly string[]): string =>
  factors.length === 0 ? '1' : factors.join(' * ');
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

type Pass = 'forward' | 'vjp' | 'vjpInput';

/**
 * `'auto'`: each entry point straight-line while small enough (see
 * {@link MAX_UNROLLED_SOURCE}), else loops; `'loops'`: always loops (for tests of that form).
 */
export type KernelForm = 'auto' | 'loops';

/** One non-constant factor of a row, as source expressions. */
interface Factor {
  readonly value: string;
  /** dψ/dt (read only by the pass with x̄). */
  readonly derivative: string;
  /** The t̄ accumulator of the factor's input. */
  readonly tBar: string;
}

/**
 * The generator. Locals: y{o} output accumulators, yb{o} cotangents, tb{i} input cotangents,
 * e{i}_{q} seeds, sl{i} slopes, tv{i}_{k}/td{i}_{k} unrolled tables; T θ, to its offset,
 * G/go the gradient, V/D the tables of the loop form.
 */
function kernelSource(
  shape: KernelShape,
  name: string,
  scope: SourceScope,
  form: KernelForm,
): string {
  const { bases, outputs: out, basisSize: P } = shape;
  const d = bases.length;
  const p = plan(shape);
  const outputLocals = out <= UNROLL_OUTPUTS;
  const seedAt: number[] = [];
  let stride = 0;
  for (const b of bases) {
    seedAt.push(stride);
    stride += b.seedSize;
  }
  const seedNames = (i: number): string[] => range(bases[i].seedSize).map((q) => `e${i}_${q}`);
  /** `base + o·P + j` with the constant parts folded. */
  const index = (base: string, o: number | string, j: string): string => {
    const row = typeof o === 'number' ? o * P : `${o} * ${P}`;
    if (/^\d+$/.test(j))
      return typeof row === 'number' ? `${base} + ${row + Number(j)}` : `${base} + ${row} + ${j}`;
    return row === 0 ? `${base} + ${j}` : `${base} + ${row} + ${j}`;
  };
  const coefficient = (o: number | string, j: string): string => `T[${index('to', o, j)}]`;
  const gradient = (o: number | string, j: string): string => `G[${index('go', o, j)}]`;
  /** ψ_k of input i in the table, and its derivative: locals when unrolled. */
  const tableValue = (unrolled: boolean, i: number, k: string): string =>
    unrolled ? `tv${i}_${k}` : `V[${p.tableOffset[i]} + ${k}]`;
  const tableDerivative = (unrolled: boolean, i: number, k: string): string =>
    unrolled ? `td${i}_${k}` : `D[${p.tableOffset[i]} + ${k}]`;

  /** Statements adding row j's contributions in a pass. */
  const consume = (pass: Pass, j: string, factors: readonly Factor[]): string => {
    const lines: string[] = [];
    let phi = product(factors.map((f) => f.value));
    if (factors.length > 1) {
      lines.push(`const phi = ${phi};`);
      phi = 'phi';
    }
    if (pass === 'forward') {
      const term = (o: number | string): string =>
        phi === '1' ? coefficient(o, j) : `${coefficient(o, j)} * ${phi}`;
      if (outputLocals) for (const o of range(out)) lines.push(`y${o} += ${term(o)};`);
      else lines.push(`for (let o = 0; o < ${out}; o++) ACC[o] += ${term('o')};`);
      return `{ ${lines.join(' ')} }`;
    }
    const scaled = (yb: string): string => (phi === '1' ? yb : `${yb} * ${phi}`);
    const input = pass === 'vjpInput' && factors.length > 0;
    if (outputLocals) {
      for (const o of range(out)) lines.push(`${gradient(o, j)} += ${scaled(`yb${o}`)};`);
      if (input)
        lines.push(`const w = ${sum(range(out).map((o) => `yb${o} * ${coefficient(o, j)}`))};`);
    } else {
      if (input) lines.push('let w = 0;');
      const wTerm = input ? `w += yb * ${coefficient('o', j)};` : '';
      lines.push(
        `for (let o = 0; o < ${out}; o++) { const yb = YB[ys + o]; ` +
          `${gradient('o', j)} += ${scaled('yb')}; ${wTerm} }`,
      );
    }
    if (input) {
      // ∂φ/∂t along factor f: (w · factors before f) · ψ′_f · (factors after f).
      const r = factors.length;
      for (let f = r - 2; f >= 0; f--) {
        const after = [factors[f + 1].value, ...(f < r - 2 ? [`u${f + 1}`] : [])];
        lines.push(`const u${f} = ${product(after)};`);
      }
      for (let f = 0; f < r; f++) {
        if (f > 0)
          lines.push(`const pw${f} = ${f === 1 ? 'w' : `pw${f - 1}`} * ${factors[f - 1].value};`);
        const terms = [f === 0 ? 'w' : `pw${f}`, factors[f].derivative];
        if (f < r - 1) terms.push(`u${f}`);
        lines.push(`${factors[f].tBar} += ${product(terms)};`);
      }
    }
    return `{ ${lines.join(' ')} }`;
  };

  /** Input i's recurrence with its fused rows and its table stores. */
  const stream = (pass: Pass, unrolled: boolean, i: number): string => {
    const group = p.fused[i];
    const tabled = p.tabled[i];
    if (group === null && !tabled) return '';
    const derivatives = pass === 'vjpInput';
    const rec = bases[i].recurrence(seedNames(i), derivatives);
    if (rec.steps === 0) return '';
    // Row of each function k of the fused group: affine in k, or looked up.
    const byK = new Int32Array(bases[i].size);
    if (group !== null) group.rows.forEach((j, q) => (byK[group.ks[q]] = j));
    const jOfK =
      group === null
        ? null
        : (affine(
            range(bases[i].size - 1).map((q) => byK[q + 1]),
            'k',
            1,
          ) ?? `${scope(byK)}[k]`);
    /** The statements for function f of step h. */
    const body = (h: string, f: number): string => {
      const ps = rec.perStep;
      const kLiteral = unrolled ? ps * (Number(h) - 1) + 1 + f : null;
      const k =
        kLiteral !== null ? String(kLiteral) : ps === 1 ? h : `${ps} * ${h} - ${ps - 1 - f}`;
      const lines = [`const v = ${rec.value(f, h)};`];
      if (derivatives) lines.push(`const dv = ${rec.derivative(f, h)};`);
      if (tabled) {
        lines.push(`${tableValue(unrolled, i, k)} = v;`);
        if (derivatives) lines.push(`${tableDerivative(unrolled, i, k)} = dv;`);
      }
      if (group !== null) {
        const j = kLiteral !== null ? String(byK[kLiteral]) : 'j';
        if (kLiteral === null) lines.push(`const k = ${k};`, `const j = ${jOfK};`);
        lines.push(consume(pass, j, [{ value: 'v', derivative: 'dv', tBar: `tb${i}` }]));
      }
      return `{ ${lines.join(' ')} }`;
    };
    const stepCode = (h: string): string =>
      [rec.step(h), ...range(rec.perStep).map((f) => body(h, f))].join(' ');
    const steps = unrolled
      ? range(rec.steps).map((q) => stepCode(String(q + 1)))
      : [`for (let h = 1; h <= ${rec.steps}; h++) { ${stepCode('h')} }`];
    // Unrolled tables are locals declared before the recurrence's block.
    const locals: string[] = [];
    if (unrolled && tabled) {
      for (let k = 1; k < bases[i].size; k++) {
        locals.push(`${tableValue(true, i, String(k))} = 0`);
        if (derivatives) locals.push(`${tableDerivative(true, i, String(k))} = 0`);
      }
    }
    const declare = locals.length > 0 ? `let ${locals.join(', ')};` : '';
    return `${declare} { ${rec.init} ${steps.join('\n')} }`;
  };

  /** The rows read from the tables: one loop per group, or one block per row when unrolled. */
  const tableGroups = (pass: Pass, unrolled: boolean): string[] =>
    p.groups
      .filter((g) => !(g.factors === 1 && p.fused[g.factorInputs[0]] === g))
      .map((g) => {
        const r = g.factors;
        const count = g.rows.length;
        if (unrolled || count === 1) {
          // Constant indices.
          return g.rows
            .map((j, n) => {
              const factors = range(r).map((f) => {
                const i = g.factorInputs[n * r + f];
                const k = String(g.ks[n * r + f]);
                return {
                  value: tableValue(unrolled, i, k),
                  derivative: tableDerivative(unrolled, i, k),
                  tBar: `tb${i}`,
                };
              });
              return consume(pass, String(j), factors);
            })
            .join('\n');
        }
        // Columns: j, then per factor its table position (and its input in the fallback).
        const columns: Int32Array[] = [Int32Array.from(g.rows)];
        for (let f = 0; f < r; f++) {
          const c = new Int32Array(count);
          for (let n = 0; n < count; n++)
            c[n] = p.tableOffset[g.factorInputs[n * r + f]] + g.ks[n * r + f];
          columns.push(c);
        }
        if (g.inputs === null) {
          for (let f = 0; f < r; f++) {
            const c = new Int32Array(count);
            for (let n = 0; n < count; n++) c[n] = g.factorInputs[n * r + f];
            columns.push(c);
          }
        }
        const stored = columns.map((c) => affine(c, 'q') === null);
        const width = stored.filter(Boolean).length;
        const table = new Int32Array(count * width);
        let col = 0;
        const expr = columns.map((c, m) => {
          if (!stored[m]) return affine(c, 'q')!;
          for (let n = 0; n < count; n++) table[n * width + col] = c[n];
          return `R[rb + ${col++}]`;
        });
        const lines: string[] = [];
        if (width > 0) lines.push(`const rb = q * ${width};`);
        lines.push(`const j = ${expr[0]};`);
        const factors: Factor[] = range(r).map((f) => {
          lines.push(`const p${f} = ${expr[1 + f]};`, `const v${f} = V[p${f}];`);
          if (pass === 'vjpInput') lines.push(`const d${f} = D[p${f}];`);
          const tBar = g.inputs === null ? `TB[${expr[1 + r + f]}]` : `tb${g.inputs[f]}`;
          return { value: `v${f}`, derivative: `d${f}`, tBar };
        });
        lines.push(consume(pass, 'j', factors));
        const loop = `for (let q = 0; q < ${count}; q++) { ${lines.join(' ')} }`;
        return width > 0 ? `{ const R = ${scope(table)}; ${loop} }` : loop;
      });

  const forward = (unrolled: boolean): string => {
    const lines = [
      `const sx = s * ${d}, ss = s * ${stride};`,
      ...range(d).map((i) => {
        const names = seedNames(i);
        return [
          `const x${i} = X[sx + ${i}];`,
          `let ${names.map((e) => `${e} = 0`).join(', ')}, sl${i} = 0;`,
          `{ ${bases[i].seedSource(`x${i}`, names, `sl${i}`, scope)} }`,
          ...names.map((e, q) => `SEEDS[ss + ${seedAt[i] + q}] = ${e};`),
          `SL[sx + ${i}] = sl${i};`,
        ].join(' ');
      }),
      outputLocals
        ? range(out)
            .map((o) => `let y${o} = 0;`)
            .join(' ')
        : `for (let o = 0; o < ${out}; o++) ACC[o] = 0;`,
      ...range(d).map((i) => stream('forward', unrolled, i)),
      ...tableGroups('forward', unrolled),
      outputLocals
        ? range(out)
            .map((o) => `Y[s * ${out} + ${o}] = y${o};`)
            .join(' ')
        : `for (let o = 0; o < ${out}; o++) Y[s * ${out} + o] = ACC[o];`,
    ];
    return `function ${name}_forward(T, to, X, Y, n) {
      for (let s = 0; s < n; s++) {
        ${lines.join('\n        ')}
      }
    }`;
  };

  const vjp = (pass: 'vjp' | 'vjpInput', unrolled: boolean): string => {
    const input = pass === 'vjpInput';
    const dynamic = p.dynamic && !unrolled && input;
    const tBar = (i: number): string => (dynamic ? `(tb${i} + TB[${i}])` : `tb${i}`);
    const lines = [
      `const sx = s * ${d}, ss = s * ${stride}, ys = s * ${out};`,
      ...range(d).map((i) =>
        seedNames(i)
          .map((e, q) => `const ${e} = SEEDS[ss + ${seedAt[i] + q}];`)
          .join(' '),
      ),
      outputLocals
        ? range(out)
            .map((o) => `const yb${o} = YB[ys + ${o}];`)
            .join(' ')
        : '',
      input
        ? range(d)
            .map((i) => `let tb${i} = 0;`)
            .join(' ')
        : '',
      dynamic ? `for (let i = 0; i < ${d}; i++) TB[i] = 0;` : '',
      ...range(d).map((i) => stream(pass, unrolled, i)),
      ...tableGroups(pass, unrolled),
      input
        ? range(d)
            .map((i) => `XB[sx + ${i}] = SL[sx + ${i}] * ${tBar(i)};`)
            .join(' ')
        : '',
    ];
    return `function ${name}_${pass === 'vjp' ? 'vjpNoInput' : 'vjp'}(T, to, YB, XB, G, go, n) {
      for (let s = 0; s < n; s++) {
        ${lines.join('\n        ')}
      }
    }`;
  };

  /** Straight-line code while it stays small enough for V8 to optimise, else loops. */
  const smaller = (generate: (unrolled: boolean) => string): string => {
    if (form === 'loops' || P > MAX_UNROLLED_ROWS) return generate(false);
    const straight = generate(true);
    return straight.length <= MAX_UNROLLED_SOURCE ? straight : generate(false);
  };

  return `"use strict";
  return function make(SEEDS, SL, V, D, ACC, TB) {
    return {
      forward: ${smaller(forward)},
      vjpInput: ${smaller((u) => vjp('vjpInput', u))},
      vjpNoInput: ${smaller((u) => vjp('vjp', u))},
    };
  };`;
}

/** The generated source of a layer's kernels (for tests and inspection). */
export function productBasisSource(
  shape: KernelShape,
  form: KernelForm = 'auto',
  name = 'productBasis',
): string {
  return kernelSource(shape, name, (value) => `/* ${typeof value} */ null`, form);
}

/**
 * Compiles the kernels of a layer shape. `dtype` only tags the source, so that float32 and
 * float64 data get separate functions whose type feedback stays monomorphic.
 */
export function compileProductBasis(
  shape: KernelShape,
  dtype: DType,
  name: string,
  form: KernelForm = 'auto',
): KernelFactory {
  const values: unknown[] = [];
  const scope: SourceScope = (value) => {
    let at = values.indexOf(value);
    if (at < 0) at = values.push(value) - 1;
    return `K${at}`;
  };
  const source = `/* ${name}, ${dtype} */ ${kernelSource(shape, name, scope, form)}`;
  const named: Record<string, unknown> = {};
  values.forEach((v, q) => (named[`K${q}`] = v));
  const make = compileWithElementary(source, named) as (
    ...scratch: Float64Array[]
  ) => ProductBasisKernels;
  return (s) => make(s.seeds, s.slopes, s.values, s.derivatives, s.accumulators, s.tBar);
}
