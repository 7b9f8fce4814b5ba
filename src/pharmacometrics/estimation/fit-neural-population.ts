/**
 * Population fits of models with networks or surrogates in them (in the dynamics, or from
 * covariates to typical values): many fixed effects, most of them weights.
 *
 * The FOCE(I) objective's exact gradient needs second derivatives of the predictions (its
 * log-determinant term depends on ∂f/∂η), and central differences cost two objective
 * evaluations — each with every subject's η̂ search — per weight. So the weights are estimated
 * on the joint objective instead, alternating as Lindstrom & Bates' algorithm (R's nlme) does:
 *
 * 1. joint step: with Ω and the residual parameters fixed, minimise
 *    J = Σᵢ [Σⱼ ln R + (y − f)²/R + ηᵢᵀΩ⁻¹ηᵢ] over θ, the weights and every ηᵢ together by L-BFGS
 *    with J's exact gradient (forward sensitivities of the ODE for ∂f/∂φ; see JointObjective);
 * 2. population step: with the weights fixed, the usual FOCEI (or chosen method) fit of θ, Ω
 *    and the residual parameters, warm-started from step 1's η.
 *
 * Each round's objective is that method's objective with the weights as estimated, so it is
 * comparable with any other model's fit by the same method (AIC/BIC count the weights as
 * parameters). The best round is returned. This is the approach of DeepPumas' "JointMAP then
 * FOCE" workflow rather than a joint FOCEI optimum: the weights minimise J, not the marginal
 * likelihood's approximation.
 */
import { ScichainError } from '../../errors.ts';
import { minimize } from '../../optim/minimize.ts';
import { skippedCovariance } from './covariance-step.ts';
import {
  fitPopulation,
  informationCriteria,
  type FitPopulationOptions,
  type PopulationFit,
  type PopulationThreadOptions,
} from './fit-population.ts';
import { JointObjective } from './joint-objective.ts';
import type { PopulationModel, PopulationSubject } from './population-model.ts';

/** Options of {@link fitNeuralPopulation}. */
export interface NeuralPopulationOptions {
  /** Method of the population step (default FOCEI). */
  readonly method?: FitPopulationOptions['method'];
  /** Rounds of joint step + population step (default 3). */
  readonly rounds?: number;
  /** L-BFGS iterations of each joint step (default 300). */
  readonly jointIterations?: number;
  /** Outer iterations of each population step (default 200). */
  readonly populationIterations?: number;
  /**
   * Standard errors of θ, Ω and residual parameters, computed in the last round (default true;
   * weights: none). When an earlier round had the lower objective, that round is returned
   * without them.
   */
  readonly covariance?: boolean;
  /** Starting x (default the model's initial values). */
  readonly start?: ArrayLike<number>;
  /** Called after every round (progress). */
  readonly onRound?: (round: NeuralPopulationRound) => void;
  /**
   * Evaluate the population steps' subjects on worker threads (see `PopulationThreadOptions`):
   * the FOCE(I) steps, where most of the time goes, split the subjects over the threads.
   */
  readonly threads?: PopulationThreadOptions;
}

/** What one round did. */
export interface NeuralPopulationRound {
  readonly round: number;
  /** J after the joint step. */
  readonly joint: number;
  readonly jointIterations: number;
  /** The population step's objective (NONMEM convention). */
  readonly objective: number;
  readonly seconds: number;
}

/** A {@link PopulationFit} with the rounds that led to it. */
export interface NeuralPopulationFit extends PopulationFit {
  readonly rounds: readonly NeuralPopulationRound[];
}

/** Fits a population model with weight vectors; see the module comment. */
export function fitNeuralPopulation(
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  options: NeuralPopulationOptions = {},
): NeuralPopulationFit {
  const started = performance.now();
  const method = options.method ?? 'FOCEI';
  const roundCount = options.rounds ?? 3;
  const weightNames = model.weightBlocks.map((b) => b.name);
  const weightCount = model.weightBlocks.reduce((s, b) => s + b.size, 0);
  let x: Float64Array = Float64Array.from(options.start ?? model.initial());
  let etas: Float64Array[] = subjects.map(() => new Float64Array(model.q));
  const rounds: NeuralPopulationRound[] = [];
  let best: PopulationFit | null = null;
  let lastFit: PopulationFit | null = null;
  for (let round = 1; round <= roundCount; round++) {
    const roundStart = performance.now();
    const joint = new JointObjective(model, subjects, x, { eta: 'free', residual: 'fixed' });
    const z = joint.initial(x, etas);
    if (!Number.isFinite(joint.valueAndGradient(z, null)))
      throw new ScichainError(
        'InvalidState',
        `round ${round}: the joint objective is not finite at its start: ${joint.lastFailure ?? 'unknown reason'}`,
      );
    const run = minimize(joint.asFunction(), z, {
      method: 'lbfgs',
      maxIterations: options.jointIterations ?? 300,
      gradientTolerance: 1e-6,
      progress: false,
    });
    x = joint.toX(z);
    etas = subjects.map((_, i) => joint.eta(z, i));
    const last = round === roundCount;
    const fit = fitPopulation(model, subjects, {
      method,
      start: x,
      fixed: weightNames,
      startEta: etas,
      maxIterations: options.populationIterations ?? 200,
      covariance: last && (options.covariance ?? true),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    });
    x = fit.x;
    etas = fit.eta.map((e) => e.slice());
    if (last) lastFit = fit;
    const info: NeuralPopulationRound = {
      round,
      joint: run.value,
      jointIterations: run.iterations,
      objective: fit.objective,
      seconds: (performance.now() - roundStart) / 1000,
    };
    rounds.push(info);
    options.onRound?.(info);
    if (
      best === null ||
      fit.objective < best.objective ||
      (last && fit.objective <= best.objective)
    )
      best = fit;
  }
  const fit = best!;
  // The weights were estimated too: they count in AIC and BIC.
  const k = fit.parameterCount + weightCount;
  const covarianceAsked = options.covariance ?? true;
  const earlier = covarianceAsked && fit !== lastFit;
  return {
    ...fit,
    ...(earlier
      ? {
          covariance: skippedCovariance(
            `round ${rounds.findIndex((r) => r.objective === fit.objective) + 1} had the lowest objective; the covariance step ran in the last round only`,
          ),
        }
      : {}),
    ...informationCriteria(fit.objective, fit.observationCount, k),
    seconds: (performance.now() - started) / 1000,
    rounds,
  };
}
