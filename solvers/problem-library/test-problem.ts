/**
 * Standard initial value problems for validating and benchmarking solvers, each with a reference
 * solution at its end time (from the literature where one is published, otherwise computed to
 * ~1e-15 by two independent methods; each file says which).
 */
import type { OdeProblem } from '../../src/core/ode-problem.ts';

/** A problem with its reference end state. */
export interface TestProblem {
  readonly name: string;
  readonly stiff: boolean;
  readonly problem: OdeProblem;
  /** The state at tspan[1]. */
  readonly reference: Float64Array;
  /** Where the reference comes from. */
  readonly referenceSource: string;
  /**
   * Per-component absolute floor for relative-error comparisons (components that pass through or
   * end near zero are compared absolutely below it).
   */
  readonly floor: Float64Array;
}
