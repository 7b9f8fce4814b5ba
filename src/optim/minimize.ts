/**
 * `minimize(valueAndGradient, θ, options)`: one entry point for every objective scichain
 * builds (network losses, ODE losses, population likelihoods). L-BFGS for deterministic
 * objectives (the default), Adam or gradient descent for a fixed number of steps. θ is updated
 * in place and also returned; at the end it holds the best point accepted.
 */
import { ScichainError, requireInteger, requireName } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import { EarlyStopping } from './early-stopping.ts';
import { ProgressBar } from './progress.ts';
import { adam } from './adam.ts';
import { evaluateChecked, freeInfinityNorm } from './evaluation.ts';
import { gradientDescent } from './gradient-descent.ts';
import { lbfgs } from './lbfgs.ts';
import type { MinimizeOptions, MinimizeResult, StopReason } from './minimize-options.ts';
import { valueAndGradientOf, type Objective, type ValueAndGradient } from '../core/objective.ts';
import { checkFrozen, type FirstOrderOptimizer } from './optimizer.ts';
import { effectiveFrozen } from '../parameters/frozen-entries.ts';

/** Minimises f over θ in place. */
export function minimize<T extends FloatArray>(
  objective: ValueAndGradient<T> | Objective<T>,
  theta: T,
  options: MinimizeOptions = {},
): MinimizeResult {
  const fg = valueAndGradientOf(objective);
  const frozen = options.frozen ?? null;
  checkFrozen(frozen, theta);
  const maxIterations = options.maxIterations ?? 1000;
  requireInteger(maxIterations, 'maxIterations', 0);
  const method = checkMethod(options.method ?? 'lbfgs');
  if (method === 'lbfgs') return lbfgs(fg, theta, options);
  const optimizer =
    method === 'adam' ? adam() : method === 'gradientDescent' ? gradientDescent() : method;
  return firstOrder(fg, theta, optimizer, options);
}

/** The method names {@link minimize} accepts (besides a configured first-order optimizer). */
export const MINIMIZE_METHODS = ['lbfgs', 'adam', 'gradientDescent'] as const;

/** Checks `options.method`: a name of {@link MINIMIZE_METHODS} or a first-order optimizer. */
function checkMethod(method: unknown): NonNullable<MinimizeOptions['method']> {
  if (typeof method === 'string') return requireName(method, MINIMIZE_METHODS, 'minimize method');
  const o = method as Partial<FirstOrderOptimizer> | null;
  if (o === null || typeof o !== 'object' || typeof o.step !== 'function') {
    throw new ScichainError(
      'InvalidArgument',
      `minimize method must be one of ${MINIMIZE_METHODS.join(', ')} or a first-order optimizer such as adam({ learningRate: 1e-3 }), got ${typeof method === 'function' ? 'a function' : String(method)}`,
    );
  }
  return method as FirstOrderOptimizer;
}

function firstOrder<T extends FloatArray>(
  fg: ValueAndGradient<T>,
  theta: T,
  optimizer: FirstOrderOptimizer,
  options: MinimizeOptions,
): MinimizeResult {
  // A mask given to the optimizer itself stays unless the options give one.
  if (options.frozen !== undefined) optimizer.setFrozen(options.frozen);
  // The optimizer adds θ's layout to its explicit mask at every step; so do the gradient
  // zeroing and the norms here (with the optimizer's own mask when the options give none).
  const frozen = effectiveFrozen(theta, options.frozen ?? optimizer.frozenMask?.() ?? null);
  const maxIterations = options.maxIterations ?? 1000;
  const gtol = options.gradientTolerance ?? 1e-8;
  const grad = new (theta.constructor as Float64ArrayConstructor | Float32ArrayConstructor)(
    theta.length,
  ) as T;
  const stopper = options.earlyStopping ? new EarlyStopping(options.earlyStopping) : null;
  const bar = new ProgressBar(maxIterations, optimizer.name, options.progress ?? 'auto');
  const history: number[] = [];
  let evaluations = 0;
  let reason: StopReason = 'MaxIterations';
  let value: number;
  let gnorm: number;
  for (let it = 0; ; it++) {
    value = evaluateChecked(fg, theta, grad, frozen);
    evaluations++;
    if (!Number.isFinite(value)) {
      throw new ScichainError(
        'NonFinite',
        `objective is ${value} at iteration ${it} of ${optimizer.name}`,
      );
    }
    gnorm = freeInfinityNorm(grad, frozen);
    history.push(value);
    if (bar.active) bar.update(it, `f=${value.toPrecision(5)}`);
    if (gnorm <= gtol) {
      reason = 'GradientTolerance';
      break;
    }
    if (
      it > 0 &&
      options.callback?.({ iteration: it, value, gradientNorm: gnorm, evaluations, theta }) ===
        'stop'
    ) {
      reason = 'Callback';
      break;
    }
    if (stopper?.update(value, it, theta)) {
      reason = 'EarlyStopping';
      break;
    }
    if (it >= maxIterations) break;
    optimizer.step(theta, grad);
  }
  if (stopper && reason === 'EarlyStopping' && stopper.restore(theta)) {
    value = evaluateChecked(fg, theta, grad, frozen);
    evaluations++;
    gnorm = freeInfinityNorm(grad, frozen);
  }
  bar.finish();
  return {
    theta,
    value,
    gradientNorm: gnorm,
    iterations: history.length - 1,
    evaluations,
    converged: reason === 'GradientTolerance',
    reason,
    history,
  };
}
