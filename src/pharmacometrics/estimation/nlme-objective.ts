/**
 * The objective functions of nonlinear mixed-effects estimation, per subject, in NONMEM's
 * convention: −2·log-likelihood without the constant n·ln(2π) (Wang, J Pharmacokinet
 * Pharmacodyn 2007;34:575–593).
 *
 * For a subject with observations y (n), predictions f(η) with Jacobian G = ∂f/∂η (n × q),
 * residual variances R_j and between-subject covariance Ω, the conditional objective
 *
 *   O(η) = Σ_j [ln R_j + (y_j − f_j)²/R_j] + ηᵀΩ⁻¹η
 *
 * is −2·log of the joint density of (y, η) up to constants. Its minimiser η̂ is the empirical
 * Bayes estimate. The methods approximate the marginal likelihood ∫ p(y|η)p(η)dη:
 *
 * - FO: linearise f around η = 0: y ~ N(f(0), G₀ΩG₀ᵀ + R(f(0)));
 * - FOCE: linearise around η̂ (found with R fixed at its η = 0 value, no interaction):
 *   y ~ N(f(η̂) − Gη̂, GΩGᵀ + R₀);
 * - FOCEI: η̂ with R(f(η)); Laplace's approximation with the Hessian of O replaced by its
 *   expectation 2·(Ω⁻¹ + Σ_j g_j g_jᵀ (1/R_j + ½(R′_j)²/R_j²)), R′ = dR/df;
 * - Laplace: Laplace's approximation at η̂. As in NONMEM's LAPLACIAN (without NUMERICAL), the
 *   Hessian of O is built from first derivatives of f — for Gaussian residuals that is the
 *   FOCEI Hessian, so the two objectives coincide (Wang's Table 1 shows −2.059 and 39.458 for
 *   both). `laplaceHessian: 'numerical'` uses the exact Hessian instead (central differences of
 *   the analytic gradient, adding the residual-weighted second derivatives of f), like
 *   LAPLACIAN NUMERICAL.
 *
 * Everything here is per subject and allocation-free after construction, so subjects can be
 * evaluated independently (and in parallel).
 */
import { ScichainError, requireName } from '../../core/errors.ts';
import { choleskyFactor, choleskyLogDet, choleskySolve } from '../../linalg/cholesky.ts';
import { ResidualVariance } from './residual-error.ts';

/** Estimation method names, as NONMEM, nlmixr2 and Pumas call them. */
export type NlmeMethod = 'FO' | 'FOCE' | 'FOCEI' | 'Laplace';

/** Every estimation method name, exactly as it must be written. */
export const NLME_METHODS: readonly NlmeMethod[] = ['FO', 'FOCE', 'FOCEI', 'Laplace'];

/**
 * Checks an estimation method name (exact, letter case included: `'foce'` is refused with a
 * suggestion of `'FOCE'`); returns it.
 */
export function checkNlmeMethod(method: unknown): NlmeMethod {
  return requireName(method, NLME_METHODS, 'estimation method');
}

/** Checks the Laplace Hessian option (`'expected'` or `'numerical'`, default `'expected'`). */
export function checkLaplaceHessian(value: unknown): 'expected' | 'numerical' {
  return value === undefined
    ? 'expected'
    : requireName(value, ['expected', 'numerical'] as const, 'Laplace Hessian');
}

/** Predictions of one subject as a function of its random effects. */
export interface SubjectPredictor {
  /** Number of observations. */
  readonly observationCount: number;
  /**
   * f(η) into `f` (natural scale) and, unless `jacobian` is null, ∂f/∂η into it (n × q,
   * row-major).
   */
  predict(eta: Float64Array, f: Float64Array, jacobian: Float64Array | null): void;
}

/** Inner (η̂) optimisation settings. */
export interface ConditionalOptions {
  /** Largest number of Gauss–Newton iterations (default 200). */
  readonly maxIterations?: number;
  /** Stop when the step's ∞-norm is below this (default 1e-10). */
  readonly tolerance?: number;
  /**
   * Hessian of the Laplace objective: `'expected'` (default; first derivatives of f, as NONMEM's
   * LAPLACIAN) or `'numerical'` (exact, as LAPLACIAN NUMERICAL).
   */
  readonly laplaceHessian?: 'expected' | 'numerical';
}

/**
 * Why a subject's last evaluation was unusable: the prediction threw (a failed solve, a parameter
 * out of its domain), a prediction or its ∂f/∂η is not finite, a lognormal prediction is not
 * positive, a residual variance is not positive, or the η̂ step's curvature (or FO/FOCE's
 * marginal covariance) is not positive definite.
 */
export type SubjectFailureKind =
  | 'none'
  | 'predictionThrew'
  | 'observationNotPositive'
  | 'predictionNonFinite'
  | 'predictionNotPositive'
  | 'jacobianNonFinite'
  | 'varianceNotPositive'
  | 'curvatureNotPositiveDefinite'
  | 'marginalCovarianceNotPositiveDefinite';

/** The last failure of a {@link SubjectNlme}'s evaluations (see {@link SubjectFailureKind}). */
export interface SubjectFailure {
  readonly kind: SubjectFailureKind;
  /** The observation (0-based) at fault, or −1. */
  readonly observation: number;
  /** The offending value (prediction, derivative or variance), NaN when none. */
  readonly value: number;
  /** What the prediction threw, for `'predictionThrew'`. */
  readonly error: Error | null;
}

/** What one subject contributes. */
export interface SubjectObjective {
  /** The subject's objective (NONMEM convention, no n·ln 2π). */
  readonly value: number;
  /**
   * Empirical Bayes estimate η̂ (zeros for FO): the subject's own buffer, overwritten by its next
   * evaluation (copy it to keep it) — the objective runs thousands of times per fit.
   */
  readonly eta: Float64Array;
  /** Gauss–Newton iterations of the conditional step. */
  readonly iterations: number;
}

/**
 * Evaluates the per-subject objective for a given Ω and residual model. One instance per
 * subject keeps its buffers (q ≤ a few, n ≤ hundreds).
 */
export class SubjectNlme {
  readonly n: number;
  readonly q: number;
  private readonly y: Float64Array;
  /** log y, compared with log f under lognormal error (NaN where y ≤ 0). */
  private readonly logY: Float64Array;
  private readonly predictor: SubjectPredictor;
  private readonly f: Float64Array;
  private readonly g: Float64Array;
  private readonly r: Float64Array;
  private readonly variances: Float64Array;
  private readonly dVariances: Float64Array;
  private readonly fixedVariances: Float64Array;
  private readonly hessian: Float64Array;
  private readonly gradient: Float64Array;
  private readonly step: Float64Array;
  private readonly trial: Float64Array;
  private readonly work: Float64Array;
  /** Quasi-Newton state of the conditional step: B ≈ ½∇²O, its factor, previous η and ∇O. */
  private readonly curvature: Float64Array;
  private readonly curvatureFactor: Float64Array;
  private readonly previousEta: Float64Array;
  private readonly previousGradient: Float64Array;
  /** Whether B holds the last conditional step's curvature (its warm start). */
  private curvatureReady = false;
  /** Warm start of η̂ between outer iterations. */
  readonly etaHat: Float64Array;

  /** Endpoint (index into the residual models) of each observation. */
  private readonly endpoints: Int32Array;

  // The last failed evaluation (fields, not an object: evaluations must not allocate).
  private failureKind: SubjectFailureKind = 'none';
  private failureObservation = -1;
  private failureValue = NaN;
  private failureError: Error | null = null;

  constructor(
    y: ArrayLike<number>,
    predictor: SubjectPredictor,
    q: number,
    endpoints?: ArrayLike<number>,
  ) {
    this.n = predictor.observationCount;
    if (y.length !== this.n) {
      throw new ScichainError(
        'ShapeMismatch',
        `${y.length} observations but the predictor returns ${this.n}`,
      );
    }
    this.q = q;
    this.y = Float64Array.from(y);
    this.logY = this.y.map((v) => (v > 0 ? Math.log(v) : NaN));
    this.predictor = predictor;
    const n = this.n;
    this.f = new Float64Array(n);
    this.g = new Float64Array(n * q);
    this.r = new Float64Array(n);
    this.variances = new Float64Array(n);
    this.dVariances = new Float64Array(n);
    this.fixedVariances = new Float64Array(n);
    this.hessian = new Float64Array(Math.max(q * q, n * n));
    this.gradient = new Float64Array(q);
    this.step = new Float64Array(Math.max(q, n));
    this.trial = new Float64Array(q);
    this.work = new Float64Array(Math.max(q, n));
    this.curvature = new Float64Array(q * q);
    this.curvatureFactor = new Float64Array(q * q);
    this.previousEta = new Float64Array(q);
    this.previousGradient = new Float64Array(q);
    this.etaHat = new Float64Array(q);
    this.endpoints = endpoints ? Int32Array.from(endpoints) : new Int32Array(this.n);
    if (this.endpoints.length !== this.n) {
      throw new ScichainError(
        'ShapeMismatch',
        `${this.endpoints.length} endpoint indices for ${this.n} observations`,
      );
    }
  }

  /**
   * Predictions, residuals and variances at η on the comparison scale (log for lognormal).
   * `fixed`: use the stored η = 0 variances (no interaction). Returns false when f or R is not
   * usable (non-finite, R ≤ 0 — e.g. a log of a non-positive prediction).
   */
  private evaluate(
    eta: Float64Array,
    residuals: readonly ResidualVariance[],
    fixed: boolean,
    withJacobian: boolean,
  ): boolean {
    const { n, q, f, g, r, y } = this;
    try {
      this.predictor.predict(eta, f, withJacobian ? g : null);
    } catch (e) {
      // A parameter out of its domain (exp overflow in a trial step) or a failed solve: the
      // point is unusable and the line search backs off, as for a non-finite prediction.
      if (e instanceof ScichainError) return this.fail('predictionThrew', -1, NaN, e);
      throw e;
    }
    for (let j = 0; j < n; j++) {
      const residual = residuals[this.endpoints[j]];
      if (residual === undefined) return false;
      let fj = f[j];
      if (residual.logScale) {
        if (!(fj > 0)) return this.fail('predictionNotPositive', j, fj, null);
        if (withJacobian) for (let k = 0; k < q; k++) g[j * q + k] /= fj;
        fj = Math.log(fj);
        f[j] = fj;
      }
      if (!Number.isFinite(fj)) return this.fail('predictionNonFinite', j, fj, null);
      // A non-finite ∂f/∂η (a difference step across the edge of the predictions' domain) would
      // make the η̂ step NaN: the point is as unusable as a non-finite prediction.
      if (withJacobian)
        for (let k = 0; k < q; k++)
          if (!Number.isFinite(g[j * q + k]))
            return this.fail('jacobianNonFinite', j, g[j * q + k], null);
      // Lognormal error compares log y with log f.
      const yj = residual.logScale ? this.logY[j] : y[j];
      if (!Number.isFinite(yj)) return this.fail('observationNotPositive', j, y[j], null);
      r[j] = yj - fj;
      if (fixed) {
        this.variances[j] = this.fixedVariances[j];
        this.dVariances[j] = 0;
      } else {
        this.variances[j] = residual.variance(fj);
        this.dVariances[j] = residual.derivative(fj);
      }
      if (!(this.variances[j] > 0))
        return this.fail('varianceNotPositive', j, this.variances[j], null);
    }
    return true;
  }

  /** Records why an evaluation failed; returns false (for `return this.fail(…)`). */
  private fail(
    kind: SubjectFailureKind,
    observation: number,
    value: number,
    error: Error | null,
  ): false {
    this.failureKind = kind;
    this.failureObservation = observation;
    this.failureValue = value;
    this.failureError = error;
    return false;
  }

  /**
   * The η̂ step's curvature warm start (q × q) into `out`; false when there is none yet. With
   * η̂ it is all the state an evaluation leaves to the next, so a checkpoint holds both.
   */
  copyCurvature(out: Float64Array): boolean {
    out.set(this.curvature);
    return this.curvatureReady;
  }

  /** Restores a warm start {@link copyCurvature} gave (null: none, as before any step). */
  setCurvature(curvature: ArrayLike<number> | null): void {
    this.curvatureReady = curvature !== null;
    if (curvature !== null) this.curvature.set(curvature);
  }

  /**
   * Why the last unusable evaluation was unusable — read it after an objective of +∞ (an
   * accepted point later on does not clear it).
   */
  lastFailure(): SubjectFailure {
    return {
      kind: this.failureKind,
      observation: this.failureObservation,
      value: this.failureValue,
      error: this.failureError,
    };
  }

  /** O(η) from the last evaluation, with Ω⁻¹. */
  private conditional(eta: Float64Array, omegaInverse: Float64Array): number {
    const { n, q } = this;
    let s = 0;
    for (let j = 0; j < n; j++)
      s += Math.log(this.variances[j]) + (this.r[j] * this.r[j]) / this.variances[j];
    for (let a = 0; a < q; a++)
      for (let b = 0; b < q; b++) s += eta[a] * omegaInverse[a * q + b] * eta[b];
    return s;
  }

  /** ∇O into `out` and, when `hessian` is given, the expected Hessian (½ of it: see module). */
  private gradientAndInformation(
    eta: Float64Array,
    omegaInverse: Float64Array,
    out: Float64Array,
    information: Float64Array | null,
  ): void {
    const { n, q, g, r } = this;
    for (let a = 0; a < q; a++) {
      let s = 0;
      for (let b = 0; b < q; b++) s += omegaInverse[a * q + b] * eta[b];
      out[a] = 2 * s;
    }
    if (information !== null) information.set(omegaInverse.subarray(0, q * q));
    for (let j = 0; j < n; j++) {
      const R = this.variances[j];
      const dR = this.dVariances[j];
      const coefficient = dR * (1 / R - (r[j] * r[j]) / (R * R)) - (2 * r[j]) / R;
      const weight = 1 / R + (0.5 * dR * dR) / (R * R);
      for (let a = 0; a < q; a++) {
        const ga = g[j * q + a];
        out[a] += coefficient * ga;
        if (information !== null)
          for (let b = 0; b < q; b++) information[a * q + b] += weight * ga * g[j * q + b];
      }
    }
  }

  /**
   * The subject's objective for `method` with Ω (q × q, row-major; its inverse and log det
   * given) and residual model. Starts the η̂ search from the previous η̂.
   */
  objective(
    method: NlmeMethod,
    omega: Float64Array,
    omegaInverse: Float64Array,
    omegaLogDet: number,
    residualModels: ResidualVariance | readonly ResidualVariance[],
    options: ConditionalOptions = {},
  ): SubjectObjective {
    const { q } = this;
    const residual = Array.isArray(residualModels)
      ? (residualModels as readonly ResidualVariance[])
      : [residualModels as ResidualVariance];
    const interaction = method === 'FOCEI' || method === 'Laplace';
    if (!interaction) {
      // Variances at η = 0: the whole of FO, and R₀ of FOCE (no interaction).
      const zero = this.trial.fill(0);
      if (!this.evaluate(zero, residual, false, method === 'FO')) return this.failed();
      this.fixedVariances.set(this.variances);
    }
    if (method === 'FO') {
      this.etaHat.fill(0);
      return {
        value: this.linearised(omega, this.etaHat),
        eta: this.etaHat,
        iterations: 0,
      };
    }
    const iterations = this.conditionalMode(omegaInverse, residual, !interaction, options);
    if (iterations < 0) return this.failed();
    // conditionalMode ends with f, G, R at η̂ evaluated (with these settings).
    const eta = this.etaHat;
    if (method === 'FOCE') {
      return { value: this.linearised(omega, eta), eta, iterations };
    }
    const information = this.hessian.subarray(0, q * q);
    if (method === 'FOCEI' || (options.laplaceHessian ?? 'expected') === 'expected') {
      this.gradientAndInformation(eta, omegaInverse, this.gradient, information);
    } else {
      this.exactHalfHessian(eta, omegaInverse, residual, information);
      if (!this.evaluate(eta, residual, false, true)) return this.failed();
    }
    if (!choleskyFactor(information, q)) {
      this.fail('curvatureNotPositiveDefinite', -1, NaN, null);
      return this.failed();
    }
    const value =
      this.conditional(eta, omegaInverse) + omegaLogDet + choleskyLogDet(information, q);
    return { value, eta, iterations };
  }

  /** log det V + r̃ᵀV⁻¹r̃ with V = GΩGᵀ + diag(R), r̃ = y − f + Gη (from the last evaluation). */
  private linearised(omega: Float64Array, eta: Float64Array): number {
    const { n, q, g } = this;
    const v = this.marginalCovariance(omega);
    const residual = this.step.subarray(0, n);
    for (let i = 0; i < n; i++) {
      let s = this.r[i];
      for (let a = 0; a < q; a++) s += g[i * q + a] * eta[a];
      residual[i] = s;
    }
    const work = this.work.subarray(0, n);
    work.set(residual);
    if (!choleskyFactor(v, n)) {
      this.fail('marginalCovarianceNotPositiveDefinite', -1, NaN, null);
      return Infinity;
    }
    choleskySolve(v, n, work);
    let quadratic = 0;
    for (let i = 0; i < n; i++) quadratic += residual[i] * work[i];
    return choleskyLogDet(v, n) + quadratic;
  }

  /** V = GΩGᵀ + diag(R) from the last evaluation (n × n, in the shared scratch). */
  private marginalCovariance(omega: Float64Array): Float64Array {
    const { n, q, g } = this;
    const v = this.hessian.subarray(0, n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = i === j ? this.variances[i] : 0;
        for (let a = 0; a < q; a++) {
          let t = 0;
          for (let b = 0; b < q; b++) t += omega[a * q + b] * g[j * q + b];
          s += g[i * q + a] * t;
        }
        v[i * n + j] = s;
        v[j * n + i] = s;
      }
    }
    return v;
  }

  /**
   * η̂ = argmin O(η) by Gauss–Newton with the expected Hessian and backtracking; returns the
   * iterations used, or −1 when no usable point was found.
   */
  private conditionalMode(
    omegaInverse: Float64Array,
    residual: readonly ResidualVariance[],
    fixed: boolean,
    options: ConditionalOptions,
  ): number {
    const { q } = this;
    const maxIterations = options.maxIterations ?? 200;
    const tolerance = options.tolerance ?? 1e-10;
    const eta = this.etaHat;
    if (!this.evaluate(eta, residual, fixed, true)) {
      eta.fill(0);
      if (!this.evaluate(eta, residual, fixed, true)) return -1;
    }
    let value = this.conditional(eta, omegaInverse);
    // Gauss–Newton's expected Hessian differs from the true one (residuals, the interaction
    // term), so GN alone converges only linearly — 10–20 model solves to 1e-10. It starts a
    // BFGS matrix instead, updated with the gradients every iteration computes anyway:
    // superlinear convergence at no extra solves. B is kept between calls: successive outer
    // evaluations (difference steps, line searches) move η̂ and its curvature little.
    const B = this.curvature;
    const factor = this.curvatureFactor;
    const s = this.previousEta;
    const y = this.previousGradient;
    const Bs = this.work.subarray(0, q);
    for (let iteration = 1; iteration <= maxIterations; iteration++) {
      const fresh = iteration === 1 && !this.curvatureReady;
      this.gradientAndInformation(eta, omegaInverse, this.gradient, fresh ? B : null);
      this.curvatureReady = true;
      if (iteration > 1) {
        // s = Δη, y = ½Δ∇O (B is on the scale of ½∇²O).
        let sy = 0;
        let sBs = 0;
        for (let a = 0; a < q; a++) {
          s[a] = eta[a] - s[a];
          y[a] = 0.5 * (this.gradient[a] - y[a]);
          sy += s[a] * y[a];
        }
        for (let a = 0; a < q; a++) {
          let t = 0;
          for (let b = 0; b < q; b++) t += B[a * q + b] * s[b];
          Bs[a] = t;
          sBs += s[a] * t;
        }
        if (sy > 1e-12 * Math.sqrt(sBs * sBs + sy * sy) && sBs > 0) {
          for (let a = 0; a < q; a++)
            for (let b = 0; b < q; b++) B[a * q + b] += (y[a] * y[b]) / sy - (Bs[a] * Bs[b]) / sBs;
        }
      }
      s.set(eta);
      y.set(this.gradient);
      factor.set(B);
      if (!choleskyFactor(factor, q)) {
        // Lost positive definiteness (e.g. a stale warm start): restart from the expected Hessian.
        this.gradientAndInformation(eta, omegaInverse, this.gradient, B);
        factor.set(B);
        if (!choleskyFactor(factor, q)) return this.curvatureFailed();
      }
      const step = this.step.subarray(0, q);
      for (let a = 0; a < q; a++) step[a] = -0.5 * this.gradient[a];
      choleskySolve(factor, q, step);
      let stepSize = 0;
      for (let a = 0; a < q; a++) stepSize = Math.max(stepSize, Math.abs(step[a]));
      if (iteration === 1 && !fresh && stepSize > 0.5) {
        // A warm start from a distant point (a long outer step): back to the expected Hessian.
        this.gradientAndInformation(eta, omegaInverse, this.gradient, B);
        factor.set(B);
        if (!choleskyFactor(factor, q)) return this.curvatureFailed();
        for (let a = 0; a < q; a++) step[a] = -0.5 * this.gradient[a];
        choleskySolve(factor, q, step);
        stepSize = 0;
        for (let a = 0; a < q; a++) stepSize = Math.max(stepSize, Math.abs(step[a]));
      }
      // Converged: a step below the tolerance is not worth a solve of the model.
      if (stepSize < tolerance) return iteration;
      let alpha = 1;
      let accepted = false;
      // The full step is usually taken: evaluate it with its Jacobian, so that the next
      // iteration (or the caller) needs no second solve at the same point.
      let withJacobian = true;
      for (let halving = 0; halving < 40; halving++) {
        for (let a = 0; a < q; a++) this.trial[a] = eta[a] + alpha * step[a];
        if (this.evaluate(this.trial, residual, fixed, withJacobian)) {
          const trialValue = this.conditional(this.trial, omegaInverse);
          if (trialValue <= value) {
            value = trialValue;
            eta.set(this.trial);
            accepted = true;
            break;
          }
        }
        withJacobian = false;
        alpha /= 2;
        // Below the tolerance a decrease is lost in the predictions' own error: stop there.
        if (alpha * stepSize < tolerance) break;
      }
      let size = 0;
      for (let a = 0; a < q; a++) size = Math.max(size, Math.abs(alpha * step[a]));
      // Unless the accepted point was evaluated with its Jacobian, re-evaluate there: the
      // buffers must hold f, G and R at η for the next iteration and the caller.
      if (!(accepted && withJacobian) && !this.evaluate(eta, residual, fixed, true)) {
        // The accepted point is at the edge of the predictions' domain (its ∂f/∂η difference
        // steps across it): stop at the previous point, which had its Jacobian.
        eta.set(s);
        if (!this.evaluate(eta, residual, fixed, true)) return -1;
        return iteration;
      }
      if (!accepted || size < tolerance) return iteration;
    }
    return maxIterations;
  }

  /** ½∇²O at η by central differences of the analytic gradient (Laplace). */
  private exactHalfHessian(
    eta: Float64Array,
    omegaInverse: Float64Array,
    residual: readonly ResidualVariance[],
    out: Float64Array,
  ): void {
    const { q } = this;
    const point = this.trial;
    const up = this.step.subarray(0, q);
    const down = this.work.subarray(0, q);
    for (let b = 0; b < q; b++) {
      const h = 1e-5 * Math.max(1, Math.abs(eta[b]));
      point.set(eta);
      point[b] = eta[b] + h;
      this.evaluate(point, residual, false, true);
      this.gradientAndInformation(point, omegaInverse, up, null);
      point[b] = eta[b] - h;
      this.evaluate(point, residual, false, true);
      this.gradientAndInformation(point, omegaInverse, down, null);
      for (let a = 0; a < q; a++) out[a * q + b] = (up[a] - down[a]) / (4 * h);
    }
    // Symmetrise (the differences are not exactly symmetric).
    for (let a = 0; a < q; a++) {
      for (let b = 0; b < a; b++) {
        const s = 0.5 * (out[a * q + b] + out[b * q + a]);
        out[a * q + b] = s;
        out[b * q + a] = s;
      }
    }
  }

  /**
   * Residual diagnostics at η (comparison scale): IPRED = f(η), IWRES = (y − IPRED)/√R(IPRED)
   * and CWRES = V^(−1/2)·(y − f(η) + G·η) with V = GΩGᵀ + diag R(f(η)) (Hooker et al. 2007; the
   * Cholesky factor of V gives the square root). Returns false when the prediction is unusable.
   */
  diagnostics(
    eta: Float64Array,
    omega: Float64Array,
    residualModels: ResidualVariance | readonly ResidualVariance[],
    out: { ipred: Float64Array; iwres: Float64Array; cwres: Float64Array },
  ): boolean {
    const { n, q, g } = this;
    const residual = Array.isArray(residualModels)
      ? (residualModels as readonly ResidualVariance[])
      : [residualModels as ResidualVariance];
    if (!this.evaluate(eta, residual, false, true)) return false;
    for (let j = 0; j < n; j++) {
      out.ipred[j] = this.f[j];
      out.iwres[j] = this.r[j] / Math.sqrt(this.variances[j]);
    }
    const v = this.marginalCovariance(omega);
    if (!choleskyFactor(v, n)) return false;
    // Forward substitution L·w = y − f + Gη.
    for (let i = 0; i < n; i++) {
      let s = this.r[i];
      for (let a = 0; a < q; a++) s += g[i * q + a] * eta[a];
      for (let k = 0; k < i; k++) s -= v[i * n + k] * out.cwres[k];
      out.cwres[i] = s / v[i * n + i];
    }
    return true;
  }

  /** The η̂ step's curvature is not positive definite: recorded, −1 for conditionalMode. */
  private curvatureFailed(): -1 {
    this.fail('curvatureNotPositiveDefinite', -1, NaN, null);
    return -1;
  }

  private failed(): SubjectObjective {
    return { value: Infinity, eta: this.etaHat, iterations: -1 };
  }
}
