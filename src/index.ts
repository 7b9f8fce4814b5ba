/**
 * scichain — scientific machine learning with small models.
 *
 * Small networks (and, later, Fourier and Chebyshev expansions) with hand-written, in-place
 * pullbacks; one flat parameter vector θ for everything trainable; optimizers on flat vectors;
 * self-contained HTML reports. See README.md and docs/.
 */

// Errors
/** Error class and categories raised by scichain. */
export { ScichainError, type ErrorCode } from './errors.ts';

// Memory and data
/** Element types and buffers. */
export { type DType, type FloatArray, dtypeOf } from './memory/dtype.ts';
/** The allocator every hot buffer goes through. */
export { type Allocator, heapAllocator } from './memory/allocator.ts';
/** ndarray interop for 2-D data. */
export {
  type MatrixInput,
  type NdMatrix,
  type RowMajor,
  toRowMajor,
  matrixView,
} from './memory/matrix.ts';

// Randomness
/** Seeded random numbers (same seed, same bits). */
export { Rng, type RngState } from './random/rng.ts';

// Parameters
/** One first-class parameter vector: named blocks, views, transforms, freezing, JSON. */
export {
  ParameterLayout,
  parameters,
  scalar,
  vector,
  type Block,
  type BlockSpec,
  type BlockOptions,
  type Constraint,
  type VectorInit,
} from './parameters/layout.ts';
/** Transforms between θ's unconstrained values and natural parameter values. */
export {
  identity,
  positive,
  bounded,
  lowerBounded,
  type Transform,
  type TransformJSON,
} from './parameters/transforms.ts';
/** JSON form of θ. */
export {
  parametersToJSON,
  parametersFromJSON,
  type ParameterFile,
} from './parameters/parameter-json.ts';
/** Parameter files on disk. */
export { saveParameters, loadParameters } from './parameters/parameter-file.ts';

// Networks
/** The layer protocol (forward, then in-place pullback). */
export type {
  Layer,
  LayerCache,
  LayerSpec,
  LayerPlan,
  CacheOptions,
  ParameterComponent,
  ParameterGroup,
  ParameterRole,
} from './nn/layer.ts';
/** Chains of layers and their workspaces. */
export { chain, Chain, ChainWorkspace, type WorkspaceOptions } from './nn/chain.ts';
/** Dense layers (PyTorch `nn.Linear` parameter order). */
export { dense, Dense, type DenseCache, type DenseOptions } from './nn/dense.ts';
/** Element-wise activation layers. */
export { activation, Activation } from './nn/activation-layer.ts';
/** Dropout (training only, seeded). */
export { dropout, Dropout } from './nn/dropout.ts';
/** Activation functions. */
export {
  activationNames,
  activationSpec,
  activationKernels,
  type ActivationName,
} from './nn/activations.ts';
/** Weight initialisers. */
export { type WeightInit, type WeightInitName } from './nn/init.ts';
/** Generated matrix-product kernels. */
export { gemmFor, type Gemm, type GemmSpec } from './nn/kernels/gemm.ts';
export { type KernelChoice, WASM_MIN_MULTIPLY_ADDS, usesWasm } from './nn/kernels/kernel-choice.ts';
export { DenseWasm, denseModuleBytes, type DenseWasmShape } from './nn/kernels/dense-wasm.ts';
/** Single-sample chain kernels: unrolled TypeScript up to a size, WebAssembly SIMD beyond. */
export {
  fusedChain,
  FUSED_CHAIN_MAX_WEIGHTS,
  type FusedChain,
  type FusedStage,
} from './nn/kernels/fused-chain.ts';
export {
  WasmFusedChain,
  wasmFusedChain,
  fusedChainModuleBytes,
} from './nn/kernels/fused-chain-wasm.ts';
export { Arena, type ArenaOptions, isArena } from './wasm/arena.ts';
export { wasmFeatures, type WasmFeatures } from './wasm/features.ts';
export {
  ThreadPool,
  type ThreadPoolOptions,
  sharedThreadPool,
  resolveThreads,
} from './parallel/thread-pool.ts';
export {
  shareOf,
  type ParallelTask,
  type TaskContext,
  type TaskFactory,
  type TaskModule,
} from './parallel/task.ts';
export { availableCores } from './parallel/host.ts';
export {
  chooseThreads,
  THREADS_MIN_MULTIPLY_ADDS,
  THREADS_MIN_ROWS,
  type ThreadChoice,
} from './parallel/thread-choice.ts';
export { DataParallelModel, type DataParallelOptions } from './nn/data-parallel.ts';
/** A sum of independent objectives (multi-trajectory losses), optionally on threads. */
export {
  sumOfObjectives,
  ObjectiveSum,
  type ObjectivePart,
  type ObjectiveSumOptions,
  type ObjectiveSumThreads,
} from './training/objective-sum.ts';
export { layerFromPlan } from './nn/layer-plan.ts';
export { ModuleBuilder, FunctionBuilder, type ValueType } from './wasm/emitter.ts';

// Losses
/** The loss protocol; separable losses can be evaluated by shares of a batch's rows. */
export type { ElementwiseKind, Loss, SeparableLoss } from './losses/loss.ts';
/** Regression losses (reduction in the name). */
export {
  sumSquaredError,
  meanSquaredError,
  sumAbsoluteError,
  meanAbsoluteError,
} from './losses/regression.ts';
/** Classification loss on logits with integer labels. */
export { logitCrossEntropy, type Labels } from './losses/cross-entropy.ts';
/** L1/L2 penalties on θ. */
export { l1Penalty, l2Penalty, type Penalty, type PenaltyOptions } from './losses/penalties.ts';

// Optimizers
/** Optimizer protocol. */
export type { FirstOrderOptimizer, OptimizerState, ValueAndGradient } from './optim/optimizer.ts';
/** Adam / AdamW. */
export { adam, type AdamOptions } from './optim/adam.ts';
/** Gradient descent with optional momentum. */
export { gradientDescent, type GradientDescentOptions } from './optim/gradient-descent.ts';
/** L-BFGS with a strong-Wolfe line search. */
export { lbfgs, type LbfgsState } from './optim/lbfgs.ts';
/** Phased minimisation (Adam, then L-BFGS windows…) with checkpoints and signals. */
export {
  minimizePhases,
  minimizePhasesAsync,
  loadPhasesCheckpoint,
  type MinimizePhase,
  type PhasesCheckpoint,
  type PhasesOptions,
  type PhasesResult,
} from './optim/minimize-phases.ts';
/** Strong-Wolfe line search. */
export {
  strongWolfeLineSearch,
  type LineFunction,
  type LineSearchOptions,
  type LineSearchResult,
} from './optim/line-search.ts';
/** One minimisation entry point for every objective. */
export {
  minimize,
  type MinimizeOptions,
  type MinimizeResult,
  type IterationInfo,
  type StopReason,
} from './optim/minimize.ts';

// Training
/** Loss and gradient of a model over a data set. */
export {
  supervisedObjective,
  SupervisedObjective,
  type SupervisedOptions,
  type Targets,
} from './training/supervised-objective.ts';
/** Training loop (full-batch or mini-batch), checkpoints. */
export {
  trainSupervised,
  trainSupervisedAsync,
  signalExitCode,
  type TrainSupervisedOptions,
  type TrainResult,
  type EpochInfo,
  type EpochRecord,
  type TrainingCheckpoint,
  type CheckpointFileOptions,
} from './training/train-supervised.ts';
/** Checkpoint files (atomic, validated), bounded history, atomic file writes. */
export {
  saveCheckpoint,
  loadCheckpoint,
  checkCheckpoint,
  CHECKPOINT_VERSION,
} from './training/checkpoint.ts';
export { EpochHistory, DEFAULT_HISTORY_LIMIT } from './training/epoch-history.ts';
export { writeFileAtomic, type AtomicWriteFs } from './io/write-file-atomic.ts';
export type { CheckpointTarget } from './io/checkpoint-file.ts';
/** Early stopping. */
export { EarlyStopping, type EarlyStoppingOptions } from './training/early-stopping.ts';
/** Terminal progress bar. */
export { ProgressBar, type ProgressSetting } from './training/progress.ts';

// Reports
/** Self-contained HTML reports with Plotly charts. */
export { Report, type ChartSpec, type Trace, type Axis, type TableSpec } from './report/report.ts';

// Statistics
/** Quantiles and medians of number lists. */
export { median, quantile } from './math/statistics.ts';

// Linear algebra and data sets
/** Closed-form 2×2 matrix exponential. */
export { expm2 } from './linalg/expm2.ts';

export {
  leastSquares,
  type LeastSquaresOptions,
  type LeastSquaresResult,
} from './linalg/least-squares.ts';

// Pharmacometrics: population (NLME) estimation.
/** NONMEM-style data sets → validated per-subject records. */
export {
  readNonmemData,
  readNonmemFile,
  NONMEM_ITEMS,
  type NonmemData,
  type NonmemDataOptions,
  type DataColumns,
  type DataWarning,
  type DataWarningCode,
  type NonmemItem,
} from './pharmacometrics/nonmem-data.ts';
export type {
  DoseRecord,
  ObservationRecord,
  SubjectRecords,
  CovariateSeries,
} from './pharmacometrics/records.ts';
/** NONMEM dose semantics → explicit schedule (ADDL/II, ALAG, F, RATE/DUR/−1/−2, EVID 3/4, SS). */
export {
  doseSchedule,
  type DoseScheduleOptions,
} from './pharmacometrics/dosing/build-dose-schedule.ts';
export {
  type BolusDose,
  type InfusionDose,
  type SteadyStateDose,
  type DoseSchedule,
  isSteadyStateInfusion,
  describeSteadyState,
} from './pharmacometrics/dosing/dose-schedule.ts';
export {
  type DoseModifiers,
  type ByCompartment,
  checkDoseModifiers,
} from './pharmacometrics/dosing/dose-modifiers.ts';
export {
  doseTimeline,
  TimelineAction,
  type DoseTimeline,
} from './pharmacometrics/dosing/dose-timeline.ts';
export { periodicInput, type PeriodicInput } from './pharmacometrics/dosing/periodic-input.ts';
/** A schedule as solver events for a plain `solve`. */
export {
  scheduleEvents,
  type ScheduleEventOptions,
  type SteadyStateFunction,
} from './pharmacometrics/dosing/schedule-events.ts';
export {
  infusionRateParameters,
  INFUSION_RATE_PREFIX,
  type RateParameters,
  type ModelWithLayout,
} from './pharmacometrics/dosing/infusion-inputs.ts';
/** Steady state of any ODE model by iterating dosing intervals. */
export {
  numericSteadyState,
  steadyStateByIteration,
  type SteadyStateSystem,
  type NumericSteadyStateOptions,
  type SteadyStateResult,
  type SteadyStateReport,
} from './pharmacometrics/dosing/numeric-steady-state.ts';
/** Closed-form linear PK (1/2-compartment IV and oral, 3-compartment IV) with analytic steady state. */
export {
  ClosedFormPkModel,
  type EventSide,
} from './pharmacometrics/closed-form/closed-form-pk-model.ts';
export {
  ClosedFormOneCompartment,
  ClosedFormOneCompartmentOral,
  type OneCompartmentParameters,
  type OneCompartmentOralParameters,
} from './pharmacometrics/closed-form/one-compartment.ts';
export {
  ClosedFormTwoCompartment,
  ClosedFormTwoCompartmentOral,
  type TwoCompartmentParameters,
  type TwoCompartmentOralParameters,
} from './pharmacometrics/closed-form/two-compartment.ts';
export {
  ClosedFormThreeCompartment,
  type ThreeCompartmentParameters,
} from './pharmacometrics/closed-form/three-compartment.ts';
export {
  phi1,
  decayDifference,
  decayDifferenceIntegral,
} from './pharmacometrics/closed-form/exponential-kernels.ts';
/** Residual error models (additive, proportional, both combined conventions, lognormal). */
export {
  ResidualVariance,
  type ResidualError,
  type ResidualErrorType,
} from './pharmacometrics/estimation/residual-error.ts';
/** Per-subject FO/FOCE/FOCEI/Laplace objectives (NONMEM convention) and η̂. */
export {
  SubjectNlme,
  type NlmeMethod,
  type SubjectPredictor,
  type SubjectObjective,
  type ConditionalOptions,
  type SubjectFailure,
  type SubjectFailureKind,
} from './pharmacometrics/estimation/nlme-objective.ts';
/** Population models: θ, Ω (log-Cholesky), residual error, individual parameters. */
export {
  PopulationModel,
  type PopulationModelSpec,
  type BoundedTheta,
  type PopulationSubject,
  type IndividualFunction,
  type IndividualBlock,
} from './pharmacometrics/estimation/population-model.ts';
/** Data records → population subjects with closed-form predictions (any dosing regimen). */
export {
  closedFormSubjects,
  type ClosedFormSubjectsSpec,
} from './pharmacometrics/estimation/closed-form-subjects.ts';
/** Data records → population subjects predicting through an ODE model (exact ∂f/∂φ). */
export { odeSubjects, type OdeSubjectsSpec } from './pharmacometrics/estimation/ode-subjects.ts';
/** Population fits with standard errors, shrinkage, EBEs and residual diagnostics. */
export {
  fitPopulation,
  fitPopulationAsync,
  loadPopulationFitCheckpoint,
  type FitPopulationAsyncOptions,
  type PopulationFitRun,
  type PopulationFitCheckpoint,
  PopulationObjective,
  type FitPopulationOptions,
  type PopulationFit,
  type Estimate,
  type ObservationDiagnostics,
  type PopulationThreadOptions,
  type PopulationSetup,
  type InformationCriteria,
  type PopulationStopReason,
  type ObjectiveFailure,
  POPULATION_THREADS_MIN_PREDICTION_US,
} from './pharmacometrics/estimation/fit-population.ts';
/** The covariance step's verdict: why R or S gave no standard errors. */
export {
  type CovarianceStep,
  type CovarianceStatus,
} from './pharmacometrics/estimation/covariance-step.ts';
/** The joint (penalised) objective with its gradient: for many fixed effects (weights). */
export {
  JointObjective,
  type JointObjectiveOptions,
} from './pharmacometrics/estimation/joint-objective.ts';
/** Naive pooled and individual (per-subject) fits. */
export {
  fitNaivePooled,
  fitIndividuals,
  type JointFit,
  type JointFitOptions,
} from './pharmacometrics/estimation/fit-pooled-individual.ts';
/** Population fits of models with networks in them: joint steps alternating with FOCEI. */
export {
  fitNeuralPopulation,
  fitNeuralPopulationAsync,
  type NeuralPopulationAsyncOptions,
  type NeuralPopulationRun,
  type NeuralPopulationOptions,
  type NeuralPopulationFit,
  type NeuralPopulationRound,
} from './pharmacometrics/estimation/fit-neural-population.ts';
export {
  loadNeuralFitCheckpoint,
  type NeuralFitCheckpoint,
} from './pharmacometrics/estimation/neural-fit-checkpoint.ts';
/** Seeded simulation of a population (η and ε draws) over a design. */
export {
  simulatePopulation,
  type SimulatedSubject,
} from './pharmacometrics/simulation/simulate-population.ts';
/** Designs (doses, times, covariates) written in code, as data records. */
export {
  designRecords,
  doseRecord,
  withObservations,
  type DesignSpec,
  type DesignDose,
} from './pharmacometrics/simulation/design.ts';
/** Visual predictive checks: observed vs simulated percentiles per time bin. */
export {
  visualPredictiveCheck,
  type Vpc,
  type VpcBin,
  type VpcOptions,
} from './pharmacometrics/diagnostics/vpc.ts';
/** Report sections of a population fit (tables, goodness-of-fit charts, VPC). */
export { addPopulationSections } from './pharmacometrics/report/population-report.ts';
/** Cholesky factorisation of small SPD matrices. */
export {
  choleskyFactor,
  choleskySolve,
  choleskyLogDet,
  choleskyInverse,
} from './linalg/cholesky.ts';

// Surrogates: Fourier series and Chebyshev expansions behind the layer protocol.
/** Chebyshev-expansion layers (alone or in chains) and their least-squares fit. */
export {
  chebyshev,
  Chebyshev,
  chebyshevFit,
  type ChebyshevOptions,
  type ChebyshevBasisKind,
} from './surrogates/chebyshev.ts';
/** Chebyshev points, interpolation (1-D and of a layer on its tensor grid), Clenshaw evaluation. */
export {
  chebyshevPoints,
  chebyshevInterpolate,
  chebyshevInterpolateLayer,
  chebyshevEvaluate,
  type ChebyshevInterpolationOptions,
  type SampleFunction,
} from './surrogates/chebyshev-interpolation.ts';
export { clenshaw, type Interval, type OutsideDomain } from './surrogates/chebyshev-basis.ts';
/** Fourier-series layers (additive or tensor in several inputs) and their least-squares fit. */
export {
  fourier,
  Fourier,
  fourierFit,
  type FourierOptions,
  type FourierForm,
} from './surrogates/fourier.ts';
/** The product-basis engine both surrogates share (for adding univariate bases). */
export {
  ProductBasisLayer,
  type ProductBasisCache,
  type UnivariateBasis,
  type CoefficientInit,
} from './surrogates/product-basis.ts';
export type {
  CoefficientFit,
  CoefficientFitOptions,
  SampleMatrix,
} from './surrogates/basis-fit.ts';
export type { Recurrence, SourceScope } from './surrogates/product-basis-kernels.ts';

// Equation discovery: sparse regression over candidate libraries (SINDy).
export {
  polynomialLibrary,
  libraryMatrix,
  PolynomialLibrary,
  type CandidateLibrary,
  type PolynomialLibraryOptions,
} from './discovery/polynomial-library.ts';

export {
  sparseRegression,
  stlsq,
  SparseModel,
  type SparseFit,
  type SparseRegressionSpec,
  type StlsqOptions,
  type ModelSelection,
} from './discovery/stlsq.ts';
/** The matrix-exponential learning problem. */
export {
  matrixExponentialData,
  type MatrixExponentialData,
} from './datasets/matrix-exponential.ts';

// ODE solvers
/** Initial value problems. */
export {
  odeProblem,
  type ODEProblem,
  type ODEProblemSpec,
  type RightHandSide,
  type JacobianFunction,
  type TimeDerivative,
} from '../solvers/problem.ts';
/** Solving them: explicit Runge–Kutta, Rosenbrock, automatic switching. */
export { solve, explicitMethods, rosenbrockMethods, type MethodName } from '../solvers/solve.ts';
/** Options, events at known times. */
export type { SolveOptions, TimedEvent } from '../solvers/options.ts';
/** Solutions: saved states, dense output, events, statistics, return codes. */
export { ODESolution, type EventRecord } from '../solvers/solution.ts';
/** Return codes and work counters. */
export type { ReturnCode, SolverStats } from '../solvers/return-code.ts';
/** Method descriptions (tableaus) for adding methods. */
export type { ExplicitTableau, DenseOutput, ExtraStages } from '../solvers/explicit/tableau.ts';
export type { RosenbrockTableau } from '../solvers/stiff/rosenbrock.ts';
/** ODEX (Gragg–Bulirsch–Stoer extrapolation) through the same interface. */
export { solveWithOdex } from '../solvers/odex-adapter.ts';
/** Dense LU with partial pivoting. */
export { luFactor, luSolve } from '../solvers/stiff/lu.ts';
/** Standard test problems with reference solutions (for validating and benchmarking solvers). */
export {
  allTestProblems,
  referenceError,
  arenstorf,
  hires,
  lotkaVolterra,
  orego,
  pleiades,
  robertson,
  vanDerPol,
  type TestProblem,
} from '../solvers/problem-library/index.ts';

// Differentiable models and sensitivities
/** The right-hand-side contract with VJP, JVP and Jacobian; models from plain functions. */
export {
  odeModel,
  jacobianFromVjp,
  jvpFromJacobian,
  type ODEModel,
  type ODEModelSpec,
  type RhsFunction,
  type RhsVjp,
  type RhsJvp,
  type RhsJacobian,
} from './model/ode-model.ts';
/** Checks any right-hand-side VJP against central finite differences. */
export { checkVjp, type VjpCheck, type VjpCheckOptions } from './model/check-vjp.ts';
/** Observation functions y = h(u, p, t) with their pullbacks. */
export { observeStates, type Observation } from './model/observation.ts';
/** Models compiled from mathjs expressions (value, VJP, JVP, Jacobian as generated code). */
export {
  expressionModel,
  ExpressionModel,
  type ExpressionModelSpec,
} from './expressions/expression-model.ts';
/** Residual error models: sum of squares, additive / proportional / combined Gaussian. */
export {
  ObservationError,
  type ErrorModelSpec,
  type ErrorParameter,
} from './losses/observation-error.ts';
/** Loss and gradient over an ODE solution by forward sensitivities or adjoints. */
export {
  odeObjective,
  ODEObjective,
  type ODEObjectiveSpec,
  type ObservationData,
  type InitialState,
  type SensitivityMethod,
} from '../solvers/sensitivity/ode-objective.ts';
/** Events the gradient can cross (doses), with their pullbacks. */
export { bolus, type DifferentiableEvent, type DoseAmount } from '../solvers/sensitivity/events.ts';
/** u(t) and ∂u(t)/∂p at given times by forward sensitivities (one augmented solve). */
export {
  stateSensitivities,
  type StateSensitivityOptions,
} from '../solvers/sensitivity/forward-sensitivity.ts';
/** Work counts of a gradient evaluation. */
export type { SensitivityCounts } from '../solvers/sensitivity/context.ts';
/** Gauss–Legendre rules on [0, 1]. */
export { gaussLegendre, type QuadratureRule } from '../solvers/sensitivity/gauss-legendre.ts';
