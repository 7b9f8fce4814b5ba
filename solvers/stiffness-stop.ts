/**
 * Stops an explicit method on a stiff problem (Hairer's test, as DOPRI5 does with its "problem
 * is probably stiff" return): after each accepted step the stepper's estimate of h·|λ| for the
 * dominant eigenvalue (`Stepper.measures[1]`, from the last two stages, in the Euclidean norm as
 * in DOPRI5: `RungeKuttaStepper.euclideanStiffness`) is compared with 0.9 ×
 * the method's real stability boundary. A step above it is being held by stability, not
 * accuracy. `steps` such steps — with fewer than 6 non-stiff ones in between, so the step-size
 * controller's oscillation around the boundary does not reset the count — mean the method will
 * crawl through the span at the stability limit (and store every one of those steps): the solve
 * stops with `Stiff` instead. `'auto'` switches to a stiff method at this point instead.
 */

const RELAPSE_COUNT = 6;

/** Counts stability-limited steps of an explicit method. */
export class StiffnessStop {
  /** h·|λ| above which a step is held by stability. */
  readonly limit: number;
  /** Consecutive stiff steps after which the solve stops. */
  readonly steps: number;
  private stiffSteps = 0;
  private nonStiffSteps = 0;
  /** The last indicator value seen above the limit (for the message). */
  lastIndicator = 0;

  /** `boundary`: the method's real stability boundary; `steps`: how many stiff steps to allow. */
  constructor(boundary: number, steps: number) {
    this.limit = 0.9 * boundary;
    this.steps = steps;
  }

  /** After an accepted step with indicator h·|λ| (NaN when unknown): whether to stop. */
  stiff(indicator: number): boolean {
    if (indicator > this.limit) {
      this.nonStiffSteps = 0;
      this.lastIndicator = indicator;
      return ++this.stiffSteps >= this.steps;
    }
    if (++this.nonStiffSteps >= RELAPSE_COUNT) this.stiffSteps = 0;
    return false;
  }

  /** Why the solve stopped, for `method` at time `t`. */
  message(method: string, t: number): string {
    return (
      `the problem is stiff: ${method}'s step has been limited by stability, not accuracy, ` +
      `for ${this.steps} steps (h·|λ| ≈ ${this.lastIndicator.toPrecision(3)}, ` +
      `its stability limit ${(this.limit / 0.9).toPrecision(3)}) up to t = ${t}; ` +
      "solve it with 'auto' or a stiff method ('Rodas5P'), or pass stiffSteps: Infinity to continue"
    );
  }
}
