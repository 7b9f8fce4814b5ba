/**
 * scichain — scientific machine learning with small models.
 *
 * Small networks, Fourier and Chebyshev expansions with hand-written, in-place pullbacks; one
 * flat parameter vector θ for everything trainable; ODE solvers with sensitivities; optimizers on
 * flat vectors; population PK/PD estimation; self-contained HTML reports. See README.md and docs/.
 *
 * The root holds what a first script needs. Everything else is in the subpaths, each the full
 * home of its area: `scichain/nn`, `scichain/solvers`, `scichain/surrogates`,
 * `scichain/training`, `scichain/models`, `scichain/pharmacometrics`, `scichain/report`,
 * `scichain/parallel`, and `scichain/node` (files and process signals; Node only).
 *
 * @module scichain
 */

// Errors and element types
/** Error class and categories raised by scichain. */
export { ScichainError, type ErrorCode } from './core/errors.ts';
/** Element types and buffers. */
export type { DType, FloatArray } from './core/dtype.ts';
/** Seeded random numbers (same seed, same bits). */
export { Rng } from './core/rng.ts';

// Parameters
/** One first-class parameter vector: named blocks, views, transforms, freezing, JSON. */
export { ParameterLayout, parameters, scalar, vector } from './parameters/layout.ts';
export { positive, bounded, lowerBounded, type Transform } from './parameters/transforms.ts';
export { parametersToJson, parametersFromJson } from './parameters/parameter-json.ts';

// Networks and losses
/** Layers, chains and activation functions. */
export type { Layer } from './nn/layer.ts';
export { chain, Chain } from './nn/chain.ts';
export { dense } from './nn/dense.ts';
export { activation } from './nn/activation-layer.ts';
export { dropout } from './nn/dropout.ts';
export type { ActivationName } from './nn/activations.ts';
/** Losses and penalties. */
export type { Loss } from './losses/loss.ts';
export {
  sumSquaredError,
  meanSquaredError,
  sumAbsoluteError,
  meanAbsoluteError,
} from './losses/regression.ts';
export { logitCrossEntropy } from './losses/cross-entropy.ts';
export { l1Penalty, l2Penalty } from './losses/penalties.ts';

// Optimizers and training
/** Optimizers and one minimisation entry point for every objective. */
export { adam } from './optim/adam.ts';
export { gradientDescent } from './optim/gradient-descent.ts';
export { lbfgs } from './optim/lbfgs.ts';
export { minimize } from './optim/minimize.ts';
export type { MinimizeOptions, MinimizeResult } from './optim/minimize-options.ts';
/** The one objective protocol: `(θ, gradient) → value`, or an object holding it. */
export type { Objective, ValueAndGradient } from './core/objective.ts';
export { minimizePhases, type MinimizePhase } from './optim/minimize-phases.ts';
/** Supervised objectives and the training loop. */
export { supervisedObjective } from './training/supervised-objective.ts';
export {
  trainSupervised,
  trainSupervisedAsync,
  type TrainSupervisedOptions,
  type TrainResult,
  type EpochInfo,
} from './training/train-supervised.ts';
export { EarlyStopping } from './optim/early-stopping.ts';
export { sumOfObjectives } from './training/objective-sum.ts';
/** The matrix-exponential learning problem. */
export { matrixExponentialData } from './datasets/matrix-exponential.ts';

// ODE problems, solvers and sensitivities
/** Initial value problems and their solution. */
export { odeProblem, type OdeProblem, type RightHandSide } from './core/ode-problem.ts';
export { solve, type MethodName } from '../solvers/solve.ts';
export type { SolveOptions } from '../solvers/options.ts';
export { OdeSolution } from '../solvers/solution.ts';
export type { ReturnCode } from '../solvers/return-code.ts';
/** Differentiable right-hand sides (plain functions or mathjs expressions) and their checks. */
export { odeModel, type OdeModel } from './model/ode-model.ts';
export { checkVjp } from './model/check-vjp.ts';
export { observeStates } from './model/observation.ts';
export { expressionModel } from './expressions/expression-model.ts';
/** Losses over ODE solutions with gradients by forward sensitivities or adjoints. */
export { ObservationError } from './losses/observation-error.ts';
export {
  odeObjective,
  type OdeObjectiveSpec,
  type SensitivityMethod,
} from './training/ode-objective.ts';
export { bolus } from '../solvers/sensitivity/events.ts';
export { stateSensitivities } from '../solvers/sensitivity/forward-sensitivity.ts';

// Surrogates and equation discovery
/** Chebyshev and Fourier layers, their fits and interpolation; sparse regression (SINDy). */
export { chebyshev, chebyshevFit } from './surrogates/chebyshev.ts';
export { chebyshevInterpolate } from './surrogates/chebyshev-interpolation.ts';
export { fourier, fourierFit } from './surrogates/fourier.ts';
export { polynomialLibrary } from './discovery/polynomial-library.ts';
export { sparseRegression } from './discovery/stlsq.ts';

// Pharmacometrics
/** NONMEM-style data, closed-form and ODE subjects, population fits, simulation, VPC. */
export { readNonmemData, type NonmemData } from './pharmacometrics/nonmem-data.ts';
export { doseSchedule } from './pharmacometrics/dosing/build-dose-schedule.ts';
export {
  PopulationModel,
  type PopulationModelSpec,
} from './pharmacometrics/estimation/population-model.ts';
export { closedFormSubjects } from './pharmacometrics/estimation/closed-form-subjects.ts';
export { odeSubjects } from './pharmacometrics/estimation/ode-subjects.ts';
export {
  fitPopulation,
  type FitPopulationOptions,
  type PopulationFit,
} from './pharmacometrics/estimation/fit-population.ts';
export { fitNeuralPopulation } from './pharmacometrics/estimation/fit-neural-population.ts';
export { simulatePopulation } from './pharmacometrics/simulation/simulate-population.ts';
export { designRecords } from './pharmacometrics/simulation/design.ts';
export { visualPredictiveCheck } from './pharmacometrics/diagnostics/vpc.ts';
export { ClosedFormOneCompartmentOral } from './pharmacometrics/closed-form/one-compartment.ts';

// Reports, threads, numerics
/** Self-contained HTML reports with Plotly charts. */
export { Report } from './report/report.ts';
/** The thread pool behind every `threads` option. */
export { ThreadPool, type ThreadPoolOptions } from './parallel/thread-pool.ts';
export { availableCores } from './parallel/host.ts';
/** Medians, quantiles, least squares. */
export { median, quantile } from './math/statistics.ts';
export { leastSquares } from './linalg/least-squares.ts';
