/**
 * How a solve ended. The names are the field's (DifferentialEquations.jl's return codes):
 * - `Success`: reached the end of tspan;
 * - `MaxIters`: the step limit `maxSteps` was reached;
 * - `DtLessThanMin`: the step size had to fall below `dtmin` to meet the tolerances;
 * - `Unstable`: the state or its derivative became non-finite and smaller steps did not help;
 * - `Singular`: the iteration matrix of an implicit method could not be factorised;
 * - `Stiff`: an explicit method's step was limited by stability, not accuracy, for `stiffSteps`
 *   steps (the problem is stiff: use `'auto'` or a stiff method);
 * - `MemoryLimit`: storing the solution (every step's state, dense records) would exceed
 *   `memoryLimit`.
 */
export type ReturnCode =
  'Success' | 'MaxIters' | 'DtLessThanMin' | 'Unstable' | 'Singular' | 'Stiff' | 'MemoryLimit';

/** Work counters of a solve. */
export interface SolverStats {
  /** Right-hand-side evaluations (including finite-difference Jacobians). */
  rhsCalls: number;
  /** Analytic or finite-difference Jacobian evaluations. */
  jacobianCalls: number;
  /** LU factorisations of iteration matrices. */
  luFactorizations: number;
  /** Linear solves with a factorisation. */
  linearSolves: number;
  acceptedSteps: number;
  rejectedSteps: number;
  /** Switches between the explicit and the stiff method (automatic choice only). */
  stiffnessSwitches: number;
  /** Time at which the automatic choice first switched to the stiff method, or null. */
  stiffSince: number | null;
}

/** Zeroed counters. */
export function emptyStats(): SolverStats {
  return {
    rhsCalls: 0,
    jacobianCalls: 0,
    luFactorizations: 0,
    linearSolves: 0,
    acceptedSteps: 0,
    rejectedSteps: 0,
    stiffnessSwitches: 0,
    stiffSince: null,
  };
}
