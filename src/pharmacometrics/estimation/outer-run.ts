/**
 * The state of a population fit's outer optimisation between slices, and what a checkpoint reads
 * of the objective: the interfaces fit-population.ts and fit-checkpoint.ts share, so that neither
 * imports the other's module.
 */
import type { FloatArray } from '../../core/dtype.ts';
import type { LbfgsState } from '../../optim/lbfgs-state.ts';
import type { MinimizeResult } from '../../optim/minimize-options.ts';
import type { PopulationSubject } from './population-model.ts';

/** A point where the population objective was not finite, and why. */
export interface ObjectiveFailure {
  /** The objective evaluation (1-based count) that failed. */
  readonly evaluation: number;
  /** The x evaluated. */
  readonly x: Float64Array;
  /** The first subject whose objective was not finite (−1: x itself was unusable). */
  readonly subject: number;
  /** What went wrong, naming the subject, observation and time. */
  readonly message: string;
}

/**
 * The outer L-BFGS between slices: everything the rest of the fit (and a checkpoint) needs to
 * continue exactly as one uninterrupted `minimize` call would.
 */
export interface OuterRun {
  /** The current iterate (the estimate when the run is over). */
  readonly x: Float64Array;
  readonly free: Int32Array;
  readonly warnings: string[];
  readonly gradientTolerance: number;
  readonly maxIterations: number;
  /** Outer iterations done over all slices. */
  iterations: number;
  /**
   * Evaluations at the end of the last completed iteration: a failure after it happened in the
   * line search that ended the run.
   */
  iterationEnd: number;
  /**
   * η̂ at the last point evaluated and at the last accepted one: the final evaluation falls back
   * on the latter when the warm starts left by a rejected trial point fail.
   */
  readonly pointEtas: Float64Array;
  readonly acceptedEtas: Float64Array;
  /** L-BFGS's curvature memory after the last slice (undefined before the first). */
  lbfgs: LbfgsState | undefined;
  /**
   * The last point evaluated, its value and gradient. A continuing slice takes them instead of
   * evaluating x again: an evaluation moves the η̂ warm starts, so a repeat would change the bits.
   */
  readonly lastPoint: Float64Array;
  lastValue: number;
  readonly lastGradient: Float64Array;
  /** True when the next slice continues from lastPoint (the last one stopped in its callback). */
  carried: boolean;
  /** The last slice's result. */
  last: MinimizeResult | undefined;
}

/** What a checkpoint reads of the population objective (`PopulationObjective` is one). */
export interface CheckpointedObjective {
  readonly subjects: readonly PopulationSubject[];
  readonly evaluations: number;
  readonly nonFiniteEvaluations: number;
  readonly lastFailure: ObjectiveFailure | null;
  copyEtas(out: Float64Array): void;
  curvatures(): (FloatArray | null)[];
}
