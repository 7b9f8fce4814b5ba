/**
 * The layer/term protocol shared by dense layers, activations, dropout, chains — and later
 * Fourier and Chebyshev surrogates and model terms. It follows DESIGN.md:
 *
 * - sizes are fixed at construction (`inputSize`, `outputSize`, `paramCount`);
 * - a layer holds no parameters (as in Lux.jl): parameters are passed in as a slice of θ;
 * - `forward` writes the output and records in a cache what its pullback needs;
 * - `vjp` runs after `forward`, *accumulates* the parameter gradient into its slice and
 *   *writes* the input cotangent (skipped when `xBar` is null).
 *
 * Slices of θ and of the gradient are passed as (array, offset) pairs rather than `subarray`
 * views: a view is an object, and creating one per call would allocate on the hot path.
 * Batched calls take `n` samples, each sample's features contiguous (`x[s·inputSize + i]`).
 */
import type { Allocator } from '../core/allocator.ts';
import type { ParameterComponent } from '../core/parameter-component.ts';
import type { DType, FloatArray } from '../core/dtype.ts';
import type { FusedChain, FusedStage } from './kernels/fused-chain.ts';
import type { KernelChoice } from './kernels/kernel-choice.ts';

/** Per-layer scratch and forward record; sized once for a batch capacity and a dtype. */
export interface LayerCache {
  readonly dtype: DType;
  /** Largest `n` this cache can hold. */
  readonly capacity: number;
  /** Training mode (dropout active). */
  training: boolean;
  /** Restarts the cache's random stream (dropout), e.g. per epoch so training can resume exactly. */
  reseed?(seed: number): void;
}

/** Options for creating caches/workspaces. */
export interface CacheOptions {
  /** Allocator for every buffer (default: the JavaScript heap). */
  allocator?: Allocator;
  /** Seed for layers that draw random numbers (dropout); default 0. */
  seed?: number;
  /**
   * Kernels for batched products: `'auto'` (default; WebAssembly SIMD where measured to win),
   * `'wasm'` or `'typescript'` to force a path. WebAssembly kernels keep their buffers in an
   * arena: the allocator when it is an `Arena`, else one the workspace creates.
   */
  kernels?: KernelChoice;
}

/** The layer protocol. */
export interface Layer<C extends LayerCache = LayerCache> extends ParameterComponent {
  /** Short description, e.g. `dense(4 → 32, tanh)`. */
  readonly description: string;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Allocates the cache for up to `capacity` samples. */
  createCache(dtype: DType, capacity: number, options?: CacheOptions): C;
  /**
   * y[0 … n·outputSize) = layer(x) for n samples. `x` and `y` must stay unchanged until the
   * matching `vjp` (the cache refers to them rather than copying them).
   */
  forward(
    theta: FloatArray,
    thetaOffset: number,
    x: FloatArray,
    y: FloatArray,
    cache: C,
    n: number,
  ): void;
  /**
   * Pullback of the last `forward`: accumulates ȳᵀ∂y/∂θ into `grad[gradOffset …]` and writes
   * x̄ = ȳᵀ∂y/∂x into `xBar` unless it is null.
   */
  vjp(
    theta: FloatArray,
    thetaOffset: number,
    cache: C,
    yBar: FloatArray,
    xBar: FloatArray | null,
    grad: FloatArray,
    gradOffset: number,
    n: number,
  ): void;
  /**
   * The layer as stages of a fused single-sample kernel (affine maps and activations), offsets
   * relative to its first parameter; absent or null when it cannot be fused (dropout,
   * surrogates).
   *
   * @internal
   */
  fusedStages?(): readonly FusedStage[] | null;
  /**
   * Unchecked single-sample float64 entry points with their own scratch, for generated code that
   * calls the layer inside an ODE right-hand side; null when the layer has no such path (then
   * callers use `forward`/`vjp` with a cache).
   */
  singleSample?(): FusedChain | null;
  /**
   * A plain-data description from which a worker thread rebuilds the same computation (worker
   * threads cannot receive objects with methods); absent when the layer cannot be rebuilt that
   * way, which keeps it on one thread.
   */
  plan?(): LayerPlan | undefined;
}

/**
 * Plain data describing a layer's computation (sizes, activation, options that change
 * forward/pullback) — not its initialiser, which only matters where θ is created.
 */
export type LayerPlan =
  | {
      kind: 'dense';
      inputSize: number;
      outputSize: number;
      activation: string;
      bias: boolean;
    }
  | { kind: 'activation'; size: number; activation: string }
  | { kind: 'dropout'; size: number; rate: number }
  | { kind: 'chain'; inputSize: number; layers: LayerPlan[] };

/** A layer whose input size is not known until it is placed in a chain. */
export interface LayerSpec {
  /** Builds the layer for a given input size. */
  build(inputSize: number): Layer;
}
