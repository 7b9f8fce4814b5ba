/**
 * What a population fit checks before it starts and after it stops, so that a degenerate fit
 * says what is wrong instead of reporting success:
 *
 * - before: errors for data that cannot be fitted (no observations, a non-finite DV, a lognormal
 *   DV ≤ 0, every DV of an endpoint identical) and for parameters the objective cannot depend on
 *   (a θ or η that moves no individual parameter); warnings for subjects without observations;
 * - after: warnings for estimates at a boundary (ω² near zero, a correlation near ±1, a
 *   residual parameter near zero, a bounded θ at its bound).
 *
 * Why an unused θ or η is an error rather than a warning: the objective is exactly flat along it,
 * so its estimate is its start, the Hessian is singular and no parameter gets a standard error —
 * and it is almost always a misspelt name. A θ that is meant to stay unused can be held with
 * `fixed`, which this check respects.
 */
import { ScichainError } from '../../core/errors.ts';
import type { MinimizeResult } from '../../optim/minimize-options.ts';
import type { PopulationModel, PopulationSubject } from './population-model.ts';

/**
 * Why a population fit stopped: `'converged'` (gradient ∞-norm within the tolerance),
 * `'maxIterations'`, `'lineSearchFailed'` (no lower objective along the search direction), or
 * `'nonFiniteObjective'` (the search could not get past points where the objective is not
 * finite — the stop message names the subject, its observation and the parameters).
 */
export type PopulationStopReason =
  'converged' | 'maxIterations' | 'lineSearchFailed' | 'nonFiniteObjective';

/**
 * The stop reason of an L-BFGS run; `failedInLastSearch`: the objective was not finite at a point
 * tried after the last completed iteration (so the search that ended the run ran into it).
 */
export function stopReasonOf(
  run: MinimizeResult,
  failedInLastSearch: boolean,
): PopulationStopReason {
  if (run.converged) return 'converged';
  if (failedInLastSearch) return 'nonFiniteObjective';
  return run.reason === 'MaxIterations' ? 'maxIterations' : 'lineSearchFailed';
}

/** 3 significant digits, in exponent form below 1e-3 (0.0000083 reads badly). */
function figure(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toPrecision(3);
}

/**
 * The stop in words: `where` describes the failing point for `'nonFiniteObjective'` (e.g.
 * `tcl = 0.64, … , where subject S1, observation 1 (time 0.5): the prediction is NaN`).
 */
export function stopMessageOf(
  reason: PopulationStopReason,
  run: MinimizeResult,
  gradientTolerance: number,
  where: string,
): string {
  const gradient = `gradient ∞-norm ${figure(run.gradientNorm)}`;
  const after = `stopped after ${run.iterations} iterations with ${gradient} > ${gradientTolerance}`;
  switch (reason) {
    case 'converged':
      return `converged: ${gradient} ≤ ${gradientTolerance} after ${run.iterations} iterations`;
    case 'maxIterations':
      return `${after}: not converged (raise maxIterations or start elsewhere)`;
    case 'nonFiniteObjective':
      return `${after}: the objective is not finite at ${where}; the line search could not get past it`;
    case 'lineSearchFailed': {
      const h = run.history;
      const fell = h[Math.max(0, h.length - 4)] - h[h.length - 1];
      return `${after}: the line search found no lower objective along the search direction (a noisy difference gradient, or parameters the data do not determine); the objective fell by ${figure(fell)} over the last iterations`;
    }
  }
}

/** A list of names, at most `limit` of them then `… (n in all)`. */
export function nameList(names: readonly string[], limit = 8): string {
  if (names.length <= limit) return names.join(', ');
  return `${names.slice(0, limit).join(', ')}, … (${names.length} in all)`;
}

/**
 * Checks the subjects' observations against the model; throws a ScichainError naming the subject,
 * observation and time for what cannot be fitted, and returns warnings for the rest.
 */
export function checkObservations(
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
): string[] {
  const warnings: string[] = [];
  const empty: string[] = [];
  const endpoints = model.endpointNames.length;
  const first = new Float64Array(endpoints).fill(NaN);
  const varies = new Uint8Array(endpoints);
  const counts = new Int32Array(endpoints);
  for (const subject of subjects) {
    const y = subject.observations;
    if (y.length === 0) {
      empty.push(subject.id);
      continue;
    }
    if (subject.times.length !== y.length)
      throw new ScichainError(
        'ShapeMismatch',
        `subject ${subject.id} has ${y.length} observations but ${subject.times.length} observation times`,
      );
    for (let j = 0; j < y.length; j++) {
      const e = subject.endpoints === undefined ? 0 : subject.endpoints[j];
      const where = `subject ${subject.id}, observation ${j + 1} (time ${subject.times[j]})`;
      if (!Number.isFinite(y[j])) throw new ScichainError('NonFinite', `${where}: DV is ${y[j]}`);
      if (!(e >= 0 && e < endpoints)) continue; // the objective's constructor names it
      if (model.residualTypes[e] === 'lognormal' && !(y[j] > 0))
        throw new ScichainError(
          'InvalidArgument',
          `${where}: DV is ${y[j]}, but lognormal error${endpointLabel(model, e)} compares logs and needs DV > 0`,
        );
      counts[e]++;
      if (Number.isNaN(first[e])) first[e] = y[j];
      else if (y[j] !== first[e]) varies[e] = 1;
    }
  }
  if (empty.length === subjects.length)
    throw new ScichainError(
      'InvalidArgument',
      `no subject has observations (${subjects.length} subject${subjects.length === 1 ? '' : 's'}: ${nameList(empty)}): there is nothing to fit`,
    );
  if (empty.length > 0)
    warnings.push(
      `subject${empty.length === 1 ? '' : 's'} ${nameList(empty)} ha${empty.length === 1 ? 's' : 've'} no observations: they add nothing to the objective`,
    );
  for (let e = 0; e < endpoints; e++) {
    if (counts[e] >= 2 && !varies[e])
      throw new ScichainError(
        'InvalidArgument',
        `every observation${endpointLabel(model, e)} (${counts[e]} in all) is ${first[e]}: data without variation determine neither the model's parameters nor its residual error`,
      );
  }
  return warnings;
}

/** ` of endpoint 'pk'`, or '' for a model with one endpoint. */
function endpointLabel(model: PopulationModel, e: number): string {
  const name = model.endpointNames[e];
  return name === '' ? '' : ` of endpoint '${name}'`;
}

/**
 * Throws unless every estimated θ and every η moves some individual parameter of some subject.
 * Probed by perturbing each entry at two points (the start with η = 0, and a shifted θ with a
 * non-zero η) and comparing the individual parameters bit for bit, so a θ whose derivative merely
 * vanishes at the start is not mistaken for an unused one.
 */
export function checkParametersUsed(
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  x: Float64Array,
  fixedThetas: ReadonlySet<number>,
): void {
  const q = model.q;
  const m = model.individualSize;
  const base = new Float64Array(m);
  const moved = new Float64Array(m);
  const shifted = x.slice();
  model.thetaNames.forEach((_, k) => (shifted[k] += 0.1 * (k % 2 === 0 ? 1 : -1) * (1 + k / 7)));
  const points: { x: Float64Array; eta: Float64Array }[] = [
    { x, eta: new Float64Array(q) },
    { x: shifted, eta: Float64Array.from({ length: q }, (_, a) => 0.1 * (a % 2 === 0 ? 1 : -1)) },
  ];
  // φ at (x, η); null when the individual model refuses the point (then nothing is concluded).
  const individual = (
    at: Float64Array,
    eta: Float64Array,
    subject: PopulationSubject,
    out: Float64Array,
  ): boolean => {
    try {
      model.individualAt(at, eta, subject.covariates ?? {}, out);
      return true;
    } catch {
      return false;
    }
  };
  const same = (a: Float64Array, b: Float64Array): boolean => {
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  };
  // Whether perturbing an entry (of x or of η) changes φ anywhere.
  const used = (perturb: (x: Float64Array, eta: Float64Array, sign: 1 | -1) => void): boolean => {
    for (const point of points)
      for (const subject of subjects) {
        const px = point.x.slice();
        const pe = point.eta.slice();
        if (!individual(px, pe, subject, base)) return true;
        for (const sign of [1, -1] as const) {
          px.set(point.x);
          pe.set(point.eta);
          perturb(px, pe, sign);
          if (!individual(px, pe, subject, moved) || !same(base, moved)) return true;
        }
      }
    return false;
  };
  const names = nameList(
    model.individualNames.filter((_, i) => !model.individualBlocks[i]?.weights),
  );
  model.thetaNames.forEach((name, k) => {
    if (fixedThetas.has(k)) return;
    if (!used((px, _, sign) => (px[k] += sign * 1e-3 * Math.max(1, Math.abs(px[k])))))
      throw new ScichainError(
        'InvalidArgument',
        `θ '${name}' is used by no individual parameter (${names}): the objective does not depend on it, so it cannot be estimated — remove it, or hold it with fixed: ['${name}']`,
      );
  });
  model.etaNames.forEach((name, a) => {
    if (!used((_, pe, sign) => (pe[a] += sign * 1e-3)))
      throw new ScichainError(
        'InvalidArgument',
        `random effect '${name}' moves no individual parameter (${names}): its variance ω²(${name}) cannot be estimated — remove it from omega or use eta.${name}`,
      );
  });
}

/** Warnings about estimates at a boundary of their space, at the final x. */
export function boundaryWarnings(
  model: PopulationModel,
  x: ArrayLike<number>,
  subjects: readonly PopulationSubject[],
): string[] {
  const warnings: string[] = [];
  const q = model.q;
  const omega = model.omega(x);
  for (let a = 0; a < q; a++) {
    const v = omega[a * q + a];
    if (v < 1e-6)
      warnings.push(
        `ω²(${model.etaNames[a]}) = ${v.toPrecision(3)} is near zero: the data show no between-subject variability in it (consider removing η ${model.etaNames[a]})`,
      );
    for (let b = 0; b < a; b++) {
      const rho = omega[a * q + b] / Math.sqrt(omega[a * q + a] * omega[b * q + b]);
      if (Math.abs(rho) > 0.99)
        warnings.push(
          `the correlation of η ${model.etaNames[a]} and η ${model.etaNames[b]} is ${rho.toFixed(4)}: near ±1, Ω is nearly singular`,
        );
    }
  }
  // A residual parameter near zero: relative to the observations' size for additive ones.
  let scale = 0;
  let count = 0;
  for (const s of subjects)
    for (let j = 0; j < s.observations.length; j++) {
      scale += Math.abs(s.observations[j]);
      count++;
    }
  scale = count > 0 ? scale / count : 1;
  const residuals = model.residuals(x);
  model.residualParameters.forEach(({ endpoint, kind }, i) => {
    const value = residuals[endpoint][kind]!;
    const relative =
      kind === 'additive' && model.residualTypes[endpoint] !== 'lognormal'
        ? value / Math.max(scale, 1e-300)
        : value;
    if (relative < 1e-6)
      warnings.push(
        `residual ${model.residualLabel(i)} = ${value.toPrecision(3)} is near zero: the predictions reproduce the data exactly`,
      );
  });
  const theta = model.theta(x);
  model.thetaNames.forEach((name, k) => {
    const entry = model.spec.theta[name];
    if (typeof entry === 'number') return;
    const lower = entry.lower ?? -Infinity;
    const upper = entry.upper ?? Infinity;
    if (!(lower > -Infinity || upper < Infinity)) return;
    // x holds log(θ − lower), log(upper − θ) or the logit: −15 (or +15 for the logit's upper
    // bound) is within e⁻¹⁵ of a bound.
    const twoSided = lower > -Infinity && upper < Infinity;
    if (x[k] < -15 || (twoSided && x[k] > 15)) {
      const bound = Math.abs(theta[name] - lower) < Math.abs(upper - theta[name]) ? lower : upper;
      warnings.push(`θ '${name}' = ${theta[name].toPrecision(6)} is at its bound ${bound}`);
    }
  });
  return warnings;
}
