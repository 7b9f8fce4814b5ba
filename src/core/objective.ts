/**
 * The one objective protocol. Every objective scichain builds — a network's supervised loss, an
 * ODE loss with adjoint or forward sensitivities, a sum of them on threads, a population model's
 * joint objective — is a function `f(θ, gradient) → value` that writes ∇f(θ) into `gradient`
 * (overwriting it), and every optimizer takes exactly that. An objective object exposes it as its
 * `valueAndGradient` property, bound to the object, so `minimize(objective, θ)` and
 * `minimize(objective.valueAndGradient, θ)` are the same call (Optimization.jl's
 * `OptimizationFunction`, one shape instead of one per objective).
 */
import { ScichainError } from './errors.ts';
import type { FloatArray } from './dtype.ts';

/** f(θ), with ∇f(θ) written (overwritten) into `gradient`. */
export type ValueAndGradient<T extends FloatArray = FloatArray> = (theta: T, gradient: T) => number;

/** An objective object: `valueAndGradient` is bound, so it can be passed on by itself. */
export interface Objective<T extends FloatArray = FloatArray> {
  readonly valueAndGradient: ValueAndGradient<T>;
}

/** The function of an objective given either as the function or as an objective object. */
export function valueAndGradientOf<T extends FloatArray>(
  objective: ValueAndGradient<T> | Objective<T>,
): ValueAndGradient<T> {
  if (typeof objective === 'function') return objective;
  const f = (objective as Partial<Objective<T>> | null)?.valueAndGradient;
  if (typeof f !== 'function') {
    throw new ScichainError(
      'InvalidArgument',
      'an objective must be a function (θ, gradient) => value or an object with such a valueAndGradient',
    );
  }
  return f;
}
