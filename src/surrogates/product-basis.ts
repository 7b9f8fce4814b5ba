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
 * Hot path: the kernels are generated per layer shape and element type
 * (`product-basis-kernels.ts`) from the bases' own source descriptions — recurrences inline,
 * rows grouped by the inputs they involve, one-input and additive layers in a single loop per
 * input. The forward pass caches a few numbers per input and sample (the recurrences' seeds and
 * dt/dx) for the pullback, which rebuilds the basis from them, so the cache does not grow with
 * capacity × basis size and the input `x` may change after `forward`. All scratch is float64 and
 * sized in `createCache`; nothing is allocated per call, for float64 and float32 data alike.
 * {@link ProductBasisLayer.singleSample} gives the unchecked float64 single-sample entry points
 * that expression models call inside ODE right-hand sides.
 */
import { ScichainError } from '../core/errors.ts';
import { heapAllocator } from '../core/allocator.ts';
import type { DType, FloatArray } from '../core/dtype.ts';
import { checkBatch } from '../nn/dense.ts';
import type { FusedChain } from '../nn/kernels/fused-chain.ts';
import type { ParameterGroup } from '../core/parameter-component.ts';
import type { CacheOptions, Layer, LayerCache } from '../nn/layer.ts';
import type { Rng } from '../core/rng.ts';
import type { MultiIndexSet } from './multi-index.ts';
import {
  compileProductBasis,
  kernelScratchSizes,
  type KernelFactory,
  type KernelScratch,
  type KernelShape,
  type ProductBasisKernels,
  type UnivariateBasis,
} from './product-basis-kernels.ts';

export type { UnivariateBasis } from './product-basis-kernels.ts';

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

/** Cache of a product-basis layer: per-sample seeds and slopes, scratch, the bound kernels. */
export interface ProductBasisCache extends LayerCache, KernelScratch {
  /** @internal The layer's generated kernels for the cache's dtype, over this cache's scratch. */
  readonly kernels: ProductBasisKernels;
  /** Coefficient gradient of a float32 batch summed in float64, added to `grad` once. */
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
  /** What the kernels are generated for. */
  private readonly shape: KernelShape;
  /** Compiled kernels per element type, made on first use. */
  private readonly factories = new Map<DType, KernelFactory>();

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
    this.shape = { bases, outputs: spec.outputs, multiIndex: set.indices, basisSize: set.count };

    const idx = set.indices;
    this.initSd = new Float64Array(set.count);
    for (let j = 0; j < set.count; j++) {
      let order = 0;
      for (let i = 0; i < d; i++) {
        const k = idx[j * d + i];
        if (k < 0 || k >= bases[i].size) {
          throw new ScichainError(
            'InvalidArgument',
            `multi-index row ${j} asks for function ${k} of input ${i + 1}, which has ${bases[i].size}`,
          );
        }
        if (k !== 0) order += bases[i].order(k);
      }
      // Smooth functions have coefficients decaying with order; start the same way.
      this.initSd[j] = INIT_SCALE / (1 + order) ** 2;
    }
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
    const sizes = kernelScratchSizes(this.shape, capacity);
    const scratch: KernelScratch = {
      seeds: f64(sizes.seeds),
      slopes: f64(sizes.slopes),
      values: f64(sizes.values),
      derivatives: f64(sizes.derivatives),
      accumulators: f64(sizes.accumulators),
      tBar: f64(sizes.tBar),
    };
    return {
      dtype,
      capacity,
      training: false,
      ...scratch,
      kernels: this.factory(dtype)(scratch),
      // Only float32 batches sum the gradient apart (see `vjp`).
      gradSums: f64(dtype === 'float32' && capacity > 1 ? this.paramCount : 0),
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
    cache.kernels.forward(theta, thetaOffset, x, y, n);
  }

  /**
   * The pullback. A float64 gradient (or one sample) is accumulated in place; a float32
   * gradient of a batch is summed in float64 first and added once, so that its rounding does
   * not grow with the batch.
   */
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
    const { kernels, gradSums } = cache;
    const direct = n === 1 || gradSums.length === 0 || grad instanceof Float64Array;
    const g = direct ? grad : gradSums;
    const go = direct ? gradOffset : 0;
    if (!direct) gradSums.fill(0);
    if (xBar === null) kernels.vjpNoInput(theta, thetaOffset, yBar, null, g, go, n);
    else kernels.vjpInput(theta, thetaOffset, yBar, xBar, g, go, n);
    if (!direct) for (let q = 0; q < this.paramCount; q++) grad[gradOffset + q] += gradSums[q];
  }

  /**
   * Unchecked single-sample float64 entry points with their own scratch (a new instance per
   * call), for expression models that call the layer inside an ODE right-hand side.
   */
  singleSample(): FusedChain {
    const sizes = kernelScratchSizes(this.shape, 1);
    const k = this.factory('float64')({
      seeds: new Float64Array(sizes.seeds),
      slopes: new Float64Array(sizes.slopes),
      values: new Float64Array(sizes.values),
      derivatives: new Float64Array(sizes.derivatives),
      accumulators: new Float64Array(sizes.accumulators),
      tBar: new Float64Array(sizes.tBar),
    });
    return {
      forward(theta, offset, x, y) {
        k.forward(theta, offset, x, y, 1);
      },
      vjp(theta, offset, yBar, xBar, grad, gradOffset) {
        if (xBar === null) k.vjpNoInput(theta, offset, yBar, null, grad, gradOffset, 1);
        else k.vjpInput(theta, offset, yBar, xBar, grad, gradOffset, 1);
      },
    };
  }

  /**
   * The basis values φ_j(x) of `rows` samples (row-major `rows × inputSize` in `xs`) as a
   * row-major `rows × basisSize` design matrix, for least squares: per sample, the coefficient
   * gradient of output 0 under ȳ = (1, 0, …), which is φ. Not a hot path: it allocates.
   */
  designMatrix(xs: ArrayLike<number>, rows: number): Float64Array {
    const d = this.inputSize;
    const P = this.basisSize;
    const cache = this.createCache('float64', 1);
    const theta = new Float64Array(this.paramCount);
    const grad = new Float64Array(this.paramCount);
    const x = new Float64Array(d);
    const y = new Float64Array(this.outputSize);
    const yBar = new Float64Array(this.outputSize);
    yBar[0] = 1;
    const a = new Float64Array(rows * P);
    for (let s = 0; s < rows; s++) {
      for (let i = 0; i < d; i++) x[i] = xs[s * d + i];
      try {
        this.forward(theta, 0, x, y, cache, 1);
      } catch (e) {
        if (e instanceof ScichainError)
          throw new ScichainError(e.code, `sample ${s}: ${e.message}`);
        throw e;
      }
      grad.fill(0, 0, P);
      this.vjp(theta, 0, cache, yBar, null, grad, 0, 1);
      a.set(grad.subarray(0, P), s * P);
    }
    return a;
  }

  /** The compiled kernels for a dtype. */
  private factory(dtype: DType): KernelFactory {
    let f = this.factories.get(dtype);
    if (f === undefined) {
      const name = this.description.split('(')[0].replace(/\W/g, '_') || 'productBasis';
      f = compileProductBasis(this.shape, dtype, name);
      this.factories.set(dtype, f);
    }
    return f;
  }
}
