/**
 * Events the sensitivity methods can cross in reverse. An event maps the state just before it
 * to the state just after, u⁺ = g(u⁻, p); its pullback turns λ⁺ = ∂L/∂u⁺ into λ⁻ = (∂g/∂u)ᵀλ⁺
 * and accumulates (∂g/∂p)ᵀλ⁺ — which is how gradients reach dose amounts held in θ.
 */
import { ScichainError } from '../../src/core/errors.ts';
import type { TimedEvent } from '../options.ts';

/** A timed event with its pullback. */
export interface DifferentiableEvent extends TimedEvent {
  /**
   * Pullback of `apply`: on entry `lambda` holds ∂L/∂u⁺, on exit ∂L/∂u⁻; (∂g/∂p)ᵀλ⁺ is
   * accumulated into `pBar`. `u` and `p` are the state and parameters just before the event.
   */
  vjp(lambda: Float64Array, u: Float64Array, p: Float64Array, pBar: Float64Array, t: number): void;
  // Events must leave p unchanged (the sensitivity methods read p as constant over the span):
  // a rate that switches on and off belongs in the right-hand side as an input of time.
}

/** A dose amount: a fixed number, or entry `parameter` of p (then differentiable). */
export type DoseAmount = number | { readonly parameter: number; readonly scale?: number };

/**
 * An instantaneous dose `u[state] += amount` at `time`. With `{ parameter: k }` the amount is
 * p[k]·scale (scale default 1) and its gradient flows into p[k].
 */
export function bolus(
  time: number,
  state: number,
  amount: DoseAmount,
  name?: string,
): DifferentiableEvent {
  if (!Number.isFinite(time)) throw new ScichainError('NonFinite', `dose time is ${time}`);
  if (!Number.isInteger(state) || state < 0) {
    throw new ScichainError(
      'InvalidArgument',
      `dose compartment index ${state} is not a state index`,
    );
  }
  const label = name ?? `bolus into u[${state}] at t = ${time}`;
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount))
      throw new ScichainError('NonFinite', `${label}: amount is ${amount}`);
    return {
      time,
      name: label,
      apply(u) {
        u[state] += amount;
      },
      vjp() {
        // u⁺ = u⁻ + constant: λ passes through unchanged, nothing reaches p.
      },
    };
  }
  const k = amount.parameter;
  const scale = amount.scale ?? 1;
  if (!Number.isInteger(k) || k < 0) {
    throw new ScichainError(
      'InvalidArgument',
      `${label}: parameter index ${k} is not an index of p`,
    );
  }
  return {
    time,
    name: label,
    apply(u, p) {
      if (k >= p.length) {
        throw new ScichainError(
          'InvalidArgument',
          `${label}: p has no entry ${k} (length ${p.length})`,
        );
      }
      u[state] += scale * p[k];
    },
    vjp(lambda, _u, _p, pBar) {
      pBar[k] += scale * lambda[state];
    },
  };
}
