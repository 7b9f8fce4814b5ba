/**
 * `minimize(valueAndGradient, θ, options)`: one entry point for every objective scichain
 * builds (network losses, ODE losses, population likelihoods). L-BFGS for deterministic
 * objectives (the default), Adam or gradient descent for a fixed number of steps. θ is updated
 * in place and also returned; at the end it holds the best point accepted.
 */
import { ScichainError, requireInteger, requireName } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.ts';
import { ProgressBar, type ProgressSetting } from './progress.ts';
import { adam } from './adam.ts';
import { gradientDescent } from './gradient-descent.ts';
import { lbfgs, type LbfgsState } from './lbfgs.ts';
import type { LineSearchOptions } from './line-search.ts';
import { checkFrozen, type FirstOrderOptimizer, type ValueAndGradient } from './optimizer.ts';
import { effectiveFrozen } from '../parameters/frozen-entries.ts';

/** Why an optimisation stopped. */
export type StopReason =
  | 'GradientTolerance'
  | 'FunctionTolerance'
  | 'MaxIterations'
  | 'LineSearchFailed'
  | 'Callback'
  | 'EarlyStopping';

/** What a per-iteration callback receives. */
export interface IterationInfo {
  readonly iteration: number;
  readonly value: number;
  /** ∞-norm of the gradient over the free entries. */
  readonly gradientNorm: number;
  readonly evaluations: number;
  /** The current θ (do not keep it: it is the live vector). */
  readonly theta: FloatArray;
}

/** Options of {@link minimize}. */
export interface MinimizeOptions {
  /** `'lbfgs'` (default), `'adam'`, `'gradientDescent'`, or a configured first-order optimizer. */
  method?: 'lbfgs' | 'adam' | 'gradientDescent' | FirstOrderOptimizer;
  /** Iteration (step) limit; default 1000. */
  maxIterations?: number;
  /** Stop when the gradient's ∞-norm is at or below this (default 1e-8). */
  gradientTolerance?: number;
  /**
   * Stop when an L-BFGS iteration lowers f by at most this fraction of max(|f|, 1); default 0
   * (off), so that only the gradient tolerance declares convergence.
   */
  functionTolerance?: number;
  /** L-BFGS memory (pairs kept), default 10. */
  memory?: number;
  /** Line-search constants (L-BFGS). */
  lineSearch?: LineSearchOptions;
  /**
   * Frozen mask (1 = frozen). The blocks frozen in θ's layout (a θ from `layout.initial()`,
   * `zeros`, `fromJSON` or `adopt`) are frozen without it; a mask given here adds to them.
   */
  frozen?: Uint8Array | null;
  /** Called after every iteration; return `'stop'` to stop. */
  callback?: (info: IterationInfo) => void | 'stop';
  /** Early stopping on the objective value (first-order methods). */
  earlyStopping?: EarlyStoppingOptions;
  /** Terminal progress bar (default 'auto': only on a TTY outside CI). */
  progress?: ProgressSetting;
  /**
   * L-BFGS: continue with the curvature memory a previous call returned (`result.lbfgsState`),
   * from the θ it ended with — the iterates are those of one longer call, bit for bit.
   */
  lbfgsState?: LbfgsState;
}

/** Outcome of {@link minimize}. */
export interface MinimizeResult {
  /** The same array as the θ passed in, holding the result. */
  readonly theta: FloatArray;
  readonly value: number;
  readonly gradientNorm: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
  readonly reason: StopReason;
  /** Objective value after each iteration (index 0: the start). */
  readonly history: number[];
  /** L-BFGS: its curvature memory at the end, to continue later (see `lbfgsState`). */
  readonly lbfgsState?: LbfgsState;
}

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

/** Minimises f over θ in place. */
export function minimize<T extends FloatArray>(
  fg: ValueAndGradient<T>,
  theta: T,
  options: MinimizeOptions = {},
): MinimizeResult {
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
  // The optimizer adds θ's layout to the explicit mask at every step; so do the gradient
  // zeroing and the norms here.
  const frozen = effectiveFrozen(theta, options.frozen);
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
