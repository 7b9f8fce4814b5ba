/**
 * What every minimiser does at each evaluation: call f and ∇f, zero the frozen entries, check
 * that the start is finite, and measure the gradient over the free entries.
 */
import { ScichainError } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import type { ValueAndGradient } from '../core/objective.ts';

/** ∞-norm of `g` over the free entries. */
export function freeInfinityNorm(g: FloatArray, frozen: Uint8Array | null): number {
  let m = 0;
  for (let i = 0; i < g.length; i++) {
    if (frozen !== null && frozen[i]) continue;
    const a = Math.abs(g[i]);
    if (a > m || Number.isNaN(a)) m = a;
  }
  return m;
}

/** Evaluates f and ∇f and zeroes the frozen gradient entries. */
export function evaluateChecked<T extends FloatArray>(
  fg: ValueAndGradient<T>,
  theta: T,
  grad: T,
  frozen: Uint8Array | null,
): number {
  const f = fg(theta, grad);
  if (frozen !== null) for (let i = 0; i < grad.length; i++) if (frozen[i]) grad[i] = 0;
  return f;
}

/** Whether every entry is finite. */
export function allFinite(values: FloatArray): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/** Throws, naming the value or the gradient entry, unless f and ∇f are finite at the start. */
export function requireFiniteStart(f: number, grad: FloatArray, method: string): void {
  if (!Number.isFinite(f))
    throw new ScichainError('NonFinite', `objective is ${f} at the starting point of ${method}`);
  for (let i = 0; i < grad.length; i++) {
    if (!Number.isFinite(grad[i])) {
      throw new ScichainError(
        'NonFinite',
        `gradient entry ${i} is ${grad[i]} at the starting point of ${method}`,
      );
    }
  }
}
