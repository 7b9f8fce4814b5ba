/**
 * Parameter penalties added to a loss. `l2Penalty(λ)` is (λ/2)·Σθ², whose gradient λθ is what
 * "weight decay λ" means for plain gradient descent; `l1Penalty(λ)` is λ·Σ|θ|. A mask (1 =
 * penalised) restricts them, e.g. `layout.roleMask('weight')` to leave biases out.
 */
import { ScichainError } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';

/** A penalty on θ. */
export interface Penalty {
  readonly name: string;
  /** Penalty value at θ. */
  value(theta: FloatArray): number;
  /** Penalty value; accumulates its gradient into `grad`. */
  addGradient(theta: FloatArray, grad: FloatArray): number;
}

/** Options of the penalties. */
export interface PenaltyOptions {
  /** 1 where an entry is penalised (length of θ); default: every entry. */
  mask?: Uint8Array;
}

function checkMask(mask: Uint8Array | undefined, theta: FloatArray, name: string): void {
  if (mask && mask.length !== theta.length) {
    throw new ScichainError(
      'ShapeMismatch',
      `${name} mask has length ${mask.length} but θ has length ${theta.length}`,
    );
  }
}

function penalty(
  name: string,
  lambda: number,
  options: PenaltyOptions,
  entry: (t: number) => number,
  slope: (t: number) => number,
): Penalty {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) {
    throw new ScichainError(
      'InvalidArgument',
      `${name} strength must be finite and ≥ 0, got ${lambda}`,
    );
  }
  const mask = options.mask;
  return {
    name,
    value(theta) {
      checkMask(mask, theta, name);
      let s = 0;
      for (let i = 0; i < theta.length; i++) if (!mask || mask[i]) s += entry(theta[i]);
      return lambda * s;
    },
    addGradient(theta, grad) {
      checkMask(mask, theta, name);
      let s = 0;
      for (let i = 0; i < theta.length; i++) {
        if (mask && !mask[i]) continue;
        s += entry(theta[i]);
        grad[i] += lambda * slope(theta[i]);
      }
      return lambda * s;
    },
  };
}

/** (λ/2)·Σθᵢ² over the masked entries; gradient λθᵢ. */
export function l2Penalty(lambda: number, options: PenaltyOptions = {}): Penalty {
  return penalty(
    'l2Penalty',
    lambda,
    options,
    (t) => 0.5 * t * t,
    (t) => t,
  );
}

/** λ·Σ|θᵢ| over the masked entries; subgradient λ·sign(θᵢ) (0 at 0). */
export function l1Penalty(lambda: number, options: PenaltyOptions = {}): Penalty {
  return penalty('l1Penalty', lambda, options, Math.abs, (t) => (t > 0 ? 1 : t < 0 ? -1 : 0));
}
