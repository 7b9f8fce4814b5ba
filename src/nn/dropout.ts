/**
 * Inverted dropout: in training mode each entry is kept with probability 1 − rate and scaled
 * by 1/(1 − rate); outside training it is the identity. The mask is drawn from the cache's
 * own seeded generator and kept for the pullback.
 */
import { ScichainError, requireInteger } from '../core/errors.ts';
import { heapAllocator } from '../core/allocator.ts';
import type { DType, FloatArray } from '../core/dtype.ts';
import { Rng } from '../core/rng.ts';
import type { CacheOptions, Layer, LayerCache, LayerPlan, LayerSpec } from './layer.ts';

/** Cache of a dropout layer: the scaled mask of the last training-mode forward pass. */
export interface DropoutCache extends LayerCache {
  readonly mask: FloatArray;
  rng: Rng;
  /** Whether the last forward pass applied the mask. */
  masked: boolean;
}

/** Dropout of a fixed width. */
export class Dropout implements Layer<DropoutCache> {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly paramCount = 0;
  readonly description: string;
  readonly rate: number;

  constructor(size: number, rate: number) {
    requireInteger(size, 'dropout size', 1);
    if (!(rate >= 0 && rate < 1)) {
      throw new ScichainError('InvalidArgument', `dropout rate must be in [0, 1), got ${rate}`);
    }
    this.inputSize = size;
    this.outputSize = size;
    this.rate = rate;
    this.description = `dropout(${rate})`;
  }

  init(): void {}

  plan(): LayerPlan {
    return { kind: 'dropout', size: this.inputSize, rate: this.rate };
  }

  createCache(dtype: DType, capacity: number, options: CacheOptions = {}): DropoutCache {
    requireInteger(capacity, 'batch capacity', 1);
    const alloc = options.allocator ?? heapAllocator;
    return {
      dtype,
      capacity,
      training: false,
      mask: alloc.floats(dtype, capacity * this.outputSize),
      rng: new Rng(options.seed ?? 0),
      masked: false,
      reseed(seed: number) {
        this.rng = new Rng(seed);
      },
    };
  }

  forward(
    _theta: FloatArray,
    _offset: number,
    x: FloatArray,
    y: FloatArray,
    cache: DropoutCache,
    n: number,
  ): void {
    const len = n * this.outputSize;
    if (!cache.training || this.rate === 0) {
      for (let i = 0; i < len; i++) y[i] = x[i];
      cache.masked = false;
      return;
    }
    // Keep an entry when a uniform 32-bit draw is at or above rate·2³².
    const threshold = this.rate * 4294967296;
    const scale = 1 / (1 - this.rate);
    const mask = cache.mask;
    for (let i = 0; i < len; i++) {
      const m = cache.rng.nextUint32() >= threshold ? scale : 0;
      mask[i] = m;
      y[i] = x[i] * m;
    }
    cache.masked = true;
  }

  vjp(
    _theta: FloatArray,
    _offset: number,
    cache: DropoutCache,
    yBar: FloatArray,
    xBar: FloatArray | null,
    _grad: FloatArray,
    _gradOffset: number,
    n: number,
  ): void {
    if (xBar === null) return;
    const len = n * this.outputSize;
    if (cache.masked) {
      const mask = cache.mask;
      for (let i = 0; i < len; i++) xBar[i] = yBar[i] * mask[i];
    } else {
      for (let i = 0; i < len; i++) xBar[i] = yBar[i];
    }
  }
}

/** Dropout for {@link chain}: active only in training mode (seeded, mask kept for the VJP). */
export function dropout(rate: number): LayerSpec {
  if (!(rate >= 0 && rate < 1)) {
    throw new ScichainError('InvalidArgument', `dropout rate must be in [0, 1), got ${rate}`);
  }
  return { build: (inputSize: number) => new Dropout(inputSize, rate) };
}
