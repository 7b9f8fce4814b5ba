/** What {@link minimize} and the optimizers it calls take and return. */
import type { FloatArray } from '../core/dtype.ts';
import type { EarlyStoppingOptions } from './early-stopping.ts';
import type { LbfgsState } from './lbfgs-state.ts';
import type { LineSearchOptions } from './line-search.ts';
import type { FirstOrderOptimizer } from './optimizer.ts';
import type { ProgressSetting } from './progress.ts';

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
   * `zeros`, `fromJson` or `adopt`) are frozen without it; a mask given here adds to them.
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
