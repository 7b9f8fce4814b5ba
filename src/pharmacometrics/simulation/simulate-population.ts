/**
 * Simulation from a population model: for each subject of a design, draw η ~ N(0, Ω) and
 * residual errors ε from the residual model, seeded — the same seed gives the same numbers.
 * Used for visual predictive checks and for making data sets.
 */
import { ScichainError } from '../../core/errors.ts';
import { choleskyFactor } from '../../linalg/cholesky.ts';
import { Rng } from '../../core/rng.ts';
import type { PopulationModel, PopulationSubject } from '../estimation/population-model.ts';
import { ResidualVariance } from '../estimation/residual-error.ts';

/** One simulated subject. */
export interface SimulatedSubject {
  readonly id: string;
  readonly times: Float64Array;
  /** Random effects drawn for the subject (q). */
  readonly eta: Float64Array;
  /** Individual predictions (no residual error). */
  readonly ipred: Float64Array;
  /** Observations with residual error (natural scale). */
  readonly observations: Float64Array;
}

/**
 * Simulates each subject of `design` (its times, covariates and prediction function) once at
 * the parameter vector x. `rng` draws η then ε per subject, in subject order.
 */
export function simulatePopulation(
  model: PopulationModel,
  x: ArrayLike<number>,
  design: readonly PopulationSubject[],
  rng: Rng,
): SimulatedSubject[] {
  const q = model.q;
  const omega = model.omega(x);
  const factor = omega.slice();
  if (!choleskyFactor(factor, q))
    throw new ScichainError('InvalidArgument', 'Ω is not positive definite');
  const theta = model.theta(x);
  const variances = model.residuals(x).map((r) => new ResidualVariance(r));
  const phi = new Float64Array(model.individualSize);
  const weights = model.weights(Float64Array.from(x));
  const etaRecord: Record<string, number> = {};
  const z = new Float64Array(q);
  for (const subject of design) {
    for (const name of model.covariateNames) {
      const value = subject.covariates !== undefined && Object.hasOwn(subject.covariates, name);
      if (!value || !Number.isFinite(subject.covariates![name])) {
        throw new ScichainError(
          'InvalidArgument',
          `subject ${subject.id} has no finite covariate '${name}', which the individual model uses`,
        );
      }
    }
  }
  return design.map((subject) => {
    const eta = new Float64Array(q);
    for (let k = 0; k < q; k++) z[k] = rng.normal();
    for (let a = 0; a < q; a++) {
      let s = 0;
      for (let b = 0; b <= a; b++) s += factor[a * q + b] * z[b];
      eta[a] = s;
    }
    model.etaNames.forEach((name, k) => (etaRecord[name] = eta[k]));
    model.individual(theta, etaRecord, subject.covariates ?? {}, phi, weights);
    const n = subject.times.length;
    const ipred = new Float64Array(n);
    subject.predict(phi, ipred);
    // A NaN prediction would become a NaN observation, and a VPC or data set built on it wrong.
    for (let j = 0; j < n; j++) {
      if (!Number.isFinite(ipred[j])) {
        const named = model.individualNames.map((name, k) => `${name} = ${phi[k]}`).join(', ');
        throw new ScichainError(
          'NonFinite',
          `subject ${subject.id}: the prediction at time ${subject.times[j]} is ${ipred[j]} (φ: ${named}, η: ${Array.from(eta).join(', ')})`,
        );
      }
    }
    const observations = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const variance = variances[subject.endpoints ? subject.endpoints[j] : 0];
      const f = variance.logScale ? Math.log(ipred[j]) : ipred[j];
      const y = f + Math.sqrt(variance.variance(f)) * rng.normal();
      observations[j] = variance.logScale ? Math.exp(y) : y;
    }
    return { id: subject.id, times: Float64Array.from(subject.times), eta, ipred, observations };
  });
}
