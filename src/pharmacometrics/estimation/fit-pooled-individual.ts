/**
 * The two estimates every population analysis starts from, on the joint objective with η = 0:
 *
 * - naive pooled: one set of fixed effects and residual parameters for all subjects together
 *   (between-subject variability ignored) — a starting point and a lower bar for the NLME fit;
 * - individual fits: the fixed effects and residual parameters of each subject alone (the
 *   "two-stage" approach's first stage) — for rich data, and to see what the data say about each
 *   subject before a population model shrinks them.
 *
 * Both minimise Σⱼ ln R + (y − f)²/R (−2LL without the constant, NONMEM convention) by L-BFGS
 * with the gradient of {@link JointObjective}.
 */
import { ScichainError } from '../../core/errors.ts';
import { minimize } from '../../optim/minimize.ts';
import {
  checkObservations,
  stopMessageOf,
  stopReasonOf,
  type PopulationStopReason,
} from './fit-checks.ts';
import { informationCriteria, type InformationCriteria } from './fit-population.ts';
import { JointObjective } from './joint-objective.ts';
import type { PopulationModel, PopulationSubject } from './population-model.ts';
import type { ResidualError } from './residual-error.ts';

/** Options of {@link fitNaivePooled} and {@link fitIndividuals}. */
export interface JointFitOptions {
  /** Starting x (default the model's initial values; Ω is not used). */
  readonly start?: ArrayLike<number>;
  /** L-BFGS iterations (default 500). */
  readonly maxIterations?: number;
  /** Stop when the gradient's ∞-norm is below this (default 1e-6). */
  readonly gradientTolerance?: number;
  /** Estimate the residual parameters (default true) or keep the start's. */
  readonly residual?: 'free' | 'fixed';
}

/** A fit with η = 0. */
export interface JointFit extends InformationCriteria {
  /** x with the estimated fixed effects (and residual parameters); Ω as started. */
  readonly x: Float64Array;
  readonly theta: Record<string, number>;
  readonly weights: Record<string, Float64Array>;
  readonly residuals: readonly ResidualError[];
  readonly iterations: number;
  /** True only when L-BFGS met its gradient tolerance. */
  readonly converged: boolean;
  /** Why L-BFGS stopped (see `PopulationStopReason`). */
  readonly stopReason: PopulationStopReason;
  /** The stop in words (naming the subject and observation where the objective was not finite). */
  readonly stopMessage: string;
  /** Subjects without observations, a stop short of convergence. */
  readonly warnings: readonly string[];
}

function fitJoint(
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  options: JointFitOptions,
): JointFit {
  const start = model.start(options.start);
  const residual = options.residual ?? 'free';
  const objective = new JointObjective(model, subjects, start, { eta: 'zero', residual });
  const warnings = checkObservations(model, subjects);
  const z = objective.initial();
  if (!Number.isFinite(objective.value(z)))
    throw new ScichainError(
      'InvalidState',
      `the objective is not finite at the initial estimates: ${objective.lastFailure ?? 'unknown reason'}`,
    );
  const gradientTolerance = options.gradientTolerance ?? 1e-6;
  let iterationEnd = objective.evaluations;
  const run = minimize(objective.valueAndGradient, z, {
    method: 'lbfgs',
    maxIterations: options.maxIterations ?? 500,
    gradientTolerance,
    progress: false,
    callback: () => void (iterationEnd = objective.evaluations),
  });
  const value = objective.value(z);
  const stopReason = stopReasonOf(run, objective.lastFailureEvaluation > iterationEnd);
  const stopMessage = stopMessageOf(
    stopReason,
    run,
    gradientTolerance,
    `a point the line search tried, where ${objective.lastFailure}`,
  );
  if (stopReason !== 'converged') warnings.push(stopMessage);
  const x = objective.toX(z);
  const n = subjects.reduce((s, subject) => s + subject.observations.length, 0);
  return {
    x,
    theta: model.theta(x),
    weights: model.weights(x),
    residuals: model.residuals(x),
    ...informationCriteria(value, n, objective.size),
    iterations: run.iterations,
    converged: stopReason === 'converged',
    stopReason,
    stopMessage,
    warnings,
  };
}

/** Naive pooled fit: all subjects as one, η = 0. */
export function fitNaivePooled(
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  options: JointFitOptions = {},
): JointFit {
  return fitJoint(model, subjects, options);
}

/** Individual fits: each subject's own fixed effects (and residual parameters), η = 0. */
export function fitIndividuals(
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  options: JointFitOptions = {},
): (JointFit & { readonly id: string })[] {
  return subjects.map((subject) => {
    try {
      return { id: subject.id, ...fitJoint(model, [subject], options) };
    } catch (e) {
      if (!(e instanceof ScichainError)) throw e;
      throw new ScichainError(e.code, `individual fit of subject ${subject.id}: ${e.message}`);
    }
  });
}
