/**
 * Dense (fully connected) layer y = f(W·x + b) with the activation fused in.
 *
 * Parameter order (DESIGN.md): the weight matrix `outputSize × inputSize` row-major, then the
 * bias — the flattening of PyTorch's `nn.Linear` (`weight`, then `bias`).
 *
 * On a batch, the three products (forward, weight gradient, input cotangent) come from GEMM
 * kernels generated for this layer's widths (`kernels/dense-batch.ts`); only the batch size is a
 * run-time value. A single sample (the ODE right-hand-side case) takes dedicated kernels
 * (`kernels/dense-single.ts`) that fuse bias, activation and the whole pullback into one sweep
 * over W each.
 */
import { ScichainError, requireInteger } from '../core/errors.ts';
import { heapAllocator } from '../core/allocator.ts';
import type { DType, FloatArray } from '../core/dtype.ts';
import type { Rng } from '../core/rng.ts';
import { activationKernels, activationSpec, type ActivationKernels } from './activations.ts';
import { singleSampleKernels, type SingleSampleKernels } from './kernels/dense-single.ts';
import { denseBatchProducts, type DenseBatchProducts } from './kernels/dense-batch.ts';
import { DenseWasm } from './kernels/dense-wasm.ts';
import { callUsesWasm, usesWasm, type KernelChoice } from './kernels/kernel-choice.ts';
import { Arena, isArena } from '../wasm/arena.ts';
import { initWeights, type WeightInit } from './init.ts';
import { fusedChain, type FusedChain, type FusedStage } from './kernels/fused-chain.ts';
import type { CacheOptions, Layer, LayerCache, LayerPlan, LayerSpec } from './layer.ts';
import type { ParameterGroup } from '../core/parameter-component.ts';

/** Options of {@link dense}. */
export interface DenseOptions {
  /** Add a bias vector (default true). */
  bias?: boolean;
  /**
   * Weight initialiser (default `glorotUniform`); biases start at zero, except with
   * `pytorchLinear`, which reproduces PyTorch's nn.Linear default for weights and bias.
   */
  init?: WeightInit;
}

/** Cache of a dense layer: references to its input/output and scratch for z and z̄. */
export interface DenseCache extends LayerCache {
  x: FloatArray;
  y: FloatArray;
  /** Pre-activation, kept only when the activation's derivative needs it. */
  readonly z: FloatArray | null;
  /** z̄ = ȳ ⊙ f′; absent for the identity activation (then z̄ is ȳ itself). */
  readonly zBar: FloatArray | null;
  /** @internal The activation's kernels for the cache's dtype. */
  readonly activation: ActivationKernels;
  /** @internal The batched matrix products for the layer's shape and dtype. */
  readonly batch: DenseBatchProducts;
  /** @internal The fused single-sample kernels (the n = 1 path). */
  readonly single: SingleSampleKernels;
  /** float64 scratch for the bias gradient's column sums (outputSize entries). */
  readonly biasSums: Float64Array;
  /** @internal WebAssembly kernels bound to the cache's arena, or null (TypeScript only). */
  readonly wasm: DenseWasm | null;
  /** The WebAssembly memory of the kernels' buffers, or null. */
  readonly arena: Arena | null;
  readonly kernels: KernelChoice;
}

const EMPTY = new Float64Array(0);

/** A dense layer with known sizes (see {@link dense} for the chain-building form). */
export class Dense implements Layer<DenseCache> {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly paramCount: number;
  readonly description: string;
  readonly activationName: string;
  readonly hasBias: boolean;
  private readonly weightInit: WeightInit;
  private readonly keepZ: boolean;
  private readonly isIdentity: boolean;

  constructor(
    inputSize: number,
    outputSize: number,
    activation = 'identity',
    options: DenseOptions = {},
  ) {
    requireInteger(inputSize, 'dense layer input size', 1);
    requireInteger(outputSize, 'dense layer output size', 1);
    const spec = activationSpec(activation);
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.activationName = spec.name;
    this.hasBias = options.bias ?? true;
    this.weightInit = options.init ?? 'glorotUniform';
    this.keepZ = spec.needsZ;
    this.isIdentity = spec.name === 'identity';
    this.paramCount = outputSize * inputSize + (this.hasBias ? outputSize : 0);
    this.description = `dense(${inputSize} → ${outputSize}, ${spec.name}${this.hasBias ? '' : ', no bias'})`;
  }

  plan(): LayerPlan {
    const { inputSize, outputSize, activationName, hasBias } = this;
    return { kind: 'dense', inputSize, outputSize, activation: activationName, bias: hasBias };
  }

  init(theta: FloatArray, offset: number, rng: Rng): void {
    const nw = this.outputSize * this.inputSize;
    initWeights(this.weightInit, theta, offset, nw, this.inputSize, this.outputSize, rng);
    if (!this.hasBias) return;
    if (this.weightInit === 'pytorchLinear') {
      // nn.Linear's bias default: U(−1/√fanIn, 1/√fanIn), like its weights.
      initWeights(
        'pytorchLinear',
        theta,
        offset + nw,
        this.outputSize,
        this.inputSize,
        this.outputSize,
        rng,
      );
    } else {
      theta.fill(0, offset + nw, offset + nw + this.outputSize);
    }
  }

  parameterGroups(): ParameterGroup[] {
    const nw = this.outputSize * this.inputSize;
    const groups: ParameterGroup[] = [
      {
        name: 'weight',
        offset: 0,
        size: nw,
        shape: [this.outputSize, this.inputSize],
        role: 'weight',
      },
    ];
    if (this.hasBias) {
      groups.push({
        name: 'bias',
        offset: nw,
        size: this.outputSize,
        shape: [this.outputSize],
        role: 'bias',
      });
    }
    return groups;
  }

  /** @internal The layer as stages of a fused single-sample kernel: affine map, activation. */
  fusedStages(): FusedStage[] {
    const affine: FusedStage = {
      kind: 'affine',
      inputSize: this.inputSize,
      outputSize: this.outputSize,
      bias: this.hasBias,
      offset: 0,
    };
    return this.isIdentity ? [affine] : [affine, { kind: 'activation', name: this.activationName }];
  }

  /** Unchecked single-sample float64 entry points with their own scratch (generated code). */
  singleSample(): FusedChain | null {
    return fusedChain(this.inputSize, this.fusedStages());
  }

  createCache(dtype: DType, capacity: number, options: CacheOptions = {}): DenseCache {
    requireInteger(capacity, 'batch capacity', 1);
    const inp = this.inputSize;
    const out = this.outputSize;
    const kernels = options.kernels ?? 'auto';
    let alloc = options.allocator ?? heapAllocator;
    let wasm: DenseWasm | null = null;
    if (usesWasm(kernels, capacity, inp * out)) {
      // The kernels address their operands in one WebAssembly memory.
      const arena = isArena(alloc)
        ? alloc
        : new Arena({ initialBytes: denseArenaBytes(this, dtype, capacity) });
      alloc = arena;
      wasm = new DenseWasm(
        {
          inputSize: inp,
          outputSize: out,
          bias: this.hasBias,
          activation: this.activationName,
          dtype,
        },
        arena,
        capacity,
      );
    }
    return {
      wasm,
      arena: wasm === null ? null : wasm.arena,
      kernels,
      dtype,
      capacity,
      training: false,
      x: EMPTY,
      y: EMPTY,
      z: this.keepZ ? alloc.floats(dtype, capacity * out) : null,
      zBar: this.isIdentity ? null : alloc.floats(dtype, capacity * out),
      activation: activationKernels(this.activationName, dtype),
      batch: denseBatchProducts(inp, out, this.hasBias, dtype, alloc),
      biasSums: alloc.floats('float64', out) as Float64Array,
      single: singleSampleKernels(inp, out, this.activationName, this.hasBias, dtype),
    };
  }

  forward(
    theta: FloatArray,
    thetaOffset: number,
    x: FloatArray,
    y: FloatArray,
    cache: DenseCache,
    n: number,
  ): void {
    const out = this.outputSize;
    cache.x = x;
    cache.y = y;
    if (cache.wasm !== null && callUsesWasm(cache.kernels, n, this.inputSize * this.outputSize)) {
      cache.wasm.forward(theta, thetaOffset, x, cache.z, y, n);
      return;
    }
    const z = cache.z ?? y;
    if (n === 1) {
      cache.single.forward(theta, thetaOffset, x, z, y);
      return;
    }
    cache.batch.forward(theta, thetaOffset, x, z, n);
    if (!this.isIdentity) cache.activation.forward(z, y, n * out);
  }

  vjp(
    theta: FloatArray,
    thetaOffset: number,
    cache: DenseCache,
    yBar: FloatArray,
    xBar: FloatArray | null,
    grad: FloatArray,
    gradOffset: number,
    n: number,
  ): void {
    const inp = this.inputSize;
    const out = this.outputSize;
    if (cache.wasm !== null && callUsesWasm(cache.kernels, n, inp * out)) {
      cache.wasm.vjp(
        theta,
        thetaOffset,
        cache.x,
        cache.z,
        cache.y,
        yBar,
        cache.zBar,
        xBar,
        grad,
        gradOffset,
        n,
        cache.biasSums,
      );
      return;
    }
    if (n === 1) {
      const pullback = xBar === null ? cache.single.vjpWithoutInput : cache.single.vjp;
      pullback(
        theta,
        thetaOffset,
        cache.x,
        cache.z ?? cache.y,
        cache.y,
        yBar,
        grad,
        gradOffset,
        xBar,
      );
      return;
    }
    const biasGrad = gradOffset + out * inp;
    let zBar = yBar;
    if (cache.zBar !== null) {
      // z̄ = ȳ ⊙ f′, with the bias gradient Σ_s z̄ summed in the same pass.
      const z = cache.z ?? cache.y;
      if (this.hasBias) {
        cache.activation.backwardWithBias(
          z,
          cache.y,
          yBar,
          cache.zBar,
          n,
          out,
          grad,
          biasGrad,
          cache.biasSums,
        );
      } else {
        cache.activation.backward(z, cache.y, yBar, cache.zBar, n * out);
      }
      zBar = cache.zBar;
    } else if (this.hasBias) {
      const sums = cache.biasSums;
      sums.fill(0);
      for (let s = 0, p = 0; s < n; s++) for (let o = 0; o < out; o++, p++) sums[o] += yBar[p];
      for (let o = 0; o < out; o++) grad[biasGrad + o] += sums[o];
    }
    cache.batch.weightGrad(zBar, cache.x, grad, gradOffset, n);
    if (xBar !== null) cache.batch.inputGrad(theta, thetaOffset, zBar, xBar, n);
  }
}

/**
 * A dense layer for {@link chain}: `dense(32, 'tanh')` maps the previous width to 32 outputs
 * through tanh. Activation names: identity (default), tanh, sigmoid, relu, softplus,
 * silu/swish, gelu (tanh form), rbf (exp(−z²)).
 */
export function dense(
  outputSize: number,
  activation = 'identity',
  options: DenseOptions = {},
): LayerSpec {
  requireInteger(outputSize, 'dense layer output size', 1);
  activationSpec(activation); // fail here, where the user wrote the name
  return {
    build: (inputSize: number) => new Dense(inputSize, outputSize, activation, options),
  };
}

/**
 * Upper bound of the arena bytes one dense layer's cache and kernels take for a batch capacity
 * (activations, cotangents, pre-activations, staging, θ and gradient slices), so a non-shared
 * arena can be reserved up front.
 */
export function denseArenaBytes(layer: Layer, dtype: DType, capacity: number): number {
  const es = dtype === 'float32' ? 4 : 8;
  const perSample = layer.outputSize * 6 + layer.inputSize * 2;
  return es * (capacity * perSample + layer.paramCount * 3) + 64 * 16 + 8 * layer.outputSize;
}

/** Asserts that a number is a usable batch size for a cache. */
export function checkBatch(n: number, capacity: number): void {
  if (!Number.isInteger(n) || n < 1 || n > capacity) {
    throw new ScichainError(
      'ShapeMismatch',
      `batch size n = ${n} must be an integer in 1…${capacity} (the workspace capacity)`,
    );
  }
}
