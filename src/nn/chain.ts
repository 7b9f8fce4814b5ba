/**
 * A chain of layers, itself a layer: forward runs the layers in order through buffers of a
 * workspace allocated once; the pullback runs them in reverse, passing cotangents through
 * buffers of the same workspace. Nothing is allocated per call.
 */
import { ScichainError, requireInteger } from '../core/errors.ts';
import { heapAllocator } from '../core/allocator.ts';
import { dtypeOf, type DType, type FloatArray } from '../core/dtype.ts';
import type { Rng } from '../core/rng.ts';
import { Arena, isArena } from '../wasm/arena.ts';
import { checkBatch, denseArenaBytes } from './dense.ts';
import { usesWasm, type KernelChoice } from './kernels/kernel-choice.ts';
import { wasmFusedChain, type WasmFusedChain } from './kernels/fused-chain-wasm.ts';
import {
  fitsFusedChain,
  fusedChain,
  type FusedChain,
  type FusedStage,
} from './kernels/fused-chain.ts';

import type { CacheOptions, Layer, LayerCache, LayerPlan, LayerSpec } from './layer.ts';
import type { ParameterGroup, ParameterRole } from '../core/parameter-component.ts';

/** Options of {@link Chain.workspace}. */
export interface WorkspaceOptions extends CacheOptions {
  /** Largest batch the workspace will see (default 1: the unbatched ODE case). */
  batch?: number;
  /** Element type (default float64). θ, inputs and gradients must match it. */
  dtype?: DType;
}

/** Buffers and layer caches of one chain for one dtype and batch capacity. */
export class ChainWorkspace implements LayerCache {
  readonly dtype: DType;
  readonly capacity: number;
  /** Output buffer of every layer; the last one is the chain's output. */
  readonly outputs: readonly FloatArray[];
  /** Cotangent buffers between layers (`cotangents[l]` is the cotangent of `outputs[l]`). */
  readonly cotangents: readonly FloatArray[];
  readonly layerCaches: readonly LayerCache[];
  /** The WebAssembly memory holding the buffers when the kernels are WebAssembly, else null. */
  readonly arena: Arena | null;
  /**
   * WebAssembly single-sample kernels for a one-sample float64 workspace whose chain is too large
   * for the unrolled TypeScript kernel (null otherwise): then `forward`/`vjp` with n = 1 run the whole
   * chain in one call each, and only the last layer's output buffer is filled. θ and gradients
   * allocated from `single.arena` (the workspace's allocator when that is an `Arena`) are used in
   * place; others are copied in and out.
   *
   * @internal
   */
  readonly single: WasmFusedChain | null;
  private isTraining = false;

  constructor(chain: Chain, dtype: DType, capacity: number, options: CacheOptions) {
    requireInteger(capacity, 'workspace batch capacity', 1);
    let alloc = options.allocator ?? heapAllocator;
    const largest = Math.max(...chain.layers.map((l) => l.inputSize * l.outputSize));
    if (!isArena(alloc) && usesWasm(options.kernels, capacity, largest)) {
      // One arena for every layer, reserved for all of them up front.
      const bytes = chain.layers.reduce((t, l) => t + denseArenaBytes(l, dtype, capacity), 0);
      alloc = new Arena({ initialBytes: bytes });
    }
    this.arena = isArena(alloc) ? alloc : null;
    this.dtype = dtype;
    this.capacity = capacity;
    const layers = chain.layers;
    this.outputs = layers.map((l) => alloc.floats(dtype, capacity * l.outputSize));
    this.cotangents = layers.slice(0, -1).map((l) => alloc.floats(dtype, capacity * l.outputSize));
    this.layerCaches = layers.map((l, i) =>
      l.createCache(dtype, capacity, {
        ...options,
        allocator: alloc,
        seed: (options.seed ?? 0) * 1000 + i,
      }),
    );
    // One-sample workspaces only (the ODE case); batched workspaces keep their per-layer path.
    const stages = dtype === 'float64' && capacity === 1 ? chain.fusedStages() : null;
    this.single =
      stages !== null && options.kernels !== 'typescript' && !fitsFusedChain(stages)
        ? wasmFusedChain(chain.inputSize, stages, isArena(alloc) ? alloc : undefined)
        : null;
  }

  /** Training mode switches dropout on; it is passed down to every layer cache. */
  get training(): boolean {
    return this.isTraining;
  }
  set training(value: boolean) {
    this.isTraining = value;
    for (const c of this.layerCaches) c.training = value;
  }

  /** Restarts the random streams of every layer (dropout) from one seed. */
  reseed(seed: number): void {
    const caches = this.layerCaches;
    for (let i = 0; i < caches.length; i++) caches[i].reseed?.(seed * 1000 + i);
  }

  /**
   * Where the last forward pass wrote the chain's output (n·outputSize entries are valid): the
   * caller's `y` when one was given, else the workspace's last output buffer.
   */
  get output(): FloatArray {
    return this.lastOutput ?? this.outputs[this.outputs.length - 1];
  }

  /** The caller's output buffer of the last forward, or null (set by the chain; see {@link output}). */
  lastOutput: FloatArray | null = null;
}

/** A sequence of layers with known sizes; see {@link chain}. */
export class Chain implements Layer<ChainWorkspace> {
  readonly layers: readonly Layer[];
  readonly inputSize: number;
  readonly outputSize: number;
  readonly paramCount: number;
  /** Offset of each layer's parameters inside the chain's slice of θ. */
  readonly offsets: readonly number[];
  readonly description: string;

  constructor(inputSize: number, layers: readonly Layer[]) {
    if (layers.length === 0)
      throw new ScichainError('InvalidArgument', 'a chain needs at least one layer');
    this.layers = layers;
    this.inputSize = inputSize;
    this.outputSize = layers[layers.length - 1].outputSize;
    const offsets: number[] = [];
    let total = 0;
    for (const l of layers) {
      offsets.push(total);
      total += l.paramCount;
    }
    this.offsets = offsets;
    this.paramCount = total;
    this.description = `chain(${inputSize}: ${layers.map((l) => l.description).join(', ')})`;
  }

  init(theta: FloatArray, offset: number, rng: Rng): void {
    // Each layer draws from its own stream, so changing one layer leaves the others' values.
    this.layers.forEach((l, i) =>
      l.init(theta, offset + this.offsets[i], rng.fork(`layer${i + 1}`)),
    );
  }

  /** The chain's plan, or undefined when some layer has none. */
  plan(): LayerPlan | undefined {
    const layers: LayerPlan[] = [];
    for (const l of this.layers) {
      const p = l.plan?.();
      if (p === undefined) return undefined;
      layers.push(p);
    }
    return { kind: 'chain', inputSize: this.inputSize, layers };
  }

  parameterGroups(): ParameterGroup[] {
    return this.layers.flatMap((l, i) =>
      (l.parameterGroups?.() ?? []).map((g) => ({
        ...g,
        name: `layer${i + 1}.${g.name}`,
        offset: this.offsets[i] + g.offset,
      })),
    );
  }

  /** 1 where a parameter has the given role (e.g. `'weight'` to exclude biases from a penalty). */
  roleMask(role: ParameterRole): Uint8Array {
    const mask = new Uint8Array(this.paramCount);
    for (const g of this.parameterGroups())
      if (g.role === role) mask.fill(1, g.offset, g.offset + g.size);
    return mask;
  }

  /** @internal The layers' stages in sequence, or null when some layer cannot be fused. */
  fusedStages(): FusedStage[] | null {
    const stages: FusedStage[] = [];
    for (let l = 0; l < this.layers.length; l++) {
      const own = this.layers[l].fusedStages?.() ?? null;
      if (own === null) return null;
      for (const s of own)
        stages.push(s.kind === 'affine' ? { ...s, offset: s.offset + this.offsets[l] } : s);
    }
    return stages;
  }

  /**
   * Single-sample float64 kernels for the whole chain: one generated TypeScript function up to
   * `FUSED_CHAIN_MAX_WEIGHTS` weights (`kernels/fused-chain.ts`), WebAssembly SIMD beyond
   * (`kernels/fused-chain-wasm.ts`) unless `kernels` is `'typescript'`; null for chains with
   * unfusable layers, or too many weights for TypeScript alone.
   */
  singleSample(kernels: KernelChoice = 'auto'): FusedChain | null {
    const stages = this.fusedStages();
    if (stages === null) return null;
    const typescript = kernels === 'wasm' ? null : fusedChain(this.inputSize, stages);
    if (typescript !== null || kernels === 'typescript') return typescript;
    return wasmFusedChain(this.inputSize, stages);
  }

  createCache(dtype: DType, capacity: number, options: CacheOptions = {}): ChainWorkspace {
    return new ChainWorkspace(this, dtype, capacity, options);
  }

  /** A workspace for up to `batch` samples (default 1) of the given dtype (default float64). */
  workspace(options: WorkspaceOptions = {}): ChainWorkspace {
    return new ChainWorkspace(this, options.dtype ?? 'float64', options.batch ?? 1, options);
  }

  /**
   * Runs the chain on `n` samples (default: the workspace capacity). The result is written to
   * `y` when given and is also returned as the workspace's output buffer.
   */
  forward(
    theta: FloatArray,
    thetaOffset: number,
    x: FloatArray,
    y: FloatArray | null,
    ws: ChainWorkspace,
    n: number = ws.capacity,
  ): FloatArray {
    this.check(theta, thetaOffset, ws, n, 'θ');
    if (x.length < n * this.inputSize) {
      throw new ScichainError(
        'ShapeMismatch',
        `input x has length ${x.length} but ${n} samples × ${this.inputSize} inputs = ${n * this.inputSize} are needed`,
      );
    }
    if (dtypeOf(x) !== ws.dtype) {
      throw new ScichainError(
        'ShapeMismatch',
        `input x is ${dtypeOf(x)} but the workspace is ${ws.dtype}`,
      );
    }
    const layers = this.layers;
    if (n === 1 && ws.single !== null) {
      const out = ws.outputs[layers.length - 1];
      ws.single.forward(theta as Float64Array, thetaOffset, x as Float64Array, out as Float64Array);
      if (y !== null && y !== out) for (let i = 0; i < this.outputSize; i++) y[i] = out[i];
      ws.lastOutput = null;
      return out;
    }
    const len = n * this.outputSize;
    if (y !== null && y.length < len) {
      throw new ScichainError(
        'ShapeMismatch',
        `output y has length ${y.length} but ${n} samples × ${this.outputSize} outputs = ${len} are needed`,
      );
    }
    // The last layer writes straight into a y of the workspace's dtype (no copy of n·outputSize
    // values, 20–50 µs per training step of the matrix-exponential problem); its cache then
    // refers to y, which is why y, like x, must stay unchanged until the pullback. A y of another
    // dtype receives a converted copy.
    const direct = y !== null && dtypeOf(y) === ws.dtype ? y : null;
    const last = layers.length - 1;
    let input = x;
    for (let l = 0; l <= last; l++) {
      const out = l === last && direct !== null ? direct : ws.outputs[l];
      layers[l].forward(theta, thetaOffset + this.offsets[l], input, out, ws.layerCaches[l], n);
      input = out;
    }
    ws.lastOutput = direct;
    if (y !== null && direct === null) for (let i = 0; i < len; i++) y[i] = input[i];
    return input;
  }

  /**
   * Pullback of the last forward pass: accumulates ȳᵀ∂y/∂θ into `grad` (starting at
   * `gradOffset`) and writes x̄ into `xBar` unless it is null.
   */
  vjp(
    theta: FloatArray,
    thetaOffset: number,
    ws: ChainWorkspace,
    yBar: FloatArray,
    xBar: FloatArray | null,
    grad: FloatArray,
    gradOffset: number,
    n: number = ws.capacity,
  ): void {
    this.check(theta, thetaOffset, ws, n, 'θ');
    this.check(grad, gradOffset, ws, n, 'gradient');
    if (yBar.length < n * this.outputSize) {
      throw new ScichainError(
        'ShapeMismatch',
        `output cotangent ȳ has length ${yBar.length} but ${n * this.outputSize} are needed`,
      );
    }
    if (dtypeOf(yBar) !== ws.dtype || (xBar !== null && dtypeOf(xBar) !== ws.dtype)) {
      throw new ScichainError(
        'ShapeMismatch',
        `cotangents must be ${ws.dtype} like the workspace (ȳ is ${dtypeOf(yBar)}${xBar === null ? '' : `, x̄ is ${dtypeOf(xBar)}`})`,
      );
    }
    if (xBar !== null && xBar.length < n * this.inputSize) {
      throw new ScichainError(
        'ShapeMismatch',
        `input cotangent x̄ has length ${xBar.length} but ${n * this.inputSize} are needed`,
      );
    }
    const layers = this.layers;
    if (n === 1 && ws.single !== null) {
      ws.single.vjp(
        theta as Float64Array,
        thetaOffset,
        yBar as Float64Array,
        xBar as Float64Array | null,
        grad as Float64Array,
        gradOffset,
      );
      return;
    }
    let bar = yBar;
    for (let l = layers.length - 1; l >= 0; l--) {
      const target = l > 0 ? ws.cotangents[l - 1] : xBar;
      layers[l].vjp(
        theta,
        thetaOffset + this.offsets[l],
        ws.layerCaches[l],
        bar,
        target,
        grad,
        gradOffset + this.offsets[l],
        n,
      );
      if (target !== null) bar = target;
    }
  }

  private check(
    theta: FloatArray,
    offset: number,
    ws: ChainWorkspace,
    n: number,
    what: string,
  ): void {
    checkBatch(n, ws.capacity);
    if (theta.length < offset + this.paramCount) {
      throw new ScichainError(
        'ShapeMismatch',
        `${what} has length ${theta.length} but the chain needs ${this.paramCount} entries from offset ${offset}`,
      );
    }
    if (dtypeOf(theta) !== ws.dtype) {
      throw new ScichainError(
        'ShapeMismatch',
        `${what} is ${dtypeOf(theta)} but the workspace is ${ws.dtype}`,
      );
    }
  }
}

/**
 * Builds a chain: `chain(4, dense(32, 'tanh'), dense(16, 'tanh'), dense(4))`. Items are layer
 * specs (sized from the previous layer) or already-built layers (sizes must match).
 */
export function chain(inputSize: number, ...items: readonly (LayerSpec | Layer)[]): Chain {
  requireInteger(inputSize, 'chain input size', 1);
  const layers: Layer[] = [];
  let width = inputSize;
  items.forEach((item, i) => {
    let layer: Layer;
    if ('build' in item) {
      layer = item.build(width);
    } else {
      layer = item;
      if (layer.inputSize !== width) {
        throw new ScichainError(
          'ShapeMismatch',
          `chain item ${i + 1} (${layer.description}) takes ${layer.inputSize} inputs but receives ${width}`,
        );
      }
    }
    layers.push(layer);
    width = layer.outputSize;
  });
  return new Chain(inputSize, layers);
}
