/**
 * What is measured: an observation function y = h(u, p, t) with its VJP, so losses over a
 * solution can put their cotangents into the adjoint (∂L/∂u) and the parameters (∂L/∂p).
 */
import { ScichainError } from '../core/errors.ts';
import type { RhsFunction, RhsVjp } from './ode-model.ts';

/** An observation function and its pullback. */
export interface Observation {
  /** Number of observed outputs m. */
  readonly outputCount: number;
  readonly names: readonly string[];
  /** out[0 … m) = h(u, p, t). */
  readonly value: RhsFunction;
  /** uBar = ȳᵀ∂h/∂u (written), pBar += ȳᵀ∂h/∂p: the right-hand side's VJP contract. */
  readonly vjp: RhsVjp;
}

/** Observes states directly (by index): the UDE case, and any model whose states are measured. */
export function observeStates(
  indices: readonly number[],
  stateCount: number,
  names?: readonly string[],
): Observation {
  if (indices.length === 0)
    throw new ScichainError('InvalidArgument', 'observe at least one state');
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= stateCount) {
      throw new ScichainError(
        'InvalidArgument',
        `observed state index ${i} is out of range 0…${stateCount - 1}`,
      );
    }
  }
  const idx = Int32Array.from(indices);
  const m = idx.length;
  return {
    outputCount: m,
    names: names ?? indices.map((i) => `u${i + 1}`),
    value(out, u) {
      for (let k = 0; k < m; k++) out[k] = u[idx[k]];
    },
    vjp(yBar, _u, _p, _t, uBar) {
      uBar.fill(0);
      for (let k = 0; k < m; k++) uBar[idx[k]] += yBar[k];
    },
  };
}
