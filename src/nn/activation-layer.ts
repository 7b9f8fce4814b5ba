/** A stand-alone element-wise activation layer (no parameters). */
import { requireInteger } from '../core/errors.ts';
import type { DType, FloatArray } from '../core/dtype.ts';
import { activationKernels, activationSpec, type ActivationKernels } from './activations.ts';
import type { Layer, LayerCache, LayerPlan, LayerSpec } from './layer.ts';
import type { FusedStage } from './kernels/fused-chain.ts';

/** Cache of an activation layer: references to its input and output. */
export interface ActivationCache extends LayerCache {
  x: FloatArray;
  y: FloatArray;
  /** @internal The activation's kernels for the cache's dtype. */
  readonly kernels: ActivationKernels;
}

const EMPTY = new Float64Array(0);

/** Element-wise activation of a fixed width. */
export class Activation implements Layer<ActivationCache> {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly paramCount = 0;
  readonly description: string;
  readonly activationName: string;

  constructor(size: number, activation: string) {
    requireInteger(size, 'activation layer size', 1);
    this.activationName = activationSpec(activation).name;
    this.inputSize = size;
    this.outputSize = size;
    this.description = `activation(${this.activationName})`;
  }

  init(): void {}

  plan(): LayerPlan {
    return { kind: 'activation', size: this.inputSize, activation: this.activationName };
  }

  /** @internal The layer as a stage of a fused single-sample kernel (none for the identity). */
  fusedStages(): FusedStage[] {
    return this.activationName === 'identity'
      ? []
      : [{ kind: 'activation', name: this.activationName }];
  }

  createCache(dtype: DType, capacity: number): ActivationCache {
    requireInteger(capacity, 'batch capacity', 1);
    return {
      dtype,
      capacity,
      training: false,
      x: EMPTY,
      y: EMPTY,
      kernels: activationKernels(this.activationName, dtype),
    };
  }

  forward(
    _theta: FloatArray,
    _offset: number,
    x: FloatArray,
    y: FloatArray,
    cache: ActivationCache,
    n: number,
  ): void {
    cache.kernels.forward(x, y, n * this.outputSize);
    cache.x = x;
    cache.y = y;
  }

  vjp(
    _theta: FloatArray,
    _offset: number,
    cache: ActivationCache,
    yBar: FloatArray,
    xBar: FloatArray | null,
    _grad: FloatArray,
    _gradOffset: number,
    n: number,
  ): void {
    if (xBar !== null) cache.kernels.backward(cache.x, cache.y, yBar, xBar, n * this.outputSize);
  }
}

/** An element-wise activation for {@link chain}, e.g. `activation('relu')`. */
export function activation(name: string): LayerSpec {
  activationSpec(name);
  return { build: (inputSize: number) => new Activation(inputSize, name) };
}
