/**
 * The joint (penalised) objective of a population model with its gradient — the objective that
 * fixed effects with many entries (network weights) are estimated on, and that naive pooled and
 * individual fits minimise:
 *
 *   J(θ, η₁…η_N, σ) = Σᵢ [ Σⱼ (ln R_ij + (y_ij − f_ij)²/R_ij) + ηᵢᵀΩ⁻¹ηᵢ ]
 *
 * (−2·log p(y, η | θ, Ω, σ) without constants; each subject's term is the conditional objective
 * whose minimiser is its empirical Bayes estimate). With η free and Ω fixed this is the
 * penalised nonlinear least-squares step of Lindstrom & Bates (1990) — "joint MAP" in Pumas'
 * terms; with η = 0 it is the naive pooled objective (all subjects) or an individual fit (one).
 *
 * The variable z = [x's fixed effects (θ, weights) | residual parameters (log; when estimated) |
 * η₁ | … | η_N (when free)]. Gradients: ∂f/∂φ from the subjects' `predictWithJacobian` (forward
 * sensitivities for ODE subjects: exact) or central differences of `predict` over φ; ∂φ/∂θ and
 * ∂φ/∂η by central differences of the algebraic individual model (relative error ~1e-9); the
 * rest is analytic.
 */
import { ScichainError } from '../../core/errors.ts';
import { choleskyFactor, choleskyInverse } from '../../linalg/cholesky.ts';
import type { Objective, ValueAndGradient } from '../../core/objective.ts';
import type { PopulationModel, PopulationSubject } from './population-model.ts';
import { ResidualVariance } from './residual-error.ts';

/** What {@link JointObjective} estimates besides the fixed effects. */
export interface JointObjectiveOptions {
  /** `'free'`: one η per subject in z, penalised by Ω of `x`; `'zero'`: η = 0, no penalty. */
  readonly eta: 'free' | 'zero';
  /** `'free'`: residual parameters in z; `'fixed'`: at x's values. */
  readonly residual: 'free' | 'fixed';
}

/** Per-subject buffers. */
interface SubjectWork {
  readonly subject: PopulationSubject;
  readonly y: Float64Array;
  /** log y, compared with log f under lognormal error. */
  readonly logY: Float64Array;
  readonly endpoints: Int32Array;
  readonly f: Float64Array;
  readonly up: Float64Array;
  readonly down: Float64Array;
  readonly dfdphi: Float64Array;
  /** ∂J/∂f per observation (natural scale of f). */
  readonly dJdf: Float64Array;
}

/** J and its gradient over z; see the module comment. */
export class JointObjective implements Objective<Float64Array> {
  readonly model: PopulationModel;
  readonly subjects: readonly PopulationSubject[];
  readonly options: JointObjectiveOptions;
  /** Length of z. */
  readonly size: number;
  /** Offsets of the residual parameters and of η₁ in z. */
  readonly residualOffset: number;
  readonly etaOffset: number;
  /** Per-subject values of J from the last evaluation. */
  readonly subjectValues: Float64Array;
  evaluations = 0;
  /**
   * Why the last evaluation that was not finite was not, naming the subject, observation and
   * time (null: none yet). Trial points of a line search may fail; a failed start or end may not.
   */
  lastFailure: string | null = null;
  /** The evaluation (count) of {@link lastFailure}. */
  lastFailureEvaluation = 0;
  private readonly base: Float64Array;
  private readonly work: SubjectWork[];
  private readonly omegaInverse: Float64Array;
  private readonly phi: Float64Array;
  private readonly phiUp: Float64Array;
  private readonly phiDown: Float64Array;
  private readonly dJdphi: Float64Array;

  /** `x` gives Ω and, unless estimated, the residual parameters. */
  constructor(
    model: PopulationModel,
    subjects: readonly PopulationSubject[],
    x: ArrayLike<number>,
    options: JointObjectiveOptions,
  ) {
    if (subjects.length === 0) throw new ScichainError('InvalidArgument', 'no subjects to fit');
    if (x.length !== model.size)
      throw new ScichainError(
        'ShapeMismatch',
        `x has ${x.length} entries; the model has ${model.size}`,
      );
    this.model = model;
    this.subjects = subjects;
    this.options = options;
    this.base = Float64Array.from(x);
    const q = model.q;
    const nr = options.residual === 'free' ? model.residualParameters.length : 0;
    this.residualOffset = model.fixedEffectCount;
    this.etaOffset = this.residualOffset + nr;
    this.size = this.etaOffset + (options.eta === 'free' ? q * subjects.length : 0);
    const factor = model.omega(x);
    if (!choleskyFactor(factor, q))
      throw new ScichainError('InvalidArgument', 'Ω is not positive definite');
    this.omegaInverse = new Float64Array(q * q);
    choleskyInverse(factor, q, this.omegaInverse);
    const m = model.individualSize;
    this.phi = new Float64Array(m);
    this.phiUp = new Float64Array(m);
    this.phiDown = new Float64Array(m);
    this.dJdphi = new Float64Array(m);
    this.subjectValues = new Float64Array(subjects.length);
    this.work = subjects.map((subject) => {
      const n = subject.observations.length;
      const endpoints = subject.endpoints ? Int32Array.from(subject.endpoints) : new Int32Array(n);
      for (const e of endpoints)
        if (e < 0 || e >= model.endpointNames.length)
          throw new ScichainError(
            'InvalidArgument',
            `subject ${subject.id}: endpoint ${e} is not one of the model's ${model.endpointNames.length}`,
          );
      const y = Float64Array.from(subject.observations);
      return {
        subject,
        y,
        logY: y.map((v) => (v > 0 ? Math.log(v) : NaN)),
        endpoints,
        f: new Float64Array(n),
        up: new Float64Array(n),
        down: new Float64Array(n),
        dfdphi: new Float64Array(n * m),
        dJdf: new Float64Array(n),
      };
    });
  }

  /** z at x (and η, default zeros). */
  initial(x: ArrayLike<number> = this.base, etas?: readonly ArrayLike<number>[]): Float64Array {
    const z = new Float64Array(this.size);
    for (let k = 0; k < this.residualOffset; k++) z[k] = x[k];
    const nr = this.etaOffset - this.residualOffset;
    for (let k = 0; k < nr; k++) z[this.residualOffset + k] = x[this.model.residualOffset + k];
    if (etas !== undefined && this.options.eta === 'free') {
      const q = this.model.q;
      etas.forEach((eta, i) => {
        for (let a = 0; a < q; a++) z[this.etaOffset + i * q + a] = eta[a];
      });
    }
    return z;
  }

  /** The population x that z stands for (Ω from the constructor's x). */
  toX(z: ArrayLike<number>): Float64Array {
    const x = this.base.slice();
    for (let k = 0; k < this.residualOffset; k++) x[k] = z[k];
    const nr = this.etaOffset - this.residualOffset;
    for (let k = 0; k < nr; k++) x[this.model.residualOffset + k] = z[this.residualOffset + k];
    return x;
  }

  /** η of subject i in z (zeros when η is not estimated). */
  eta(z: ArrayLike<number>, i: number): Float64Array {
    const q = this.model.q;
    if (this.options.eta !== 'free') return new Float64Array(q);
    return Float64Array.from({ length: q }, (_, a) => z[this.etaOffset + i * q + a]);
  }

  /** J at z. Non-finite predictions give +∞. */
  value(z: ArrayLike<number>): number {
    return this.evaluate(z, null);
  }

  /** J at z with its gradient written into `grad`: the optimizers' form, bound. */
  readonly valueAndGradient: ValueAndGradient<Float64Array> = (z, grad) => this.evaluate(z, grad);

  /** J at z; with `grad`, its gradient. Non-finite predictions give +∞. */
  private evaluate(z: ArrayLike<number>, grad: Float64Array | null): number {
    this.evaluations++;
    const model = this.model;
    const q = model.q;
    const x = this.toX(z);
    let residuals: ResidualVariance[];
    try {
      residuals = model.residuals(x).map((r) => new ResidualVariance(r));
    } catch {
      return Infinity;
    }
    if (grad !== null) grad.fill(0);
    const theta = model.theta(x);
    const weights = model.weights(x);
    const etaRecord: Record<string, number> = {};
    let total = 0;
    for (let i = 0; i < this.work.length; i++) {
      const w = this.work[i];
      const eta = this.eta(z, i);
      model.etaNames.forEach((name, a) => (etaRecord[name] = eta[a]));
      const covariates = w.subject.covariates ?? {};
      model.individual(theta, etaRecord, covariates, this.phi, weights);
      let value: number;
      try {
        value = this.subjectTerm(w, residuals, grad);
      } catch (e) {
        // A failed solve or a parameter out of its domain: an unusable point, as a NaN is.
        if (!(e instanceof ScichainError)) throw e;
        this.lastFailure = `subject ${w.subject.id}: the prediction failed: ${e.message}`;
        this.lastFailureEvaluation = this.evaluations;
        return Infinity;
      }
      if (!Number.isFinite(value)) {
        this.lastFailure = this.describeFailure(w, residuals);
        this.lastFailureEvaluation = this.evaluations;
        return Infinity;
      }
      let prior = 0;
      if (this.options.eta === 'free') {
        for (let a = 0; a < q; a++)
          for (let b = 0; b < q; b++) prior += eta[a] * this.omegaInverse[a * q + b] * eta[b];
      }
      this.subjectValues[i] = value + prior;
      total += value + prior;
      if (grad === null) continue;
      // ∂J/∂φ through the individual model, to the fixed effects and to η.
      this.pullIndividual(x, eta, covariates, grad, i);
    }
    return total;
  }

  /** Which observation of a subject whose term was not finite is at fault, and why. */
  private describeFailure(w: SubjectWork, residuals: readonly ResidualVariance[]): string {
    const { subject } = w;
    for (let j = 0; j < w.y.length; j++) {
      const residual = residuals[w.endpoints[j]];
      const fj = w.f[j];
      const where = `subject ${subject.id}, observation ${j + 1} (time ${subject.times[j]})`;
      if (!Number.isFinite(fj)) return `${where}: the prediction is ${fj}`;
      if (residual.logScale && !(fj > 0))
        return `${where}: the prediction is ${fj}, but lognormal error needs it > 0`;
      if (residual.logScale && !(w.y[j] > 0))
        return `${where}: DV is ${w.y[j]}, but lognormal error needs it > 0`;
      const R = residual.variance(residual.logScale ? Math.log(fj) : fj);
      if (!(R > 0)) return `${where}: the residual variance is ${R}`;
    }
    return `subject ${subject.id}: its term is not finite`;
  }

  /** Σⱼ ln R + r²/R for the subject at φ; fills ∂J/∂φ (and residual-parameter gradients). */
  private subjectTerm(
    w: SubjectWork,
    residuals: readonly ResidualVariance[],
    grad: Float64Array | null,
  ): number {
    const m = this.phi.length;
    const n = w.y.length;
    if (grad === null) w.subject.predict(this.phi, w.f);
    else if (w.subject.predictWithJacobian) w.subject.predictWithJacobian(this.phi, w.f, w.dfdphi);
    else this.differencePredictions(w);
    let value = 0;
    for (let j = 0; j < n; j++) {
      const residual = residuals[w.endpoints[j]];
      const fj = w.f[j];
      if (residual.logScale && !(fj > 0)) return Infinity;
      const f = residual.logScale ? Math.log(fj) : fj;
      if (!Number.isFinite(f)) return Infinity;
      const R = residual.variance(f);
      if (!(R > 0)) return Infinity;
      // Lognormal error compares log y with log f.
      const r = (residual.logScale ? w.logY[j] : w.y[j]) - f;
      if (!Number.isFinite(r)) return Infinity;
      value += Math.log(R) + (r * r) / R;
      if (grad === null) continue;
      const dR = residual.derivative(f);
      const dJdR = 1 / R - (r * r) / (R * R);
      // d/df on the comparison scale, then to f's natural scale.
      w.dJdf[j] = (dJdR * dR - (2 * r) / R) * (residual.logScale ? 1 / fj : 1);
      if (this.options.residual === 'free') {
        const model = this.model;
        model.residualParameters.forEach(({ endpoint, kind }, k) => {
          if (endpoint === w.endpoints[j])
            grad[this.residualOffset + k] += dJdR * residual.logParameterDerivative(kind, f);
        });
      }
    }
    if (grad !== null) {
      this.dJdphi.fill(0);
      for (let j = 0; j < n; j++) {
        const d = w.dJdf[j];
        if (d === 0) continue;
        for (let a = 0; a < m; a++) this.dJdphi[a] += d * w.dfdphi[j * m + a];
      }
    }
    return value;
  }

  /** ∂f/∂φ by central differences of the predictions (subjects without a Jacobian). */
  private differencePredictions(w: SubjectWork): void {
    const m = this.phi.length;
    const n = w.y.length;
    const phi = this.phi;
    w.subject.predict(phi, w.f);
    for (let a = 0; a < m; a++) {
      const v = phi[a];
      const h = 1e-6 * Math.max(1, Math.abs(v));
      phi[a] = v + h;
      w.subject.predict(phi, w.up);
      phi[a] = v - h;
      w.subject.predict(phi, w.down);
      phi[a] = v;
      for (let j = 0; j < n; j++) w.dfdphi[j * m + a] = (w.up[j] - w.down[j]) / (2 * h);
    }
  }

  /** Adds (∂φ/∂x)ᵀ∂J/∂φ to the fixed effects and (∂φ/∂η)ᵀ∂J/∂φ + 2Ω⁻¹η to η. */
  private pullIndividual(
    x: Float64Array,
    eta: Float64Array,
    covariates: Readonly<Record<string, number>>,
    grad: Float64Array,
    i: number,
  ): void {
    const model = this.model;
    const m = this.phi.length;
    const q = model.q;
    // The records the individual model reads, built once: weights are views of x and η is
    // written into its record, so a perturbed entry costs no new objects — only a θ scalar
    // (through its bounds) rebuilds the θ record.
    let theta = model.theta(x);
    const weights = model.weights(x);
    const etaRecord: Record<string, number> = {};
    model.etaNames.forEach((name, a) => (etaRecord[name] = eta[a]));
    // (∂φ/∂v)ᵀ∂J/∂φ for one entry v of x or η, by a central difference of φ.
    const pulled = (h: number, at: (sign: 1 | -1) => void): number => {
      at(1);
      model.individual(theta, etaRecord, covariates, this.phiUp, weights);
      at(-1);
      model.individual(theta, etaRecord, covariates, this.phiDown, weights);
      let s = 0;
      for (let a = 0; a < m; a++) s += this.dJdphi[a] * (this.phiUp[a] - this.phiDown[a]);
      return s / (2 * h);
    };
    const thetaCount = model.thetaNames.length;
    for (let k = 0; k < this.residualOffset; k++) {
      const v = x[k];
      const h = 1e-6 * Math.max(1, Math.abs(v));
      grad[k] += pulled(h, (sign) => {
        x[k] = v + sign * h;
        if (k < thetaCount) theta = model.theta(x);
      });
      x[k] = v;
      if (k < thetaCount) theta = model.theta(x);
    }
    if (this.options.eta !== 'free') return;
    const at = this.etaOffset + i * q;
    model.etaNames.forEach((name, b) => {
      const v = eta[b];
      const h = 1e-6 * Math.max(1, Math.abs(v));
      const d = pulled(h, (sign) => (etaRecord[name] = v + sign * h));
      etaRecord[name] = v;
      let prior = 0;
      for (let c = 0; c < q; c++) prior += this.omegaInverse[b * q + c] * eta[c];
      grad[at + b] += d + 2 * prior;
    });
  }
}
