/**
 * The engine shared by the Chebyshev and Fourier surrogates: a layer that is linear in its
 * coefficients over a product basis,
 *
 *     y_o(x) = Σ_j c[o, j] · φ_j(x),   φ_j(x) = Π_i ψ_{k_ji}(t_i(x_i)),
 *
 * where each input i has a univariate basis ψ₀ ≡ 1, ψ₁, …, ψ_{m−1} in its own coordinate t_i
 * (Chebyshev: x mapped to [−1, 1]; Fourier: the phase angle) and the multi-index rows k_j pick
 * one function per input.
 *
 * Parameter layout: output-major, `c[o, j]` at `o · basisSize + j`, j in the order of the
 * multi-index rows ({@link ProductBasisLayer.multiIndex}).
 *
 * Hot path. Per sample, `forward` maps every input once (`seed`: one Math.cos/sin or one
 * affine map), builds the table of the ψ's by their recurrences, multiplies out the basis values
 * and takes one dot product per output. The seeds (a few numbers per input) are cached for the
 * pullback, which rebuilds the table from them — O(d·m) per sample, small next to the O(P·(d +
 * outputs)) sums — so the cache does not grow with capacity × basis size and the input `x` may
 * change after `forward`. Basis functions are stored sparsely: ψ₀ ≡ 1 factors are skipped, so a
 * total-degree or additive basis costs only its non-constant factors. All scratch is float64
 * and sized in `createCache`; nothing is allocated per call, for float64 and float32 data alike.
 */
import { ScichainError } from '../errors.ts';
import { heapAllocator } from '../memory/allocator.ts';
import type { DType, FloatArray } from '../memory/dtype.ts';
import { checkBatch } from '../nn/dense.ts';
import type { CacheOptions, Layer, LayerCache, ParameterGroup } from '../nn/layer.ts';
import type { Rng } from '../random/rng.ts';
import type { MultiIndexSet } from './multi-index.ts';

/**
 * The univariate basis ψ₀ ≡ 1, ψ₁, …, ψ_{m−1} of one input, with the map from the input value
 * to the basis's own coordinate t. Implementations keep the per-sample "seed" of their
 * recurrences (t itself, or cos t and sin t) so that the table can be rebuilt without a
 * transcendental call.
 */
export interface UnivariateBasis {
  /** Number m of functions; ψ₀ must be the constant 1. */
  readonly size: number;
  /** Numbers per sample that seed the recurrences. */
  readonly seedSize: number;
  /**
   * Maps the input value x to the seed in `seed[at …]` and returns dt/dx (0 where the map is
   * flat, e.g. clamped). May throw a ScichainError for values it rejects.
   */
  seed(x: number, seed: Float64Array, at: number): number;
  /** ψ₀(t) … ψ_{m−1}(t) into `out[outAt …]`. */
  values(seed: Float64Array, at: number, out: Float64Array, outAt: number): void;
  /** dψ_k/dt into `out[outAt …]`, given the values written by {@link values} at `valuesAt`. */
  derivatives(
    seed: Float64Array,
    at: number,
    values: Float64Array,
    valuesAt: number,
    out: Float64Array,
    outAt: number,
  ): void;
  /** Degree or harmonic number of ψ_k (sets how fast the initial coefficients decay). */
  order(k: number): number;
  /**
   * Σ_k c_k ψ_k(t) for `c = coefficients[offset … offset + m)` without building the table
   * (Clenshaw); used for one-input layers when present.
   */
  series?(seed: Float64Array, at: number, coefficients: FloatArray, offset: number): number;
}

/** A univariate basis that can sum a series directly. */
type SeriesBasis = UnivariateBasis & Required<Pick<UnivariateBasis, 'series'>>;

function hasSeries(basis: UnivariateBasis): basis is SeriesBasis {
  return basis.series !== undefined;
}

/** How {@link ProductBasisLayer.init} sets the coefficients. */
export type CoefficientInit = 'normal' | 'zeros';

/**
 * A string option checked against its allowed values (the first is the default); an unknown
 * value is an `UnknownName` error that lists the allowed ones.
 */
export function oneOf<T extends string>(
  value: T | undefined,
  allowed: readonly T[],
  what: string,
): T {
  const v = value ?? allowed[0];
  if (!allowed.includes(v)) {
    throw new ScichainError(
      'UnknownName',
      `${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${String(v)}'`,
    );
  }
  return v;
}

/** Standard deviation of the constant term's initial coefficient (see `init`). */
const INIT_SCALE = 0.1;

/** Cache of a product-basis layer: per-sample seeds and slopes, per-sample scratch. */
export interface ProductBasisCache extends LayerCache {
  /** Recurrence seeds of every input of every sample of the last forward pass. */
  readonly seeds: Float64Array;
  /** dt_i/dx_i of every input of every sample (0 where clamped). */
  readonly slopes: Float64Array;
  /** Table of ψ values of one sample, input after input. */
  readonly values: Float64Array;
  /** Table of dψ/dt of one sample. */
  readonly derivatives: Float64Array;
  /** Basis values φ_j of one sample. */
  readonly phi: Float64Array;
  /** w_j = Σ_o ȳ_o c[o, j] of one sample. */
  readonly weights: Float64Array;
  /** Products of the factors after a position, for ∂φ_j/∂t_i without division. */
  readonly suffix: Float64Array;
  /** ∂L/∂t_i of one sample. */
  readonly tBar: Float64Array;
  /** Coefficient gradient summed over the batch in float64, added to `grad` once. */
  readonly gradSums: Float64Array;
}

/** What a concrete surrogate hands to {@link ProductBasisLayer}. */
export interface ProductBasisSpec {
  readonly bases: readonly UnivariateBasis[];
  readonly outputs: number;
  readonly set: MultiIndexSet;
  readonly init: CoefficientInit;
  readonly description: string;
  /** Shape of the coefficient block for display, e.g. `[outputs, 9, 9]`. */
  readonly coefficientShape: readonly number[];
}

/** A layer linear in its coefficients over a product basis (see the module comment). */
export class ProductBasisLayer implements Layer<ProductBasisCache> {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly paramCount: number;
  readonly description: string;
  /** Number of basis functions P (coefficients per output). */
  readonly basisSize: number;
  /** Row-major `basisSize × inputSize` multi-indices: row j lists φ_j's univariate indices. */
  readonly multiIndex: Int32Array;
  /** The univariate basis of each input. */
  readonly bases: readonly UnivariateBasis[];
  private readonly initMode: CoefficientInit;
  private readonly coefficientShape: readonly number[];
  /** Standard deviation of each basis function's initial coefficient. */
  private readonly initSd: Float64Array;
  /** One-input layers with a direct series evaluation (Clenshaw) use it in `forward`. */
  private readonly seriesBasis: SeriesBasis | null;
  /** Where input i's seed starts inside one sample's seeds; [d] is the per-sample stride. */
  private readonly seedOffset: Int32Array;
  /** Where input i's functions start in the per-sample table; [d] is the table size. */
  private readonly tableOffset: Int32Array;
  /** φ_j's non-constant factors are runs[runStart[j] … runStart[j + 1]). */
  private readonly runStart: Int32Array;
  /** Input of each factor. */
  private readonly runInput: Int32Array;
  /** Table position of each factor. */
  private readonly runTable: Int32Array;
  private readonly longestRun: number;

  constructor(spec: ProductBasisSpec) {
    const { bases, set } = spec;
    const d = bases.length;
    if (set.dimension !== d) {
      throw new ScichainError(
        'ShapeMismatch',
        `multi-index set of dimension ${set.dimension} for ${d} inputs`,
      );
    }
    this.inputSize = d;
    this.outputSize = spec.outputs;
    this.basisSize = set.count;
    this.paramCount = spec.outputs * set.count;
    this.description = spec.description;
    this.multiIndex = set.indices;
    this.bases = bases;
    this.initMode = spec.init;
    this.coefficientShape = spec.coefficientShape;
    this.seriesBasis = d === 1 && hasSeries(bases[0]) ? bases[0] : null;

    this.seedOffset = new Int32Array(d + 1);
    this.tableOffset = new Int32Array(d + 1);
    for (let i = 0; i < d; i++) {
      this.seedOffset[i + 1] = this.seedOffset[i] + bases[i].seedSize;
      this.tableOffset[i + 1] = this.tableOffset[i] + bases[i].size;
    }

    const idx = set.indices;
    const runStart = new Int32Array(set.count + 1);
    let factors = 0;
    for (let j = 0; j < set.count; j++) {
      for (let i = 0; i < d; i++) if (idx[j * d + i] !== 0) factors++;
      runStart[j + 1] = factors;
    }
    this.runStart = runStart;
    this.runInput = new Int32Array(factors);
    this.runTable = new Int32Array(factors);
    this.initSd = new Float64Array(set.count);
    let longest = 0;
    for (let j = 0, r = 0; j < set.count; j++) {
      let order = 0;
      for (let i = 0; i < d; i++) {
        const k = idx[j * d + i];
        if (k < 0 || k >= bases[i].size) {
          throw new ScichainError(
            'InvalidArgument',
            `multi-index row ${j} asks for function ${k} of input ${i + 1}, which has ${bases[i].size}`,
          );
        }
        if (k === 0) continue;
        this.runInput[r] = i;
        this.runTable[r] = this.tableOffset[i] + k;
        order += bases[i].order(k);
        r++;
      }
      longest = Math.max(longest, runStart[j + 1] - runStart[j]);
      // Smooth functions have coefficients decaying with order; start the same way.
      this.initSd[j] = INIT_SCALE / (1 + order) ** 2;
    }
    this.longestRun = longest;
  }

  /**
   * Seeded initialisation. `'normal'` (default): c[o, j] ~ N(0, σ_j²) with
   * σ_j = 0.1 / (1 + order_j)², order_j the total degree (Chebyshev) or total harmonic number
   * (Fourier) of φ_j — a small, smooth random function, so that layers before it in a chain get
   * a non-zero gradient from the start. `'zeros'`: all coefficients 0 (the layer is linear in
   * them, so gradient-based fitting from zero works).
   */
  init(theta: FloatArray, offset: number, rng: Rng): void {
    const P = this.basisSize;
    if (this.initMode === 'zeros') {
      theta.fill(0, offset, offset + this.paramCount);
      return;
    }
    for (let o = 0; o < this.outputSize; o++) {
      for (let j = 0; j < P; j++) theta[offset + o * P + j] = this.initSd[j] * rng.normal();
    }
  }

  /** One group `coefficients` (role `weight`), output-major. */
  parameterGroups(): ParameterGroup[] {
    return [
      {
        name: 'coefficients',
        offset: 0,
        size: this.paramCount,
        shape: [...this.coefficientShape],
        role: 'weight',
      },
    ];
  }

  createCache(dtype: DType, capacity: number, options: CacheOptions = {}): ProductBasisCache {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new ScichainError(
        'InvalidArgument',
        `batch capacity must be an integer ≥ 1, got ${capacity}`,
      );
    }
    const alloc = options.allocator ?? heapAllocator;
    const f64 = (length: number): Float64Array => alloc.floats('float64', length) as Float64Array;
    const d = this.inputSize;
    const table = this.tableOffset[d];
    return {
      dtype,
      capacity,
      training: false,
      seeds: f64(capacity * this.seedOffset[d]),
      slopes: f64(capacity * d),
      values: f64(table),
      derivatives: f64(table),
      phi: f64(this.basisSize),
      weights: f64(this.basisSize),
      suffix: f64(this.longestRun + 1),
      tBar: f64(d),
      gradSums: f64(this.paramCount),
    };
  }

  forward(
    theta: FloatArray,
    thetaOffset: number,
    x: FloatArray,
    y: FloatArray,
    cache: ProductBasisCache,
    n: number,
  ): void {
    checkBatch(n, cache.capacity);
    const out = this.outputSize;
    const P = this.basisSize;
    const stride = this.seedOffset[this.inputSize];
    const phi = cache.phi;
    const seriesBasis = this.seriesBasis;
    for (let s = 0; s < n; s++) {
      this.seedSample(x, s, cache);
      if (seriesBasis !== null) {
        for (let o = 0; o < out; o++) {
          y[s * out + o] = seriesBasis.series(cache.seeds, s * stride, theta, thetaOffset + o * P);
        }
        continue;
      }
      this.tableOf(cache, s, false);
      this.basisProducts(cache.values, phi);
      for (let o = 0; o < out; o++) {
        const c0 = thetaOffset + o * P;
        let sum = 0;
        for (let j = 0; j < P; j++) sum += theta[c0 + j] * phi[j];
        y[s * out + o] = sum;
      }
    }
  }

  vjp(
    theta: FloatArray,
    thetaOffset: number,
    cache: ProductBasisCache,
    yBar: FloatArray,
    xBar: FloatArray | null,
    grad: FloatArray,
    gradOffset: number,
    n: number,
  ): void {
    checkBatch(n, cache.capacity);
    const d = this.inputSize;
    const out = this.outputSize;
    const P = this.basisSize;
    const { phi, weights, gradSums, tBar, slopes } = cache;
    gradSums.fill(0);
    for (let s = 0; s < n; s++) {
      this.tableOf(cache, s, xBar !== null);
      this.basisProducts(cache.values, phi);
      // ∂L/∂c[o, j] = ȳ_o φ_j.
      for (let o = 0; o < out; o++) {
        const g = yBar[s * out + o];
        if (g === 0) continue;
        const base = o * P;
        for (let j = 0; j < P; j++) gradSums[base + j] += g * phi[j];
      }
      if (xBar === null) continue;
      // ∂L/∂t_i = Σ_j w_j ∂φ_j/∂t_i with w_j = Σ_o ȳ_o c[o, j]; then x̄_i = (dt_i/dx_i)·t̄_i.
      weights.fill(0);
      for (let o = 0; o < out; o++) {
        const g = yBar[s * out + o];
        if (g === 0) continue;
        const c0 = thetaOffset + o * P;
        for (let j = 0; j < P; j++) weights[j] += g * theta[c0 + j];
      }
      this.inputCotangent(cache);
      for (let i = 0; i < d; i++) xBar[s * d + i] = slopes[s * d + i] * tBar[i];
    }
    for (let q = 0; q < this.paramCount; q++) grad[gradOffset + q] += gradSums[q];
  }

  /**
   * The basis values φ_j(x) of `rows` samples (row-major `rows × inputSize` in `xs`) as a
   * row-major `rows × basisSize` design matrix, for least squares. Not a hot path: it allocates.
   */
  designMatrix(xs: ArrayLike<number>, rows: number): Float64Array {
    const d = this.inputSize;
    const P = this.basisSize;
    const cache = this.createCache('float64', 1);
    const x = new Float64Array(d);
    const a = new Float64Array(rows * P);
    for (let s = 0; s < rows; s++) {
      for (let i = 0; i < d; i++) x[i] = xs[s * d + i];
      try {
        this.seedSample(x, 0, cache);
      } catch (e) {
        if (e instanceof ScichainError)
          throw new ScichainError(e.code, `sample ${s}: ${e.message}`);
        throw e;
      }
      this.tableOf(cache, 0, false);
      this.basisProducts(cache.values, cache.phi);
      a.set(cache.phi, s * P);
    }
    return a;
  }

  /** Maps sample s's inputs to their seeds and slopes in the cache. */
  private seedSample(x: FloatArray, s: number, cache: ProductBasisCache): void {
    const d = this.inputSize;
    const bases = this.bases;
    const at = s * this.seedOffset[d];
    for (let i = 0; i < d; i++) {
      cache.slopes[s * d + i] = bases[i].seed(x[s * d + i], cache.seeds, at + this.seedOffset[i]);
    }
  }

  /** Rebuilds sample s's ψ table (and dψ/dt table when asked) from its cached seeds. */
  private tableOf(cache: ProductBasisCache, s: number, withDerivatives: boolean): void {
    const d = this.inputSize;
    const bases = this.bases;
    const at = s * this.seedOffset[d];
    const { seeds, values, derivatives } = cache;
    for (let i = 0; i < d; i++) {
      const seedAt = at + this.seedOffset[i];
      const tableAt = this.tableOffset[i];
      bases[i].values(seeds, seedAt, values, tableAt);
      if (withDerivatives)
        bases[i].derivatives(seeds, seedAt, values, tableAt, derivatives, tableAt);
    }
  }

  /** φ_j = product of its non-constant factors from the table. */
  private basisProducts(values: Float64Array, phi: Float64Array): void {
    const { runStart, runTable } = this;
    for (let j = 0; j < this.basisSize; j++) {
      let p = 1;
      for (let r = runStart[j]; r < runStart[j + 1]; r++) p *= values[runTable[r]];
      phi[j] = p;
    }
  }

  /**
   * t̄_i = Σ_j w_j ∂φ_j/∂t_i. For a run of factors f₁ … f_r the derivative along factor q is
   * f′_q · Π_{p<q} f_p · Π_{p>q} f_p; the two products come from a running prefix and a suffix
   * table, so no division (factors can be 0).
   */
  private inputCotangent(cache: ProductBasisCache): void {
    const { runStart, runInput, runTable } = this;
    const { values, derivatives, weights, suffix, tBar } = cache;
    tBar.fill(0);
    for (let j = 0; j < this.basisSize; j++) {
      const w = weights[j];
      if (w === 0) continue;
      const r0 = runStart[j];
      const len = runStart[j + 1] - r0;
      suffix[len] = 1;
      for (let q = len - 1; q >= 0; q--) suffix[q] = suffix[q + 1] * values[runTable[r0 + q]];
      let prefix = w;
      for (let q = 0; q < len; q++) {
        const r = r0 + q;
        tBar[runInput[r]] += prefix * derivatives[runTable[r]] * suffix[q + 1];
        prefix *= values[runTable[r]];
      }
    }
  }
}
