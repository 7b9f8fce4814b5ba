/**
 * Population fits: FO, FOCE, FOCEI or Laplace over a {@link PopulationModel}, with standard
 * errors, shrinkage, empirical Bayes estimates and per-observation diagnostics.
 *
 * Outer optimisation: L-BFGS over x (θ | log-Cholesky Ω | log residual parameters). Its
 * gradient is by central differences of the objective (step 1e-4·max(1, |x_k|)); each
 * objective evaluation optimises every subject's η̂ to 1e-10, warm-started from the last one —
 * the approach NONMEM's and nlmixr2's FOCE(I) also take for the outer gradient. The η̂ step
 * itself uses the model's predictions and ∂f/∂η by central differences over η.
 *
 * Objective values follow NONMEM: `objective` = −2LL without N·ln(2π); `minus2LogLikelihood`,
 * `aic` and `bic` include it (AIC = −2LL + 2k, BIC = −2LL + k·ln N, N observations, k estimated
 * parameters) — the identities nlmixr2 reports.
 */
import { ScichainError } from '../../core/errors.ts';
import { choleskyFactor, choleskyInverse, choleskyLogDet } from '../../linalg/cholesky.ts';
import { minimize } from '../../optim/minimize.ts';
import type { MinimizeResult } from '../../optim/minimize-options.ts';
import {
  checkCheckpointOptions,
  CheckpointWriter,
  type CheckpointTarget,
} from '../../io/checkpoint-file.ts';
import { nextTurn } from '../../io/event-loop.ts';
import { SignalWatch } from '../../io/signals.ts';
import {
  populationFitCheckpoint,
  dataFingerprint,
  readPopulationFitCheckpoint,
  type PopulationFitCheckpoint,
  type RestoredOuterRun,
} from './fit-checkpoint.ts';
import type { ObjectiveFailure, OuterRun } from './outer-run.ts';

export { loadPopulationFitCheckpoint, type PopulationFitCheckpoint } from './fit-checkpoint.ts';
import {
  checkLaplaceHessian,
  checkNlmeMethod,
  SubjectNlme,
  type NlmeMethod,
  type SubjectPredictor,
} from './nlme-objective.ts';
import {
  checkPositiveDefinite,
  skippedCovariance,
  type CovarianceStep,
} from './covariance-step.ts';
import {
  boundaryWarnings,
  checkObservations,
  checkParametersUsed,
  stopMessageOf,
  stopReasonOf,
  type PopulationStopReason,
} from './fit-checks.ts';
import { PopulationModel, type PopulationSubject } from './population-model.ts';
import { ResidualVariance, type ResidualError } from './residual-error.ts';
import { shareOf, workerModuleUrl, type TaskModule } from '../../parallel/task.ts';
import { sharedBlock, type SharedBlock } from '../../parallel/shared-block.ts';
import { sharedThreadPool, type ThreadPool } from '../../parallel/thread-pool.ts';
import { chooseThreads, type ThreadChoice } from '../../parallel/thread-choice.ts';

/**
 * Evaluating subjects on several threads. Closures (the individual model, the subjects'
 * predictions) cannot cross threads, so each worker rebuilds the model and the subjects by
 * calling `setup` — a module export `(args) => { model, subjects }` (or a promise of it) that
 * must build the same model and the same subjects in the same order as the calling thread has.
 */
export interface PopulationThreadOptions {
  /** The export that rebuilds `{ model, subjects }` on a worker. */
  readonly setup: TaskModule;
  /** Its (structured-cloneable) argument. */
  readonly args?: unknown;
  /** Threads (default `'auto'`: every core when there are at least two subjects). */
  readonly threads?: ThreadChoice;
  /** The pool (default: the process-wide pool of that many threads). */
  readonly pool?: ThreadPool;
}

/** What a setup export returns. */
export interface PopulationSetup {
  readonly model: PopulationModel;
  readonly subjects: readonly PopulationSubject[];
}

/** The Int32 fields of a threaded population objective's shared block: bumped by setEtas… */
export const ETA_VERSION = 0;
/** … and by setCurvatures. */
export const CURVATURE_VERSION = 1;

/**
 * The block the threads of a threaded population objective share: x, each subject's value, η̂
 * (subjects × q) and η̂-step curvature warm start (subjects × q × q, with a ready flag per
 * subject: 1 or 0), and the warm-start versions. Laid out the same on every thread. The
 * curvatures travel so that a checkpoint holds what every thread's next evaluation starts from.
 */
export function populationShared(
  buffer: ArrayBufferLike | null,
  subjects: number,
  q: number,
  xLength: number,
): SharedBlock<'x' | 'values' | 'etas' | 'curvatures' | 'curvatureReady'> {
  const sizes = {
    x: xLength,
    values: subjects,
    etas: subjects * q,
    curvatures: subjects * q * q,
    curvatureReady: subjects,
  };
  return sharedBlock(sizes, 2, buffer);
}

/** Registration arguments of the worker task (population-task.ts). */
export interface PopulationTaskArgs {
  readonly setup: TaskModule;
  readonly args: unknown;
  readonly method: NlmeMethod;
  readonly laplaceHessian: 'expected' | 'numerical';
  readonly buffer: SharedArrayBuffer;
  readonly subjects: number;
  readonly q: number;
  readonly xLength: number;
}

/** The only operation of the population task: evaluate this thread's subjects at x. */
export const OP_SUBJECTS = 1;

/**
 * `threads: 'auto'` splits subjects over threads only when one prediction takes at least this
 * many microseconds. `npm run bench -- population`: closed-form Theophylline subjects (a
 * prediction takes about 1 µs; a subject's whole objective ~20 µs) ran 0.94–1.02× on two threads,
 * ODE subjects (a prediction takes hundreds of µs) 1.22–1.36×.
 */
export const POPULATION_THREADS_MIN_PREDICTION_US = 20;

/** Options of {@link fitPopulation}. */
export interface FitPopulationOptions {
  readonly method: NlmeMethod;
  /** Outer L-BFGS iterations (default 500). */
  readonly maxIterations?: number;
  /** Stop when the gradient's ∞-norm is below this (default 1e-4). */
  readonly gradientTolerance?: number;
  /** Compute standard errors (default true). */
  readonly covariance?: boolean;
  /** Starting x (default the model's initial values), e.g. another method's estimate. */
  readonly start?: ArrayLike<number>;
  /** Laplace's Hessian (see ConditionalOptions). */
  readonly laplaceHessian?: 'expected' | 'numerical';
  /**
   * Fixed effects held at their start values (NONMEM's FIX): θ names or weight-vector names.
   * They are not counted in AIC/BIC's k and get no standard errors.
   */
  readonly fixed?: readonly string[];
  /** Starting η̂ per subject for the first conditional steps (default zeros). */
  readonly startEta?: readonly ArrayLike<number>[];
  /**
   * Evaluate subjects on several threads: how workers rebuild the model and subjects (see
   * {@link PopulationThreadOptions}). Results are bit-identical to one thread.
   */
  readonly threads?: PopulationThreadOptions;
}

/** One estimated quantity on its natural scale. */
export interface Estimate {
  readonly name: string;
  readonly value: number;
  /** Standard error from the Hessian (NaN when the covariance step failed or was skipped). */
  readonly se: number;
  /** Standard error from the sandwich (robust) covariance. */
  readonly seSandwich: number;
  /** 100·se/|value|. */
  readonly rse: number;
}

/** Per-observation diagnostics. */
export interface ObservationDiagnostics {
  readonly id: string;
  readonly time: number;
  readonly dv: number;
  readonly pred: number;
  readonly ipred: number;
  readonly res: number;
  readonly iwres: number;
  readonly cwres: number;
}

export type { PopulationStopReason } from './fit-checks.ts';

/** Outcome of {@link fitPopulation}. */
export interface PopulationFit extends InformationCriteria {
  readonly method: NlmeMethod;
  readonly model: PopulationModel;
  /** The estimated vector x. */
  readonly x: Float64Array;
  readonly theta: Record<string, number>;
  /** Ω (q × q, row-major). */
  readonly omega: Float64Array;
  /** The (first endpoint's) residual error model. */
  readonly residual: ResidualError;
  /** Residual error model per endpoint. */
  readonly residuals: readonly ResidualError[];
  /** θ, Ω entries (variances and covariances) and residual parameters, natural scales. */
  readonly estimates: readonly Estimate[];
  /** η̂ per subject (q each). */
  readonly eta: readonly Float64Array[];
  /** η shrinkage per random effect: 1 − SD(η̂_k)/ω_k (SD mean-centred, divisor N − 1). */
  readonly etaShrinkage: Float64Array;
  /** ε shrinkage: 1 − √mean(IWRES²). */
  readonly epsilonShrinkage: number;
  readonly diagnostics: readonly ObservationDiagnostics[];
  readonly iterations: number;
  readonly evaluations: number;
  /** True only when the outer optimisation met its gradient tolerance at a finite objective. */
  readonly converged: boolean;
  /** Why the outer optimisation stopped. */
  readonly stopReason: PopulationStopReason;
  /** The stop in words: the gradient against its tolerance, or what was not finite where. */
  readonly stopMessage: string;
  /** ∞-norm of the objective's difference gradient at the estimate (over estimated entries). */
  readonly gradientNorm: number;
  /**
   * What the fit found questionable: subjects without observations, a stop short of convergence,
   * a failed covariance step, estimates at a boundary (ω² or a residual parameter near zero, a
   * correlation near ±1, a θ at its bound). Empty for a clean fit.
   */
  readonly warnings: readonly string[];
  /** The covariance step: whether `se`/`seSandwich` could be computed and, if not, why. */
  readonly covariance: CovarianceStep;
  readonly seconds: number;
}

/** A fit's objective values (see {@link informationCriteria}). */
export interface InformationCriteria {
  /** −2LL without N·ln(2π) (NONMEM's OFV). */
  readonly objective: number;
  /** −2LL with the constant. */
  readonly minus2LogLikelihood: number;
  /** −2LL + 2k. */
  readonly aic: number;
  /** −2LL + k·ln N. */
  readonly bic: number;
  /** N. */
  readonly observationCount: number;
  /** k, the estimated parameters. */
  readonly parameterCount: number;
}

/**
 * NONMEM's objective (−2LL without N·ln 2π) with −2LL, AIC and BIC beside it (N observations,
 * k estimated parameters): the identities nlmixr2 reports.
 */
export function informationCriteria(
  objective: number,
  observations: number,
  parameters: number,
): InformationCriteria {
  const minus2LogLikelihood = objective + observations * Math.log(2 * Math.PI);
  return {
    objective,
    minus2LogLikelihood,
    aic: minus2LogLikelihood + 2 * parameters,
    bic: minus2LogLikelihood + parameters * Math.log(observations),
    observationCount: observations,
    parameterCount: parameters,
  };
}

/** Evaluates a population objective at any x: the engine of {@link fitPopulation}. */
export class PopulationObjective {
  readonly model: PopulationModel;
  readonly subjects: readonly PopulationSubject[];
  readonly method: NlmeMethod;
  readonly observationCount: number;
  private readonly nlme: SubjectNlme[];
  private currentTheta: Record<string, number>;
  private currentWeights: Record<string, Float64Array>;
  private readonly laplaceHessian: 'expected' | 'numerical';
  /** Per-subject values of the last evaluation. */
  readonly subjectValues: Float64Array;
  evaluations = 0;
  /** Evaluations whose value was not finite (trial points a line search rejects, mostly). */
  nonFiniteEvaluations = 0;
  /** The last evaluation whose value was not finite, and why (null: none yet). */
  lastFailure: ObjectiveFailure | null = null;
  /** Threads evaluating the subjects (each thread a fixed contiguous share). */
  readonly threads: number;
  private readonly parallel: {
    pool: ThreadPool;
    task: number;
    shared: SharedBlock<'x' | 'values' | 'etas' | 'curvatures' | 'curvatureReady'>;
    /** The calling thread's subjects [0, own), evaluated by `ownShare` (made once). */
    own: number;
    ownShare: () => void;
  } | null = null;

  constructor(
    model: PopulationModel,
    subjects: readonly PopulationSubject[],
    method: NlmeMethod,
    laplaceHessian: 'expected' | 'numerical' = 'expected',
    threads?: PopulationThreadOptions,
  ) {
    // Names from JavaScript, JSON or a command line are not checked by the types.
    this.method = checkNlmeMethod(method);
    this.laplaceHessian = checkLaplaceHessian(laplaceHessian);
    if (subjects.length === 0) throw new ScichainError('InvalidArgument', 'no subjects to fit');
    this.model = model;
    this.subjects = subjects;
    this.currentTheta = model.theta(model.initial());
    this.currentWeights = model.weights(model.initial());
    this.subjectValues = new Float64Array(subjects.length);
    this.observationCount = subjects.reduce((s, x) => s + x.observations.length, 0);
    for (const subject of subjects) {
      for (const name of model.covariateNames) {
        if (!Number.isFinite(subject.covariates?.[name])) {
          throw new ScichainError(
            'InvalidArgument',
            `subject ${subject.id} has no finite covariate '${name}', which the individual model uses`,
          );
        }
      }
      const endpoints = subject.endpoints;
      if (endpoints === undefined) continue;
      for (let j = 0; j < endpoints.length; j++) {
        const e = endpoints[j];
        if (!Number.isInteger(e) || e < 0 || e >= model.endpointNames.length) {
          throw new ScichainError(
            'InvalidArgument',
            `subject ${subject.id}, observation ${j + 1}: endpoint ${e} is not one of the model's ${model.endpointNames.length} (${model.endpointNames.map((n) => n || '(unnamed)').join(', ')})`,
          );
        }
      }
    }
    this.nlme = subjects.map(
      (s) => new SubjectNlme(s.observations, this.predictor(s), model.q, s.endpoints),
    );
    this.threads = 1;
    if (threads === undefined) return;
    const choice = threads.pool?.threads ?? threads.threads;
    this.threads = Math.min(subjects.length, chooseThreads(choice, Infinity, Infinity, true));
    // 'auto' keeps cheap subjects on one thread (closed forms: the synchronisation would cost
    // more than it saves, measured). The thread count cannot change the results, which are the
    // same bits on any count, so a timing may decide it.
    if (
      (choice === undefined || choice === 'auto') &&
      this.predictionMicroseconds(subjects[0]) < POPULATION_THREADS_MIN_PREDICTION_US
    ) {
      this.threads = 1;
    }
    if (this.threads < 2) {
      this.threads = 1;
      return;
    }
    const pool = threads.pool ?? sharedThreadPool(this.threads);
    this.threads = pool.threads;
    const xLength = model.start().length;
    const shared = populationShared(null, subjects.length, model.q, xLength);
    const args: PopulationTaskArgs = {
      setup: threads.setup,
      args: threads.args,
      method,
      laplaceHessian,
      buffer: shared.buffer as SharedArrayBuffer,
      subjects: subjects.length,
      q: model.q,
      xLength,
    };
    const task = pool.register(
      { url: workerModuleUrl('population-task'), export: 'populationTask' },
      args,
    );
    const own = shareOf(subjects.length, pool.threads, 0).count;
    // x is already prepared (θ, Ω, R) when the share runs: the shared copy is passed only for form.
    const ownShare = (): void => void this.evaluateSubjects(shared.floats.x, 0, own);
    this.parallel = { pool, task, shared, own, ownShare };
  }

  /**
   * Microseconds of one prediction of `subject` at the initial estimates with η = 0 (the fastest
   * of three after one untimed call; Infinity when it fails, which leaves the choice to the
   * thread count).
   */
  private predictionMicroseconds(subject: PopulationSubject): number {
    const model = this.model;
    const phi = new Float64Array(model.individualSize);
    const f = new Float64Array(subject.observations.length);
    let best = Infinity;
    try {
      model.individualAt(model.initial(), new Float64Array(model.q), subject.covariates ?? {}, phi);
      subject.predict(phi, f); // first call: compilation, not the prediction's cost
      for (let r = 0; r < 3; r++) {
        const started = performance.now();
        subject.predict(phi, f);
        best = Math.min(best, (performance.now() - started) * 1000);
      }
    } catch {
      return Infinity;
    }
    return best;
  }

  /** Releases the workers' copies of the model and subjects (a no-op on one thread). */
  dispose(): void {
    if (this.parallel !== null) this.parallel.pool.drop(this.parallel.task);
  }

  /** η → φ → f for one subject, with ∂f/∂η by central differences over η. */
  private predictor(subject: PopulationSubject): SubjectPredictor {
    const model = this.model;
    const q = model.q;
    const n = subject.observations.length;
    const phi = new Float64Array(model.individualSize);
    const up = new Float64Array(n);
    const down = new Float64Array(n);
    const shifted = new Float64Array(q);
    const etaRecord: Record<string, number> = {};
    const covariates = subject.covariates ?? {};
    const predictAt = (eta: Float64Array, f: Float64Array): void => {
      model.etaNames.forEach((name, k) => (etaRecord[name] = eta[k]));
      model.individual(this.currentTheta, etaRecord, covariates, phi, this.currentWeights);
      subject.predict(phi, f);
    };
    const withJacobian = subject.predictWithJacobian?.bind(subject);
    if (withJacobian) {
      const m = phi.length;
      const dfdphi = new Float64Array(n * m);
      const dphideta = new Float64Array(m * q);
      const phiUp = new Float64Array(m);
      const phiDown = new Float64Array(m);
      // Only the φ entries that move with η need ∂f/∂φ (not, e.g., a network's weights).
      const columns = new Int32Array(m);
      const individualAt = (eta: Float64Array, out: Float64Array): void => {
        model.etaNames.forEach((name, k) => (etaRecord[name] = eta[k]));
        model.individual(this.currentTheta, etaRecord, covariates, out, this.currentWeights);
      };
      return {
        observationCount: n,
        predict(eta, f, jacobian) {
          individualAt(eta, phi);
          if (jacobian === null) {
            subject.predict(phi, f);
            return;
          }
          // ∂φ/∂η by central differences of the (cheap, algebraic) individual model.
          differenceOverEta(eta, individualAt, dphideta, shifted, phiUp, phiDown);
          let mc = 0;
          for (let a = 0; a < m; a++) {
            let moves = false;
            for (let k = 0; k < q; k++) if (dphideta[a * q + k] !== 0) moves = true;
            if (moves) columns[mc++] = a;
          }
          withJacobian(phi, f, dfdphi, mc === m ? undefined : columns.subarray(0, mc));
          for (let j = 0; j < n; j++)
            for (let k = 0; k < q; k++) {
              let s = 0;
              for (let c = 0; c < mc; c++) s += dfdphi[j * mc + c] * dphideta[columns[c] * q + k];
              jacobian[j * q + k] = s;
            }
        },
      };
    }
    return {
      observationCount: n,
      predict(eta, f, jacobian) {
        predictAt(eta, f);
        if (jacobian !== null) differenceOverEta(eta, predictAt, jacobian, shifted, up, down);
      },
    };
  }

  /** The objective (NONMEM convention) at x; per-subject values in {@link subjectValues}. */
  value(x: ArrayLike<number>): number {
    this.evaluations++;
    const total = this.evaluate(x);
    if (!Number.isFinite(total)) this.recordFailure(x, total);
    return total;
  }

  /** Keeps why the objective is not finite at x (only on failure: evaluations stay cheap). */
  private recordFailure(x: ArrayLike<number>, total: number): void {
    this.nonFiniteEvaluations++;
    const subject =
      this.prepared === null ? -1 : this.subjectValues.findIndex((v) => !Number.isFinite(v));
    let message: string;
    if (subject < 0) {
      message =
        this.prepared === null
          ? 'Ω or a residual parameter is not usable (overflow of its log scale)'
          : `the objective summed to ${total}`;
    } else {
      message = this.describeSubjectFailure(subject);
    }
    this.lastFailure = {
      evaluation: this.evaluations,
      x: Float64Array.from(x),
      subject,
      message,
    };
  }

  /**
   * Why subject i's objective was not finite at the last evaluation, naming it, the observation
   * and its time. A subject evaluated on a worker thread is evaluated again on this one to learn
   * why.
   */
  describeSubjectFailure(i: number): string {
    const subject = this.subjects[i];
    const engine = this.nlme[i];
    if (this.parallel !== null && i >= this.parallel.own && this.prepared !== null) {
      const { omega, omegaInverse, logDet, variance } = this.prepared;
      const again = engine.objective(this.method, omega, omegaInverse, logDet, variance, {
        laplaceHessian: this.laplaceHessian,
      }).value;
      if (Number.isFinite(again))
        return `subject ${subject.id}: its objective was ${this.subjectValues[i]} on a worker thread`;
    }
    return this.formatFailure(i);
  }

  /** Subject i's last failure on this thread, in words (see {@link describeSubjectFailure}). */
  formatFailure(i: number): string {
    const subject = this.subjects[i];
    const failure = this.nlme[i].lastFailure();
    const j = failure.observation;
    const where =
      j >= 0
        ? `subject ${subject.id}, observation ${j + 1} (time ${subject.times[j]})`
        : `subject ${subject.id}`;
    switch (failure.kind) {
      case 'predictionThrew':
        return `subject ${subject.id}: the prediction failed: ${failure.error?.message ?? 'unknown error'}`;
      case 'predictionNonFinite':
        return `${where}: the prediction is ${failure.value}`;
      case 'observationNotPositive':
        return `${where}: DV is ${failure.value}, but lognormal error needs it > 0`;
      case 'predictionNotPositive':
        return `${where}: the prediction is ${failure.value}, but lognormal error needs it > 0`;
      case 'jacobianNonFinite':
        return `${where}: ∂f/∂η of the prediction is ${failure.value}`;
      case 'varianceNotPositive':
        return `${where}: the residual variance is ${failure.value}`;
      case 'curvatureNotPositiveDefinite':
        return `subject ${subject.id}: the Hessian of its conditional objective over η is not positive definite`;
      case 'marginalCovarianceNotPositiveDefinite':
        return `subject ${subject.id}: the marginal covariance GΩGᵀ + R of its observations is not positive definite`;
      default:
        return `subject ${subject.id}: its objective is ${this.subjectValues[i]}`;
    }
  }

  /** The objective at x without the bookkeeping of {@link value}. */
  private evaluate(x: ArrayLike<number>): number {
    const p = this.parallel;
    if (p === null) {
      if (!this.evaluateSubjects(x, 0, this.nlme.length)) return Infinity;
    } else {
      if (!this.prepare(x)) return Infinity;
      const { shared, pool, task } = p;
      shared.floats.x.set(x);
      pool.run(task, OP_SUBJECTS, p.ownShare);
      const own = p.own;
      // The workers' subjects: values and η̂ (the latter for diagnostics and etas()).
      const q = this.model.q;
      const { values, etas } = shared.floats;
      for (let i = own; i < this.nlme.length; i++) {
        this.subjectValues[i] = values[i];
        const etaHat = this.nlme[i].etaHat;
        for (let k = 0; k < q; k++) etaHat[k] = etas[i * q + k];
      }
    }
    // Summed in subject order on every thread count: the same bits with 1 or N threads.
    let total = 0;
    for (let i = 0; i < this.nlme.length; i++) total += this.subjectValues[i];
    return total;
  }

  /** What every subject's evaluation at x shares: θ, Ω, its inverse and log-determinant, R. */
  private prepared: {
    omega: Float64Array;
    omegaInverse: Float64Array;
    logDet: number;
    variance: ResidualVariance[];
  } | null = null;

  /** Sets θ, Ω and the residual models of x; false when they are unusable (Ω not PD…). */
  private prepare(x: ArrayLike<number>): boolean {
    const model = this.model;
    const q = model.q;
    this.currentTheta = model.theta(x);
    this.currentWeights = model.weights(Float64Array.from(x));
    const omega = model.omega(x);
    const factor = omega.slice();
    this.prepared = null;
    if (!choleskyFactor(factor, q)) return false;
    const omegaInverse = new Float64Array(q * q);
    choleskyInverse(factor, q, omegaInverse);
    const logDet = choleskyLogDet(factor, q);
    try {
      const variance = model.residuals(x).map((r) => new ResidualVariance(r));
      this.prepared = { omega, omegaInverse, logDet, variance };
    } catch {
      return false;
    }
    return true;
  }

  /**
   * Evaluates subjects [start, start + count) at x (after {@link prepare}, which it runs when x
   * is not the prepared point) into {@link subjectValues}; false when x is unusable. A worker
   * thread's share of a threaded evaluation runs this too (population-task.ts).
   *
   * @internal
   */
  evaluateSubjects(x: ArrayLike<number>, start: number, count: number): boolean {
    if (this.parallel === null || this.prepared === null) {
      if (!this.prepare(x)) return false;
    }
    const { omega, omegaInverse, logDet, variance } = this.prepared!;
    for (let i = start; i < start + count; i++) {
      this.subjectValues[i] = this.nlme[i].objective(
        this.method,
        omega,
        omegaInverse,
        logDet,
        variance,
        { laplaceHessian: this.laplaceHessian },
      ).value;
    }
    return true;
  }

  /** Sets every subject's warm start of η̂ (e.g. from another method's estimates). */
  setEtas(etas: readonly ArrayLike<number>[]): void {
    if (etas.length !== this.nlme.length)
      throw new ScichainError(
        'ShapeMismatch',
        `${etas.length} η vectors for ${this.nlme.length} subjects`,
      );
    etas.forEach((eta, i) => {
      if (eta.length !== this.model.q)
        throw new ScichainError(
          'ShapeMismatch',
          `subject ${this.subjects[i].id}: η has ${eta.length} entries, the model ${this.model.q}`,
        );
      this.nlme[i].etaHat.set(eta);
    });
    const p = this.parallel;
    if (p !== null) {
      // Workers take the new warm starts before their next evaluation.
      etas.forEach((eta, i) => p.shared.floats.etas.set(eta, i * this.model.q));
      Atomics.add(p.shared.ints, ETA_VERSION, 1);
    }
  }

  /** η̂ of every subject from the last evaluation into `out` (subjects × q, row-major). */
  copyEtas(out: Float64Array): void {
    const q = this.model.q;
    this.nlme.forEach((s, i) => out.set(s.etaHat, i * q));
  }

  /**
   * Every subject's η̂-step curvature warm start (q × q; null: none yet). With the η̂ it is the
   * state one evaluation leaves to the next (a threaded objective's workers write theirs back
   * into the shared block after every evaluation, so checkpoints hold every thread's).
   */
  curvatures(): (Float64Array | null)[] {
    const q = this.model.q;
    const p = this.parallel;
    return this.nlme.map((s, i) => {
      if (p !== null && i >= p.own) {
        // A worker's subject: the curvature it wrote back after its last evaluation.
        const { curvatures, curvatureReady } = p.shared.floats;
        return curvatureReady[i] === 1 ? curvatures.slice(i * q * q, (i + 1) * q * q) : null;
      }
      const out = new Float64Array(q * q);
      return s.copyCurvature(out) ? out : null;
    });
  }

  /**
   * Restores warm starts {@link PopulationObjective.curvatures} gave (on the workers too, before
   * their next run).
   */
  setCurvatures(curvatures: readonly (ArrayLike<number> | null)[]): void {
    if (curvatures.length !== this.nlme.length)
      throw new ScichainError(
        'ShapeMismatch',
        `${curvatures.length} curvatures for ${this.nlme.length} subjects`,
      );
    curvatures.forEach((c, i) => this.nlme[i].setCurvature(c));
    const p = this.parallel;
    if (p !== null) {
      const q = this.model.q;
      const { curvatures: shared, curvatureReady } = p.shared.floats;
      curvatures.forEach((c, i) => {
        curvatureReady[i] = c === null ? 0 : 1;
        if (c !== null) shared.set(c, i * q * q);
      });
      Atomics.add(p.shared.ints, CURVATURE_VERSION, 1);
    }
  }

  /** η̂ of every subject from the last evaluation. */
  etas(): Float64Array[] {
    return this.nlme.map((s) => s.etaHat.slice());
  }

  /** The per-subject engines (diagnostics). */
  subjectEngines(): readonly SubjectNlme[] {
    return this.nlme;
  }
}

/**
 * ∂g/∂η of a vector function g (into `jacobian`, rows × q, row-major) by central differences
 * with steps 1e-6·max(1, |η_k|); `shifted`, `up` and `down` are scratch of lengths q and rows.
 */
function differenceOverEta(
  eta: Float64Array,
  g: (eta: Float64Array, out: Float64Array) => void,
  jacobian: Float64Array,
  shifted: Float64Array,
  up: Float64Array,
  down: Float64Array,
): void {
  const q = eta.length;
  const rows = up.length;
  for (let k = 0; k < q; k++) {
    const h = 1e-6 * Math.max(1, Math.abs(eta[k]));
    shifted.set(eta);
    shifted[k] = eta[k] + h;
    g(shifted, up);
    shifted[k] = eta[k] - h;
    g(shifted, down);
    for (let r = 0; r < rows; r++) jacobian[r * q + k] = (up[r] - down[r]) / (2 * h);
  }
}

/**
 * Central-difference gradient of the objective (and per-subject gradients when asked). With
 * `value` (the objective at x), an entry whose one side is not finite — x at the edge of the
 * predictions' domain — takes the one-sided difference of the other side instead of NaN.
 */
function differenceGradient(
  objective: PopulationObjective,
  x: Float64Array,
  grad: Float64Array,
  perSubject: Float64Array[] | null,
  free: Int32Array,
  value = NaN,
): void {
  const point = x.slice();
  const m = objective.subjectValues.length;
  const plus = new Float64Array(m);
  grad.fill(0);
  for (const k of free) {
    const h = 1e-4 * Math.max(1, Math.abs(x[k]));
    point[k] = x[k] + h;
    const up = objective.value(point);
    plus.set(objective.subjectValues);
    point[k] = x[k] - h;
    const down = objective.value(point);
    point[k] = x[k];
    grad[k] = (up - down) / (2 * h);
    if (!Number.isFinite(grad[k]) && Number.isFinite(value)) {
      if (Number.isFinite(up)) grad[k] = (up - value) / h;
      else if (Number.isFinite(down)) grad[k] = (value - down) / h;
    }
    if (perSubject !== null)
      for (let i = 0; i < m; i++)
        perSubject[i][k] = (plus[i] - objective.subjectValues[i]) / (2 * h);
  }
}

/**
 * Hessian of the objective over the free entries of x (free × free) by central differences of
 * the difference gradient, symmetrised; `noise` is its largest asymmetry before that — the size
 * of its numerical error.
 */
function differenceHessian(
  objective: PopulationObjective,
  x: Float64Array,
  free: Int32Array,
): { hessian: Float64Array; noise: number } {
  const p = free.length;
  const hessian = new Float64Array(p * p);
  const gUp = new Float64Array(x.length);
  const gDown = new Float64Array(x.length);
  const point = x.slice();
  for (let c = 0; c < p; c++) {
    const k = free[c];
    const h = 1e-3 * Math.max(1, Math.abs(x[k]));
    point[k] = x[k] + h;
    differenceGradient(objective, point, gUp, null, free);
    point[k] = x[k] - h;
    differenceGradient(objective, point, gDown, null, free);
    point[k] = x[k];
    for (let j = 0; j < p; j++) hessian[j * p + c] = (gUp[free[j]] - gDown[free[j]]) / (2 * h);
  }
  let noise = 0;
  for (let a = 0; a < p; a++)
    for (let b = 0; b < a; b++) {
      const s = 0.5 * (hessian[a * p + b] + hessian[b * p + a]);
      noise = Math.max(noise, 0.5 * Math.abs(hessian[a * p + b] - hessian[b * p + a]));
      hessian[a * p + b] = s;
      hessian[b * p + a] = s;
    }
  return { hessian, noise };
}

/** Natural-scale quantities ν(x): θ, Ω's lower triangle (or diagonal), residual parameters. */
function naturalValues(
  model: PopulationModel,
  x: ArrayLike<number>,
): { names: string[]; values: number[] } {
  const names: string[] = [];
  const values: number[] = [];
  const theta = model.theta(x);
  model.thetaNames.forEach((name) => {
    names.push(name);
    values.push(theta[name]);
  });
  const q = model.q;
  const omega = model.omega(x);
  for (let a = 0; a < q; a++)
    for (let b = 0; b <= a; b++) {
      if (model.diagonalOmega && a !== b) continue;
      names.push(
        a === b ? `ω²(${model.etaNames[a]})` : `ω(${model.etaNames[a]}, ${model.etaNames[b]})`,
      );
      values.push(omega[a * q + b]);
    }
  const residuals = model.residuals(x);
  model.residualParameters.forEach(({ endpoint, kind }, i) => {
    names.push(`residual ${model.residualLabel(i)}`);
    values.push(residuals[endpoint][kind]!);
  });
  return { names, values };
}

/** Fits a population model to subjects; see the module comment for the approach. */
export function fitPopulation(
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  options: FitPopulationOptions,
): PopulationFit {
  const started = performance.now();
  const objective = new PopulationObjective(
    model,
    subjects,
    options.method,
    options.laplaceHessian,
    options.threads,
  );
  try {
    return fitWith(objective, model, subjects, options, started);
  } finally {
    objective.dispose();
  }
}

/** Checks, then the outer run's state: fresh, or as a checkpoint left it. */
function startOuterRun(
  objective: PopulationObjective,
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  options: FitPopulationOptions,
  resume?: RestoredOuterRun,
): OuterRun {
  const x = model.start(options.start);
  const free = freeEntries(model, options.fixed ?? []);
  // What cannot be fitted is an error before any work; the rest becomes warnings.
  const warnings = checkObservations(model, subjects);
  const freeSet = new Set(free);
  const fixedThetas = new Set(model.thetaNames.map((_, i) => i).filter((i) => !freeSet.has(i)));
  checkParametersUsed(model, subjects, x, fixedThetas);
  const q = model.q;
  const run: OuterRun = {
    x,
    free,
    warnings,
    gradientTolerance: options.gradientTolerance ?? 1e-4,
    maxIterations: options.maxIterations ?? 500,
    iterations: 0,
    iterationEnd: 0,
    pointEtas: new Float64Array(subjects.length * q),
    acceptedEtas: new Float64Array(subjects.length * q),
    lbfgs: undefined,
    lastPoint: new Float64Array(x.length),
    lastValue: NaN,
    lastGradient: new Float64Array(x.length),
    carried: false,
    last: undefined,
  };
  if (resume !== undefined) {
    // The objective's warm starts and counters as they were: the next evaluations then give
    // the bits the uninterrupted run got.
    x.set(resume.x);
    run.iterations = resume.iterations;
    run.iterationEnd = resume.iterationEnd;
    run.acceptedEtas.set(resume.acceptedEtas);
    run.lbfgs = resume.lbfgs;
    run.lastPoint.set(resume.x);
    run.lastValue = resume.value;
    run.lastGradient.set(resume.gradient);
    run.carried = true;
    objective.setEtas(subjects.map((_, i) => resume.etas.subarray(i * q, (i + 1) * q)));
    objective.setCurvatures(resume.curvatures);
    objective.evaluations = resume.evaluations;
    objective.nonFiniteEvaluations = resume.nonFiniteEvaluations;
    objective.lastFailure = resume.lastFailure;
    return run;
  }
  if (options.startEta !== undefined) objective.setEtas(options.startEta);
  if (!Number.isFinite(objective.value(x))) {
    throw new ScichainError(
      'InvalidState',
      `the ${options.method} objective is not finite at the initial estimates (${pointText(model, x)}): ${objective.lastFailure?.message ?? 'unknown reason'}`,
    );
  }
  run.iterationEnd = objective.evaluations;
  objective.copyEtas(run.acceptedEtas);
  return run;
}

/**
 * One slice of the outer L-BFGS: until it stops, or (with `stopWhen`) until `stopWhen(done)`
 * says so after an iteration (`done`: iterations over all slices). True when the run is over.
 */
function runOuterSlice(
  objective: PopulationObjective,
  model: PopulationModel,
  options: FitPopulationOptions,
  run: OuterRun,
  stopWhen: ((done: number) => boolean) | null,
): boolean {
  const remaining = run.maxIterations - run.iterations;
  let r: ReturnType<typeof minimize>;
  try {
    r = minimize(
      (point, grad) => {
        if (run.carried) {
          // The point the last slice ended on, evaluated there: its value and gradient again.
          run.carried = false;
          for (let i = 0; i < point.length; i++)
            if (!Object.is(point[i], run.lastPoint[i]))
              throw new ScichainError(
                'InvalidState',
                `a continuing slice of the outer L-BFGS starts at x[${i}] = ${point[i]}, not where the last one ended (${run.lastPoint[i]})`,
              );
          grad.set(run.lastGradient);
          return run.lastValue;
        }
        const value = objective.value(point);
        objective.copyEtas(run.pointEtas);
        if (Number.isFinite(value))
          differenceGradient(
            objective,
            point as Float64Array,
            grad as Float64Array,
            null,
            run.free,
            value,
          );
        run.lastPoint.set(point);
        run.lastValue = value;
        run.lastGradient.set(grad);
        return value;
      },
      run.x,
      {
        method: 'lbfgs',
        maxIterations: remaining,
        gradientTolerance: run.gradientTolerance,
        progress: false,
        ...(run.lbfgs ? { lbfgsState: run.lbfgs } : {}),
        callback: (info) => {
          run.iterationEnd = objective.evaluations;
          run.acceptedEtas.set(run.pointEtas);
          // Never on the last allowed iteration: that stop is MaxIterations, as in one call.
          return stopWhen !== null &&
            info.iteration < remaining &&
            stopWhen(run.iterations + info.iteration)
            ? 'stop'
            : undefined;
        },
      },
    );
  } catch (e) {
    // The start's gradient is not finite on both sides of an entry.
    if (e instanceof ScichainError && e.code === 'NonFinite' && objective.lastFailure !== null) {
      const entry = /gradient entry (\d+)/.exec(e.message);
      const name = entry === null ? 'x' : model.parameterNames()[Number(entry[1])];
      throw new ScichainError(
        'NonFinite',
        `the ${options.method} objective's difference gradient over ${name} is not finite at the initial estimates: the objective is not finite on both sides, e.g. at ${pointText(model, objective.lastFailure.x)}, where ${objective.lastFailure.message}`,
      );
    }
    throw e;
  }
  run.iterations += r.iterations;
  run.lbfgs = r.lbfgsState;
  run.last = r;
  run.carried = r.reason === 'Callback';
  return !run.carried;
}

/** Options of {@link fitPopulationAsync}. */
export interface FitPopulationAsyncOptions extends FitPopulationOptions {
  /**
   * Checkpoint file, written every `everySeconds` (default 60) and, unless `onSignal` is false,
   * when SIGINT or SIGTERM arrives (the fit then resolves as `'Interrupted'`).
   */
  readonly checkpoint?: CheckpointTarget;
  /**
   * Continue from a checkpoint ({@link scichain/node!loadPopulationFitCheckpoint}), bit-exactly.
   */
  readonly resume?: PopulationFitCheckpoint;
  /** Length of a slice of the outer L-BFGS between looks at the event loop, ms (default 20). */
  readonly sliceMs?: number;
  /**
   * Interrupt, as a signal would, once this many outer iterations are done (at a slice's end;
   * `sliceMs: 0` makes every iteration one): for tests and bounded runs.
   */
  readonly stopAfterIterations?: number;
}

/**
 * Outcome of {@link fitPopulationAsync}: the fit, or where an interrupted one stopped (it has
 * no estimate yet; resume its checkpoint for the fit).
 */
export type PopulationFitRun =
  | { readonly reason: 'Done'; readonly fit: PopulationFit; readonly checkpointPath?: string }
  | {
      readonly reason: 'Interrupted';
      /** The signal that interrupted it (none: `stopAfterIterations`). */
      readonly signal?: 'SIGINT' | 'SIGTERM';
      readonly checkpointPath?: string;
      /** Outer iterations done. */
      readonly iterations: number;
    };

/**
 * {@link fitPopulation} with checkpoints: the outer L-BFGS runs in slices of about `sliceMs`
 * (each continuing from x, the curvature memory and the η̂ warm starts, so the iterates are
 * those of one call) and between slices lets the event loop run, so SIGINT and SIGTERM are
 * seen: the slice finishes, the checkpoint is written atomically and the run resolves as
 * `'Interrupted'` (a second signal, a second or more after the first, exits at once). Resumed from that checkpoint, the fit ends
 * with the same x, objective and iterations, bit for bit, as one never interrupted. A
 * checkpoint of another method, or of another number of subjects or parameters, is refused.
 */
export async function fitPopulationAsync(
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  options: FitPopulationAsyncOptions,
): Promise<PopulationFitRun> {
  const started = performance.now();
  checkCheckpointOptions(options.checkpoint);
  const restored =
    options.resume === undefined
      ? undefined
      : readPopulationFitCheckpoint(options.resume, {
          method: options.method,
          subjects: subjects.length,
          size: model.size,
          q: model.q,
          maxIterations: options.maxIterations ?? 500,
          free: freeEntries(model, options.fixed ?? []),
          data: dataFingerprint(subjects),
        });
  const objective = new PopulationObjective(
    model,
    subjects,
    options.method,
    options.laplaceHessian,
    options.threads,
  );
  const checkpoint = options.checkpoint;
  const signals = new SignalWatch(checkpoint !== undefined && checkpoint.onSignal !== false);
  try {
    const run = startOuterRun(objective, model, subjects, options, restored);
    const sliceMs = options.sliceMs ?? 20;
    const stopAfter = options.stopAfterIterations ?? Infinity;
    const writer = new CheckpointWriter(checkpoint, () =>
      populationFitCheckpoint(options.method, run, objective, run.free),
    );
    for (;;) {
      const sliceStart = performance.now();
      const over = runOuterSlice(
        objective,
        model,
        options,
        run,
        (done) => done >= stopAfter || performance.now() - sliceStart >= sliceMs,
      );
      if (over) break;
      await nextTurn();
      const pending = signals.pending;
      if (pending !== undefined || run.iterations >= stopAfter) {
        writer.write();
        return {
          reason: 'Interrupted',
          ...(pending === undefined ? {} : { signal: pending }),
          ...(writer.path === undefined ? {} : { checkpointPath: writer.path }),
          iterations: run.iterations,
        };
      }
      writer.writeIfDue();
    }
    const fit = finishFit(objective, model, subjects, options, run, started);
    return {
      reason: 'Done',
      fit,
      ...(writer.path === undefined ? {} : { checkpointPath: writer.path }),
    };
  } finally {
    signals.dispose();
    objective.dispose();
  }
}

function fitWith(
  objective: PopulationObjective,
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  options: FitPopulationOptions,
  started: number,
): PopulationFit {
  const run = startOuterRun(objective, model, subjects, options);
  runOuterSlice(objective, model, options, run, null);
  return finishFit(objective, model, subjects, options, run, started);
}

/** The estimate's value, standard errors, shrinkage and diagnostics after the outer run. */
function finishFit(
  objective: PopulationObjective,
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  options: FitPopulationOptions,
  outer: OuterRun,
  started: number,
): PopulationFit {
  const { x, free, warnings, gradientTolerance, acceptedEtas } = outer;
  const q = model.q;
  // The slices as one run: the last one's stop, all the iterations.
  const run: MinimizeResult = { ...outer.last!, iterations: outer.iterations };
  const iterationEnd = outer.iterationEnd;
  // The run's last failure, before the final evaluation (whose own failure the fallbacks handle).
  const failure = objective.lastFailure;
  const nonFinite = objective.nonFiniteEvaluations;
  const evaluations = objective.evaluations;
  let value = objective.value(x);
  for (const fallback of [acceptedEtas, null]) {
    if (Number.isFinite(value)) break;
    // The warm starts of η̂ came from a rejected trial point: search again from those of the
    // last accepted point, then from η = 0.
    objective.setEtas(
      subjects.map((_, i) =>
        fallback === null ? new Float64Array(q) : fallback.subarray(i * q, (i + 1) * q),
      ),
    );
    value = objective.value(x);
  }
  if (!Number.isFinite(value))
    throw new ScichainError(
      'NonFinite',
      `the ${options.method} objective is not finite at the final estimates (${pointText(model, x)}): ${objective.lastFailure?.message ?? 'unknown reason'}`,
    );
  const stopReason: PopulationStopReason = stopReasonOf(
    run,
    failure !== null && failure.evaluation > iterationEnd,
  );
  const stopMessage = stopMessageOf(
    stopReason,
    run,
    gradientTolerance,
    failure === null ? '' : `${pointText(model, failure.x)}, where ${failure.message}`,
  );
  if (stopReason !== 'converged') {
    warnings.push(stopMessage);
    if (stopReason !== 'nonFiniteObjective' && failure !== null)
      warnings.push(
        `the objective was not finite at ${nonFinite} of ${evaluations} evaluations, the last at ${pointText(model, failure.x)}, where ${failure.message}`,
      );
  }
  const eta = objective.etas();
  const n = objective.observationCount;
  const k = free.length;

  // Standard errors: Cov(x) = 2·H⁻¹ (OFV = −2LL) and the sandwich A⁻¹BA⁻¹ with A = H/2,
  // B = Σᵢ sᵢsᵢᵀ, sᵢ = −½∇OFVᵢ; natural scales by the delta method.
  const natural = naturalValues(model, x);
  let se = natural.values.map(() => NaN);
  let seSandwich = natural.values.map(() => NaN);
  let covarianceStep = skippedCovariance('not asked for (covariance: false)');
  if (options.covariance ?? true) {
    const names = model.parameterNames();
    const freeNames = Array.from(free, (i) => names[i]);
    const { hessian, noise } = differenceHessian(objective, x, free);
    let r = checkPositiveDefinite(
      hessian,
      k,
      freeNames,
      noise,
      'R (the Hessian of the objective)',
      'the data do not determine',
    );
    const factor = hessian.slice();
    if (r.status === 'ok' && !choleskyFactor(factor, k))
      r = {
        ...r,
        status: 'notPositiveDefinite',
        reason: 'R (the Hessian of the objective) has no Cholesky factor',
      };
    if (r.status === 'nonFinite' && objective.lastFailure !== null)
      r = { ...r, reason: `${r.reason} (${objective.lastFailure.message})` };
    let s: { status: CovarianceStep['status']; reason: string } = {
      status: 'skipped',
      reason: 'not computed: R failed',
    };
    if (r.status === 'ok') {
      const inverse = new Float64Array(k * k);
      choleskyInverse(factor, k, inverse);
      const perSubject = subjects.map(() => new Float64Array(x.length));
      differenceGradient(objective, x, new Float64Array(x.length), perSubject, free);
      const covariance = inverse.map((v) => 2 * v);
      const b = new Float64Array(k * k);
      for (const g of perSubject)
        for (let r = 0; r < k; r++)
          for (let c = 0; c < k; c++) b[r * k + c] += 0.25 * g[free[r]] * g[free[c]];
      // S is a sum of outer products (positive semi-definite): singular is its failure, at
      // the rounding of its largest entries.
      s = checkPositiveDefinite(
        b,
        k,
        freeNames,
        0,
        "S (the sum of the subjects' score products)",
        subjects.length < k
          ? `with ${subjects.length} subjects for ${k} parameters, the subjects' scores never move along`
          : "the subjects' scores never move along",
      );
      const jacobian = naturalJacobian(model, x, natural.values.length, free);
      se = deltaSe(jacobian, covariance, k);
      if (s.status === 'ok') {
        // A⁻¹ = 2H⁻¹.
        const aInverse = covariance;
        const sandwich = multiply(multiply(aInverse, b, k), aInverse, k);
        seSandwich = deltaSe(jacobian, sandwich, k);
      }
    }
    covarianceStep = {
      status: r.status,
      reason: r.reason,
      conditionNumber: r.conditionNumber,
      sandwichStatus: s.status,
      sandwichReason: s.status === 'ok' ? '' : s.reason,
    };
    if (r.status !== 'ok') warnings.push(`covariance step failed: ${r.reason}`);
    else if (s.status !== 'ok') warnings.push(`sandwich standard errors failed: ${s.reason}`);
    objective.value(x); // restore η̂ at the estimate
  }
  warnings.push(...boundaryWarnings(model, x, subjects));
  const held = new Set(options.fixed ?? []);
  const estimates: Estimate[] = natural.names.map((name, i) => ({
    name,
    value: natural.values[i],
    se: held.has(name) ? NaN : se[i],
    seSandwich: held.has(name) ? NaN : seSandwich[i],
    rse: held.has(name) ? NaN : (100 * se[i]) / Math.abs(natural.values[i]),
  }));

  // Shrinkage and diagnostics at the estimate.
  const omega = model.omega(x);
  const etaShrinkage = new Float64Array(q);
  // Over the subjects with observations: the others' η̂ is 0 whatever the data say.
  const observed = eta.filter((_, i) => subjects[i].observations.length > 0);
  if (observed.length < 2) {
    etaShrinkage.fill(NaN);
    warnings.push(
      'only one subject has observations: it cannot determine Ω, and η shrinkage is undefined (NaN)',
    );
  }
  for (let a = 0; a < q && observed.length >= 2; a++) {
    const values = observed.map((e) => e[a]);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
    etaShrinkage[a] = 1 - sd / Math.sqrt(omega[a * q + a]);
  }
  const variance = model.residuals(x).map((r) => new ResidualVariance(r));
  const diagnostics: ObservationDiagnostics[] = [];
  let iwresSquares = 0;
  let iwresCount = 0;
  const engines = objective.subjectEngines();
  subjects.forEach((subject, i) => {
    const m = subject.observations.length;
    const out = {
      ipred: new Float64Array(m),
      iwres: new Float64Array(m),
      cwres: new Float64Array(m),
    };
    const pred = new Float64Array(m);
    const zeros = new Float64Array(q);
    const fine = engines[i].diagnostics(zeros, omega, variance, {
      ...out,
      cwres: new Float64Array(m),
    });
    if (fine) pred.set(out.ipred);
    else {
      pred.fill(NaN);
      if (m > 0)
        warnings.push(
          `PRED (η = 0) is NaN for subject ${subject.id}: ${objective.formatFailure(i)}`,
        );
    }
    if (!engines[i].diagnostics(eta[i], omega, variance, out) && m > 0) {
      // Never zeros that look like a perfect fit: NaN, and the reason.
      out.ipred.fill(NaN);
      out.iwres.fill(NaN);
      out.cwres.fill(NaN);
      warnings.push(
        `IPRED, IWRES and CWRES (at η̂) are NaN for subject ${subject.id}: ${objective.formatFailure(i)}`,
      );
    }
    for (let j = 0; j < m; j++) {
      const endpoint = subject.endpoints ? subject.endpoints[j] : 0;
      const dv = variance[endpoint].logScale
        ? Math.log(subject.observations[j])
        : subject.observations[j];
      diagnostics.push({
        id: subject.id,
        time: subject.times[j],
        dv,
        pred: pred[j],
        ipred: out.ipred[j],
        res: dv - pred[j],
        iwres: out.iwres[j],
        cwres: out.cwres[j],
      });
      if (Number.isFinite(out.iwres[j])) {
        iwresSquares += out.iwres[j] ** 2;
        iwresCount++;
      }
    }
  });
  return {
    method: options.method,
    model,
    x,
    ...informationCriteria(value, n, k),
    theta: model.theta(x),
    omega,
    residual: model.residual(x),
    residuals: model.residuals(x),
    estimates,
    eta,
    etaShrinkage,
    epsilonShrinkage: 1 - Math.sqrt(iwresSquares / iwresCount),
    diagnostics,
    iterations: run.iterations,
    evaluations: objective.evaluations,
    converged: stopReason === 'converged',
    stopReason,
    stopMessage,
    gradientNorm: run.gradientNorm,
    warnings,
    covariance: covarianceStep,
    seconds: (performance.now() - started) / 1000,
  };
}

/** `tcl = 0.65, tv = 2.93, ω²(cl) = 0.17, …`: the natural-scale values of x, for messages. */
function pointText(model: PopulationModel, x: ArrayLike<number>): string {
  const { names, values } = naturalValues(model, x);
  return names.map((name, i) => `${name} = ${values[i].toPrecision(4)}`).join(', ');
}

function multiply(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += a[i * k + l] * b[l * k + j];
      out[i * k + j] = s;
    }
  return out;
}

/** ∂ν/∂x over the free entries by central differences (ν: natural-scale quantities). */
function naturalJacobian(
  model: PopulationModel,
  x: Float64Array,
  m: number,
  free: Int32Array,
): Float64Array {
  const k = free.length;
  const jacobian = new Float64Array(m * k);
  const point = x.slice();
  for (let c = 0; c < k; c++) {
    const at = free[c];
    const h = 1e-6 * Math.max(1, Math.abs(x[at]));
    point[at] = x[at] + h;
    const up = naturalValues(model, point).values;
    point[at] = x[at] - h;
    const down = naturalValues(model, point).values;
    point[at] = x[at];
    for (let r = 0; r < m; r++) jacobian[r * k + c] = (up[r] - down[r]) / (2 * h);
  }
  return jacobian;
}

/** Indices of x that are estimated: all but the fixed θ and weight vectors. */
export function freeEntries(model: PopulationModel, fixed: readonly string[]): Int32Array {
  const held = new Set<number>();
  for (const name of fixed) {
    const t = model.thetaNames.indexOf(name);
    const w = model.weightBlocks.find((b) => b.name === name);
    if (t >= 0) held.add(t);
    else if (w !== undefined) for (let k = 0; k < w.size; k++) held.add(w.offset + k);
    else
      throw new ScichainError(
        'UnknownName',
        `cannot fix '${name}': the model's fixed effects are ${[...model.thetaNames, ...model.weightBlocks.map((b) => b.name)].join(', ')}`,
      );
  }
  return Int32Array.from({ length: model.size }, (_, k) => k).filter((k) => !held.has(k));
}

function deltaSe(jacobian: Float64Array, covariance: Float64Array, k: number): number[] {
  const m = jacobian.length / k;
  const out: number[] = [];
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++)
        s += jacobian[r * k + a] * covariance[a * k + b] * jacobian[r * k + b];
    out.push(Math.sqrt(s));
  }
  return out;
}
