/**
 * `scichain/pharmacometrics`: population (NLME) pharmacokinetics and pharmacodynamics — NONMEM-style
 * data sets, dose schedules with NONMEM semantics, closed-form linear PK models, population models
 * with FO/FOCE/FOCEI/Laplace objectives, population and neural-population fits with standard
 * errors and diagnostics, simulation and visual predictive checks. Reading data files from disk
 * is in `scichain/node`; report sections of a fit are in `scichain/report`.
 *
 * @module scichain/pharmacometrics
 */

// Data
/** NONMEM-style data sets → validated per-subject records. */
export {
  readNonmemData,
  NONMEM_ITEMS,
  type NonmemData,
  type NonmemDataOptions,
  type DataColumns,
  type DataWarning,
  type DataWarningCode,
  type NonmemItem,
} from './nonmem-data.ts';
export type { DoseRecord, ObservationRecord, SubjectRecords, CovariateSeries } from './records.ts';

// Dosing
/** NONMEM dose semantics → explicit schedule (ADDL/II, ALAG, F, RATE/DUR/−1/−2, EVID 3/4, SS). */
export { doseSchedule, type DoseScheduleOptions } from './dosing/build-dose-schedule.ts';
export {
  type BolusDose,
  type InfusionDose,
  type SteadyStateDose,
  type DoseSchedule,
  isSteadyStateInfusion,
  describeSteadyState,
} from './dosing/dose-schedule.ts';
export {
  type DoseModifiers,
  type ByCompartment,
  checkDoseModifiers,
} from './dosing/dose-modifiers.ts';
export { doseTimeline, TimelineAction, type DoseTimeline } from './dosing/dose-timeline.ts';
export { periodicInput, type PeriodicInput } from './dosing/periodic-input.ts';
/** A schedule as solver events for a plain `solve`. */
export {
  scheduleEvents,
  type ScheduleEventOptions,
  type SteadyStateFunction,
} from './dosing/schedule-events.ts';
export {
  infusionRateParameters,
  INFUSION_RATE_PREFIX,
  type RateParameters,
  type ModelWithLayout,
} from './dosing/infusion-inputs.ts';
/** Steady state of any ODE model by iterating dosing intervals. */
export {
  numericSteadyState,
  steadyStateByIteration,
  type SteadyStateSystem,
  type NumericSteadyStateOptions,
  type SteadyStateResult,
  type SteadyStateReport,
} from './dosing/numeric-steady-state.ts';

// Models
/** Closed-form linear PK (1/2-compartment IV and oral, 3-compartment IV) with analytic steady state. */
export { ClosedFormPkModel, type EventSide } from './closed-form/closed-form-pk-model.ts';
export {
  ClosedFormOneCompartment,
  ClosedFormOneCompartmentOral,
  type OneCompartmentParameters,
  type OneCompartmentOralParameters,
} from './closed-form/one-compartment.ts';
export {
  ClosedFormTwoCompartment,
  ClosedFormTwoCompartmentOral,
  type TwoCompartmentParameters,
  type TwoCompartmentOralParameters,
} from './closed-form/two-compartment.ts';
export {
  ClosedFormThreeCompartment,
  type ThreeCompartmentParameters,
} from './closed-form/three-compartment.ts';

// Estimation
/** Residual error models (additive, proportional, both combined conventions, lognormal). */
export {
  ResidualVariance,
  type ResidualError,
  type ResidualErrorType,
} from './estimation/residual-error.ts';
/** Per-subject FO/FOCE/FOCEI/Laplace objectives (NONMEM convention) and η̂. */
export {
  SubjectNlme,
  type NlmeMethod,
  type SubjectPredictor,
  type SubjectObjective,
  type ConditionalOptions,
  type SubjectFailure,
  type SubjectFailureKind,
} from './estimation/nlme-objective.ts';
/** Population models: θ, Ω (log-Cholesky), residual error, individual parameters. */
export {
  PopulationModel,
  type PopulationModelSpec,
  type BoundedTheta,
  type PopulationSubject,
  type IndividualFunction,
  type IndividualBlock,
} from './estimation/population-model.ts';
/** Data records → population subjects with closed-form predictions (any dosing regimen). */
export {
  closedFormSubjects,
  type ClosedFormSubjectsSpec,
} from './estimation/closed-form-subjects.ts';
/** Data records → population subjects predicting through an ODE model (exact ∂f/∂φ). */
export { odeSubjects, type OdeSubjectsSpec } from './estimation/ode-subjects.ts';
/** Population fits with standard errors, shrinkage, EBEs and residual diagnostics. */
export {
  fitPopulation,
  fitPopulationAsync,
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
  POPULATION_THREADS_MIN_PREDICTION_US,
  informationCriteria,
} from './estimation/fit-population.ts';
export type { ObjectiveFailure } from './estimation/outer-run.ts';
/** The covariance step's verdict: why R or S gave no standard errors. */
export { type CovarianceStep, type CovarianceStatus } from './estimation/covariance-step.ts';
/** The joint (penalised) objective with its gradient: for many fixed effects (weights). */
export { JointObjective, type JointObjectiveOptions } from './estimation/joint-objective.ts';
/** Naive pooled and individual (per-subject) fits. */
export {
  fitNaivePooled,
  fitIndividuals,
  type JointFit,
  type JointFitOptions,
} from './estimation/fit-pooled-individual.ts';
/** Population fits of models with networks in them: joint steps alternating with FOCEI. */
export {
  fitNeuralPopulation,
  fitNeuralPopulationAsync,
  type NeuralPopulationAsyncOptions,
  type NeuralPopulationRun,
  type NeuralPopulationOptions,
  type NeuralPopulationFit,
  type NeuralPopulationRound,
} from './estimation/fit-neural-population.ts';
export type { NeuralFitCheckpoint } from './estimation/neural-fit-checkpoint.ts';

// Simulation and diagnostics
/** Seeded simulation of a population (η and ε draws) over a design. */
export { simulatePopulation, type SimulatedSubject } from './simulation/simulate-population.ts';
/** Designs (doses, times, covariates) written in code, as data records. */
export {
  designRecords,
  doseRecord,
  withObservations,
  type DesignSpec,
  type DesignDose,
} from './simulation/design.ts';
/** Visual predictive checks: observed vs simulated percentiles per time bin. */
export {
  visualPredictiveCheck,
  type Vpc,
  type VpcBin,
  type VpcOptions,
} from './diagnostics/vpc.ts';
