/**
 * `scichain/training`: optimizers on flat parameter vectors (Adam, gradient descent, L-BFGS with
 * a strong-Wolfe line search), one `minimize` for every objective, phased minimisation, supervised
 * objectives and the training loop, early stopping, sums of objectives on threads, least squares
 * and a few statistics. Checkpoint files on disk are in `scichain/node`.
 *
 * @module scichain/training
 */

// Optimizers
/** The one objective protocol every optimizer takes. */
export { valueAndGradientOf, type Objective, type ValueAndGradient } from '../core/objective.ts';
/** Optimizer protocol. */
export type { FirstOrderOptimizer, OptimizerState } from '../optim/optimizer.ts';
/** Where a value read from a file or checkpoint comes from (for error messages). */
export type { FieldPlace } from '../parameters/json-fields.ts';
/** Adam / AdamW. */
export { adam, type AdamOptions } from '../optim/adam.ts';
/** Gradient descent with optional momentum. */
export { gradientDescent, type GradientDescentOptions } from '../optim/gradient-descent.ts';
/** L-BFGS with a strong-Wolfe line search. */
export { lbfgs } from '../optim/lbfgs.ts';
export type { LbfgsState } from '../optim/lbfgs-state.ts';
/** Strong-Wolfe line search. */
export {
  strongWolfeLineSearch,
  type LineFunction,
  type LineSearchOptions,
  type LineSearchResult,
} from '../optim/line-search.ts';
/** One minimisation entry point for every objective. */
export { minimize } from '../optim/minimize.ts';
export type {
  MinimizeOptions,
  MinimizeResult,
  IterationInfo,
  StopReason,
} from '../optim/minimize-options.ts';
/** Phased minimisation (Adam, then L-BFGS windows…), sliced so that it can be interrupted. */
export {
  minimizePhases,
  minimizePhasesAsync,
  type MinimizePhase,
  type PhasesCheckpoint,
  type PhasesOptions,
  type PhasesResult,
} from '../optim/minimize-phases.ts';

// Training
/** Loss and gradient of a model over a data set. */
export {
  supervisedObjective,
  SupervisedObjective,
  type SupervisedOptions,
  type Targets,
} from './supervised-objective.ts';
/** Training loop (full-batch or mini-batch), with checkpoints. */
export {
  trainSupervised,
  trainSupervisedAsync,
  type TrainSupervisedOptions,
  type TrainResult,
  type EpochInfo,
  type EpochRecord,
  type TrainingCheckpoint,
  type CheckpointFileOptions,
} from './train-supervised.ts';
/** Checkpoint validation (files on disk: `scichain/node`) and the bounded epoch history. */
export {
  checkCheckpoint,
  CHECKPOINT_VERSION,
  type CheckedCheckpoint,
  type HistoryState,
} from './checkpoint.ts';
export { EpochHistory, DEFAULT_HISTORY_LIMIT } from './epoch-history.ts';
/** Early stopping. */
export {
  EarlyStopping,
  type EarlyStoppingOptions,
  type EarlyStoppingState,
} from '../optim/early-stopping.ts';
/** Terminal progress bar. */
export { ProgressBar, type ProgressSetting } from '../optim/progress.ts';
/** A sum of independent objectives (multi-trajectory losses), optionally on threads. */
export {
  sumOfObjectives,
  ObjectiveSum,
  type ObjectivePart,
  type ObjectiveSumOptions,
  type ObjectiveSumThreads,
} from './objective-sum.ts';

// Numerics for fitting
/** Dense linear least squares by Householder QR with column pivoting (optional ridge). */
export {
  leastSquares,
  type LeastSquaresOptions,
  type LeastSquaresResult,
} from '../linalg/least-squares.ts';
/** Closed-form 2×2 matrix exponential. */
export { expm2 } from '../linalg/expm2.ts';
/** Quantiles and medians of number lists. */
export { median, quantile } from '../math/statistics.ts';
/** The matrix-exponential learning problem (a data set for trying networks). */
export {
  matrixExponentialData,
  type MatrixExponentialData,
} from '../datasets/matrix-exponential.ts';
