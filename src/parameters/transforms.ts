/**
 * Transforms between the unconstrained value an optimizer moves (stored in θ) and the natural
 * value a model reads. Their derivatives let gradients with respect to natural values be
 * carried back to θ (chain rule), so constrained parameters train like free ones.
 */
import { ScichainError } from '../core/errors.ts';

/** JSON form of a transform, stored in parameter files. */
export type TransformJson =
  | { readonly type: 'identity' }
  | { readonly type: 'log' }
  | { readonly type: 'bounded'; readonly lower: number; readonly upper: number }
  | { readonly type: 'lowerBounded'; readonly lower: number };

/** A bijection from the real line to a parameter's natural domain. */
export interface Transform {
  readonly json: TransformJson;
  /** Natural value x = T(u). */
  toNatural(u: number): number;
  /** Unconstrained value u = T⁻¹(x); throws naming `what` when x is outside the domain. */
  fromNatural(x: number, what: string): number;
  /** dx/du at u. */
  derivative(u: number): number;
}

/** No transform: θ holds the natural value. */
export const identity: Transform = {
  json: { type: 'identity' },
  toNatural: (u) => u,
  fromNatural(x, what) {
    if (!Number.isFinite(x))
      throw new ScichainError('NonFinite', `${what} must be finite, got ${x}`);
    return x;
  },
  derivative: () => 1,
};

/** Positive parameter through a log transform: x = exp(u). */
export const positive: Transform = {
  json: { type: 'log' },
  toNatural: (u) => Math.exp(u),
  fromNatural(x, what) {
    if (!(x > 0) || !Number.isFinite(x)) {
      throw new ScichainError(
        'InvalidArgument',
        `${what} is log-transformed and must be positive and finite, got ${x}`,
      );
    }
    return Math.log(x);
  },
  derivative: (u) => Math.exp(u),
};

/** Parameter in the open interval (lower, upper) through a scaled logistic: x = lower + (upper − lower)·σ(u). */
export function bounded(lower: number, upper: number): Transform {
  if (!(Number.isFinite(lower) && Number.isFinite(upper) && lower < upper)) {
    throw new ScichainError(
      'InvalidArgument',
      `bounds must be finite with lower < upper, got [${lower}, ${upper}]`,
    );
  }
  const width = upper - lower;
  const sigmoid = (u: number): number =>
    u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u));
  return {
    json: { type: 'bounded', lower, upper },
    toNatural: (u) => lower + width * sigmoid(u),
    fromNatural(x, what) {
      if (!(x > lower && x < upper)) {
        throw new ScichainError(
          'InvalidArgument',
          `${what} must lie strictly inside (${lower}, ${upper}), got ${x}`,
        );
      }
      const p = (x - lower) / width;
      const u = Math.log(p) - Math.log1p(-p);
      if (!Number.isFinite(u)) {
        throw new ScichainError(
          'InvalidArgument',
          `${what} = ${x} is too close to a bound of (${lower}, ${upper}) to be represented`,
        );
      }
      return u;
    },
    // σ(u)(1 − σ(u)) written as e^{−|u|}/(1 + e^{−|u|})², which does not round to 0 for large |u|.
    derivative: (u) => {
      const e = Math.exp(-Math.abs(u));
      return (width * e) / ((1 + e) * (1 + e));
    },
  };
}

/** Parameter above a lower bound: x = lower + exp(u). */
export function lowerBounded(lower: number): Transform {
  if (!Number.isFinite(lower))
    throw new ScichainError('InvalidArgument', `lower bound must be finite, got ${lower}`);
  return {
    json: { type: 'lowerBounded', lower },
    toNatural: (u) => lower + Math.exp(u),
    fromNatural(x, what) {
      if (!(x > lower) || !Number.isFinite(x)) {
        throw new ScichainError(
          'InvalidArgument',
          `${what} must be finite and greater than ${lower}, got ${x}`,
        );
      }
      return Math.log(x - lower);
    },
    derivative: (u) => Math.exp(u),
  };
}

/** Rebuilds a transform from its JSON form. */
export function transformFromJson(json: TransformJson): Transform {
  switch (json.type) {
    case 'identity':
      return identity;
    case 'log':
      return positive;
    case 'bounded':
      return bounded(json.lower, json.upper);
    case 'lowerBounded':
      return lowerBounded(json.lower);
    default:
      throw new ScichainError(
        'UnknownName',
        `unknown transform type '${(json as { type: string }).type}'`,
      );
  }
}

/** Two transforms are the same when their JSON forms are. */
export function sameTransform(a: TransformJson, b: TransformJson): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
