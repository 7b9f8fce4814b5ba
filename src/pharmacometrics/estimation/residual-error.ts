/**
 * Residual error models of population fits: the variance R of an observation given its
 * prediction f, and dR/df (the "interaction" between η and ε in FOCEI and Laplace).
 *
 * | type                 | parameters           | R(f)              |
 * | -------------------- | -------------------- | ----------------- |
 * | `additive`           | a (SD)               | a²                |
 * | `proportional`       | b (CV)               | b²·f²             |
 * | `combined-variance`  | a, b                 | a² + b²·f²        |  (NONMEM's usual; nlmixr2 combined2)
 * | `combined-sd`        | a, b                 | (a + b·|f|)²      |  (nlmixr2 combined1)
 * | `lognormal`          | a (SD of log y)      | a² on log scale   |  (y and f compared as logs)
 *
 * The two combined conventions are named explicitly because tools differ in their default.
 */
import { ScichainError } from '../../core/errors.ts';

/** Name of a residual error model (see the module comment). */
export type ResidualErrorType =
  'additive' | 'proportional' | 'combined-variance' | 'combined-sd' | 'lognormal';

/** A residual error model with its parameter values. */
export interface ResidualError {
  readonly type: ResidualErrorType;
  /** Additive SD a (additive, combined, lognormal). */
  readonly additive?: number;
  /** Proportional coefficient b (proportional, combined). */
  readonly proportional?: number;
}

/** The variance function of a residual model, checked once. */
export class ResidualVariance {
  readonly type: ResidualErrorType;
  private readonly a: number;
  private readonly b: number;

  constructor(model: ResidualError) {
    this.type = model.type;
    const needsA = model.type !== 'proportional';
    const needsB =
      model.type === 'proportional' ||
      model.type === 'combined-variance' ||
      model.type === 'combined-sd';
    const check = (value: number | undefined, name: string, needed: boolean): number => {
      if (!needed) return 0;
      if (value === undefined || !Number.isFinite(value) || value < 0) {
        throw new ScichainError(
          'InvalidArgument',
          `residual error '${model.type}' needs a finite ${name} ≥ 0, got ${value}`,
        );
      }
      return value;
    };
    if (
      !['additive', 'proportional', 'combined-variance', 'combined-sd', 'lognormal'].includes(
        model.type,
      )
    ) {
      throw new ScichainError(
        'UnknownName',
        `unknown residual error type '${String(model.type)}'; expected additive, proportional, combined-variance, combined-sd or lognormal`,
      );
    }
    this.a = check(model.additive, 'additive SD', needsA);
    this.b = check(model.proportional, 'proportional coefficient', needsB);
  }

  /** Whether observations and predictions are compared on the log scale. */
  get logScale(): boolean {
    return this.type === 'lognormal';
  }

  /** R(f) (f on the comparison scale: log f for lognormal). */
  variance(f: number): number {
    const { a, b } = this;
    switch (this.type) {
      case 'additive':
      case 'lognormal':
        return a * a;
      case 'proportional':
        return b * b * f * f;
      case 'combined-variance':
        return a * a + b * b * f * f;
      case 'combined-sd': {
        const sd = a + b * Math.abs(f);
        return sd * sd;
      }
    }
  }

  /**
   * ∂R/∂(log a) or ∂R/∂(log b) at f: how the variance moves with a residual parameter on the log
   * scale that population fits estimate it on.
   */
  logParameterDerivative(kind: 'additive' | 'proportional', f: number): number {
    const { a, b } = this;
    switch (this.type) {
      case 'additive':
      case 'lognormal':
        return kind === 'additive' ? 2 * a * a : 0;
      case 'proportional':
        return kind === 'proportional' ? 2 * b * b * f * f : 0;
      case 'combined-variance':
        return kind === 'additive' ? 2 * a * a : 2 * b * b * f * f;
      case 'combined-sd': {
        const sd = a + b * Math.abs(f);
        return kind === 'additive' ? 2 * sd * a : 2 * sd * b * Math.abs(f);
      }
    }
  }

  /** dR/df. */
  derivative(f: number): number {
    const { a, b } = this;
    switch (this.type) {
      case 'additive':
      case 'lognormal':
        return 0;
      case 'proportional':
      case 'combined-variance':
        return 2 * b * b * f;
      case 'combined-sd':
        return 2 * (a + b * Math.abs(f)) * b * Math.sign(f);
    }
  }
}
