/**
 * `scichain/solvers`: ODE initial value problems and their solution (explicit Runge–Kutta,
 * Rosenbrock, automatic stiffness switching, ODEX), the differentiable right-hand-side contract
 * (VJP, JVP, Jacobian), gradients of losses over ODE solutions by forward sensitivities or
 * adjoints, and standard test problems with reference solutions.
 *
 * @module scichain/solvers
 */

// Problems and solving
/** Initial value problems. */
export {
  odeProblem,
  type OdeProblem,
  type OdeProblemSpec,
  type RightHandSide,
  type JacobianFunction,
  type TimeDerivative,
} from '../src/core/ode-problem.ts';
/** Solving them: explicit Runge–Kutta, Rosenbrock, automatic switching. */
export { solve, explicitMethods, rosenbrockMethods, type MethodName } from './solve.ts';
/** Options, events at known times. */
export type { SolveOptions, TimedEvent } from './options.ts';
/** Solutions: saved states, dense output, events, statistics, return codes. */
export { OdeSolution, type EventRecord } from './solution.ts';
/** Return codes and work counters. */
export type { ReturnCode, SolverStats } from './return-code.ts';
/** Method descriptions (tableaus) for adding methods. */
export type { ExplicitTableau, DenseOutput, ExtraStages } from './explicit/tableau.ts';
export type { RosenbrockTableau } from './stiff/rosenbrock.ts';
/** ODEX (Gragg–Bulirsch–Stoer extrapolation) through the same interface. */
export { solveWithOdex } from './odex-adapter.ts';
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
} from './problem-library/index.ts';

// Differentiable models
/** The right-hand-side contract with VJP, JVP and Jacobian; models from plain functions. */
export {
  odeModel,
  jacobianFromVjp,
  jvpFromJacobian,
  type OdeModel,
  type OdeModelSpec,
  type RhsFunction,
  type RhsVjp,
  type RhsJvp,
  type RhsJacobian,
} from '../src/model/ode-model.ts';
/** Checks any right-hand-side VJP against central finite differences. */
export { checkVjp, type VjpCheck, type VjpCheckOptions } from '../src/model/check-vjp.ts';
/** Observation functions y = h(u, p, t) with their pullbacks. */
export { observeStates, type Observation } from '../src/model/observation.ts';

// Sensitivities
/** Residual error models: sum of squares, additive / proportional / combined Gaussian. */
export {
  ObservationError,
  type ErrorModelSpec,
  type ErrorParameter,
} from '../src/losses/observation-error.ts';
/** Loss and gradient over an ODE solution by forward sensitivities or adjoints. */
export {
  odeObjective,
  OdeObjective,
  type OdeObjectiveSpec,
  type ObservationData,
  type InitialState,
  type SensitivityMethod,
} from '../src/training/ode-objective.ts';
/** Events the gradient can cross (doses), with their pullbacks. */
export { bolus, type DifferentiableEvent, type DoseAmount } from './sensitivity/events.ts';
/** u(t) and ∂u(t)/∂p at given times by forward sensitivities (one augmented solve). */
export {
  stateSensitivities,
  type StateSensitivityOptions,
} from './sensitivity/forward-sensitivity.ts';
/** Work counts of a gradient evaluation. */
export type { SensitivityCounts } from './sensitivity/context.ts';
/** Gauss–Legendre rules on [0, 1]. */
export { gaussLegendre, type QuadratureRule } from './sensitivity/gauss-legendre.ts';
