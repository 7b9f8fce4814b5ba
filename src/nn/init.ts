/**
 * Weight initialisers (seeded). Glorot/Xavier keeps the variance of activations and
 * cotangents roughly constant through tanh-like layers.
 */
import { ScichainError } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import type { Rng } from '../core/rng.ts';

/** Built-in weight initialisers. */
export type WeightInitName =
  'glorotUniform' | 'glorotNormal' | 'heNormal' | 'pytorchLinear' | 'zeros';

/** A custom initialiser fills `count` weights starting at `offset`. */
export type WeightInitFunction = (
  out: FloatArray,
  offset: number,
  count: number,
  fanIn: number,
  fanOut: number,
  rng: Rng,
) => void;

/** Either a built-in name or a function. */
export type WeightInit = WeightInitName | WeightInitFunction;

/** Fills `count` weights of a `fanOut × fanIn` matrix with the chosen initialiser. */
export function initWeights(
  init: WeightInit,
  out: FloatArray,
  offset: number,
  count: number,
  fanIn: number,
  fanOut: number,
  rng: Rng,
): void {
  if (typeof init === 'function') {
    init(out, offset, count, fanIn, fanOut, rng);
    return;
  }
  switch (init) {
    case 'glorotUniform': {
      // U(−a, a) with a = √(6 / (fanIn + fanOut)).
      const a = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < count; i++) out[offset + i] = a * (2 * rng.uniform() - 1);
      return;
    }
    case 'glorotNormal': {
      // N(0, 2 / (fanIn + fanOut)).
      const sd = Math.sqrt(2 / (fanIn + fanOut));
      for (let i = 0; i < count; i++) out[offset + i] = sd * rng.normal();
      return;
    }
    case 'heNormal': {
      // N(0, 2 / fanIn), for relu layers.
      const sd = Math.sqrt(2 / fanIn);
      for (let i = 0; i < count; i++) out[offset + i] = sd * rng.normal();
      return;
    }
    case 'pytorchLinear': {
      // PyTorch's nn.Linear default (kaiming_uniform with a = √5): U(−1/√fanIn, 1/√fanIn).
      // Dense layers also draw their bias from the same distribution with this initialiser.
      const a = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < count; i++) out[offset + i] = a * (2 * rng.uniform() - 1);
      return;
    }
    case 'zeros':
      out.fill(0, offset, offset + count);
      return;
    default:
      throw new ScichainError(
        'UnknownName',
        `unknown weight initialiser '${String(init)}'; expected glorotUniform, glorotNormal, heNormal, pytorchLinear, zeros or a function`,
      );
  }
}
