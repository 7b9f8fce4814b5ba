/**
 * A population (NLME) model as data: fixed effects θ, random effects η with covariance Ω
 * (diagonal or one full block), a residual error model, individual parameters as a function of
 * (θ, η, covariates) and a structural prediction per subject.
 *
 * Everything estimated lives in one vector x (the optimizer's θ in scichain's sense):
 *
 *   x = [ θ (unconstrained, or through its bounds) | weights | Ω (log-Cholesky) | residual (log) ]
 *
 * `weights` are vector-valued fixed effects — the parameters of networks or surrogates inside
 * the dynamics or in the covariate model (estimated by {@link fitNeuralPopulation}).
 *
 * Ω's log-Cholesky parameterisation: Ω = L·Lᵀ with L lower triangular; x holds log L_kk on the
 * diagonal and L_kl below it (for a diagonal Ω only log ω_k = ½·log ω²_k). Every x is a valid
 * positive-definite Ω, and the map is smooth — which an unconstrained quasi-Newton method needs.
 */
import { ScichainError } from '../../core/errors.ts';
import { compileIndividual, type CompiledIndividual } from './individual-expressions.ts';
import type { ResidualError, ResidualErrorType } from './residual-error.ts';

const RESIDUAL_TYPES: readonly ResidualErrorType[] = [
  'additive',
  'proportional',
  'combined-variance',
  'combined-sd',
  'lognormal',
];

/** One subject as the estimation sees it. */
export interface PopulationSubject {
  readonly id: string;
  /** Observed values (natural scale; lognormal error compares their logs). */
  readonly observations: ArrayLike<number>;
  /** Observation times (for diagnostics and plots). */
  readonly times: ArrayLike<number>;
  /**
   * Endpoint of each observation: an index into {@link PopulationModel.endpointNames} (default:
   * every observation belongs to the first endpoint).
   */
  readonly endpoints?: ArrayLike<number>;
  /** Covariates by name. */
  readonly covariates?: Readonly<Record<string, number>>;
  /**
   * Predictions at the observation times for individual parameters φ (in the order of
   * {@link PopulationModelSpec.individualNames}) into `f`.
   */
  predict(phi: Float64Array, f: Float64Array): void;
  /**
   * Optional: the predictions and their Jacobian ∂f/∂φ (observations × individual parameters,
   * row-major) in one go — e.g. from forward sensitivities of an ODE model. When present, the
   * η-conditional steps use it (with ∂φ/∂η by differences of the algebraic individual model)
   * instead of differencing the predictions over η. With `columns` (indices into φ) only those
   * columns are computed: `jacobian` is then observations × columns.length.
   */
  predictWithJacobian?(
    phi: Float64Array,
    f: Float64Array,
    jacobian: Float64Array,
    columns?: Int32Array,
  ): void;
}

/**
 * A fixed effect with bounds: x holds log(θ − lower), log(upper − θ) or
 * logit((θ − lower)/(upper − lower)), so every x is inside the bounds.
 */
export interface BoundedTheta {
  readonly value: number;
  readonly lower?: number;
  readonly upper?: number;
}

/** Maps between a bounded θ and its unconstrained entry of x. */
class ThetaBounds {
  readonly lower: number;
  readonly upper: number;

  constructor(lower: number, upper: number) {
    this.lower = lower;
    this.upper = upper;
  }

  toNatural(z: number): number {
    const { lower, upper } = this;
    if (lower > -Infinity && upper < Infinity) return lower + (upper - lower) / (1 + Math.exp(-z));
    if (lower > -Infinity) return lower + Math.exp(z);
    if (upper < Infinity) return upper - Math.exp(z);
    return z;
  }

  fromNatural(v: number): number {
    const { lower, upper } = this;
    if (lower > -Infinity && upper < Infinity) {
      const r = (v - lower) / (upper - lower);
      return Math.log(r / (1 - r));
    }
    if (lower > -Infinity) return Math.log(v - lower);
    if (upper < Infinity) return Math.log(upper - v);
    return v;
  }
}

/** The individual model as a function: φ (in the order of `individualNames`) from θ, η, covariates. */
export type IndividualFunction = (
  theta: Readonly<Record<string, number>>,
  eta: Readonly<Record<string, number>>,
  covariates: Readonly<Record<string, number>>,
  phi: Float64Array,
  weights: Readonly<Record<string, Float64Array>>,
) => void;

/** A block of φ: a scalar individual parameter, or a weight vector passed to the dynamics. */
export interface IndividualBlock {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** Whether the block is a weight vector (copied from x into φ). */
  readonly weights: boolean;
}

/** What {@link PopulationModel} takes. */
export interface PopulationModelSpec {
  /** Fixed effects and their initial values (unconstrained: write exp(θ) for positive ones). */
  readonly theta: Readonly<Record<string, number | BoundedTheta>>;
  /** Random effects: names and initial Ω — diagonal variances, or a full covariance block. */
  readonly omega:
    | { readonly diagonal: Readonly<Record<string, number>> }
    | { readonly names: readonly string[]; readonly block: readonly (readonly number[])[] };
  /**
   * Residual error model with initial parameter values — one, or one per endpoint by name (e.g.
   * `{ pk: { type: 'proportional', … }, pd: { type: 'additive', … } }`; subjects then say which
   * endpoint each observation belongs to).
   */
  readonly residual: ResidualError | Readonly<Record<string, ResidualError>>;
  /**
   * Vector-valued fixed effects by name with their initial values — the weights of a network or
   * surrogate (`layer.init(rng)`). The individual function receives them; a weight name listed in
   * `individualNames` also passes the whole vector into φ (for a network inside the dynamics:
   * `odeSubjects` sets the model's block of that name from it).
   */
  readonly weights?: Readonly<Record<string, ArrayLike<number>>>;
  /**
   * Names of the individual parameters φ (not needed with expressions: their keys, followed by
   * every weight vector). A weight name stands for its whole vector.
   */
  readonly individualNames?: readonly string[];
  /**
   * φ from θ (by name), η (by name) and the subject's covariates: either expressions such as
   * `{ cl: 'exp(tcl + eta.cl) * (WT/70)^0.75' }` (compiled once; other names are covariates), or
   * a function writing `phi` in the order of `individualNames`, e.g.
   * `phi[0] = Math.exp(theta.tcl + eta.cl) * (cov.WT / 70) ** 0.75` (weight blocks of φ are
   * filled after it returns; its fifth argument holds every weight vector, e.g. for a network
   * from covariates to a typical value).
   */
  readonly individual: Readonly<Record<string, string>> | IndividualFunction;
}

/** The parameter vector's layout and conversions. */
export class PopulationModel {
  readonly thetaNames: readonly string[];
  readonly etaNames: readonly string[];
  readonly diagonalOmega: boolean;
  /** Endpoint names ('' for a model with a single residual model). */
  readonly endpointNames: readonly string[];
  /** Residual model type per endpoint. */
  readonly residualTypes: readonly ResidualErrorType[];
  /** The residual parameters in x, in order: their endpoint and kind. */
  readonly residualParameters: readonly {
    readonly endpoint: number;
    readonly kind: 'additive' | 'proportional';
  }[];
  readonly spec: PopulationModelSpec;
  /** Names of the individual parameters φ, in order (a weight name stands for its vector). */
  readonly individualNames: readonly string[];
  /** φ's blocks (scalars, and weight vectors passed into the dynamics). */
  readonly individualBlocks: readonly IndividualBlock[];
  /** Length of φ. */
  readonly individualSize: number;
  /** Covariates the individual model reads (known only for expressions; else empty). */
  readonly covariateNames: readonly string[];
  /** Weight vectors: names, offsets in x and sizes. */
  readonly weightBlocks: readonly {
    readonly name: string;
    readonly offset: number;
    readonly size: number;
  }[];
  /**
   * φ from θ, η, covariates and the weight vectors (fills φ's weight blocks after the user's
   * individual model).
   */
  readonly individual: (
    theta: Readonly<Record<string, number>>,
    eta: Readonly<Record<string, number>>,
    covariates: Readonly<Record<string, number>>,
    phi: Float64Array,
    weights?: Readonly<Record<string, Float64Array>>,
  ) => void;
  private readonly thetaBounds: readonly { readonly value: number; readonly bounds: ThetaBounds }[];
  private readonly initialResiduals: readonly ResidualError[];
  private readonly initialWeights: Float64Array[];
  /** Offsets of the blocks in x. */
  readonly omegaOffset: number;
  readonly residualOffset: number;
  readonly size: number;

  constructor(spec: PopulationModelSpec) {
    this.spec = spec;
    const isRecord = (v: unknown): boolean => v !== null && typeof v === 'object';
    const shape = (ok: boolean, what: string): void => {
      if (!ok) throw new ScichainError('InvalidArgument', `population model: ${what}`);
    };
    shape(isRecord(spec.theta), 'theta must be an object of name → initial value');
    shape(
      isRecord(spec.omega) &&
        ('diagonal' in spec.omega
          ? isRecord(spec.omega.diagonal)
          : Array.isArray((spec.omega as { names?: unknown }).names) &&
            Array.isArray((spec.omega as { block?: unknown }).block) &&
            (spec.omega as unknown as { block: unknown[] }).block.every(Array.isArray)),
      'omega must be { diagonal: { name: variance } } or { names: [...], block: [[...]] }',
    );
    shape(isRecord(spec.residual), 'residual must be a residual error model, or one per endpoint');
    shape(
      typeof spec.individual === 'function' ||
        (isRecord(spec.individual) && !Array.isArray(spec.individual)),
      'individual must be { name: expression } or a function',
    );
    shape(
      spec.weights === undefined || isRecord(spec.weights),
      'weights must be an object of name → initial vector',
    );
    this.thetaNames = Object.keys(spec.theta);
    this.thetaBounds = this.thetaNames.map((name) => {
      const entry = spec.theta[name] as unknown;
      if (typeof entry !== 'number' && (entry === null || typeof entry !== 'object')) {
        throw new ScichainError(
          'InvalidArgument',
          `initial θ '${name}' must be a number or { value, lower?, upper? }, got ${String(entry)}`,
        );
      }
      const {
        value,
        lower = -Infinity,
        upper = Infinity,
      } = typeof entry === 'number' ? { value: entry } : (entry as BoundedTheta);
      if (!Number.isFinite(value))
        throw new ScichainError('NonFinite', `initial θ '${name}' is ${value}`);
      if (!(lower < upper) || !(value > lower && value < upper)) {
        throw new ScichainError(
          'InvalidArgument',
          `initial θ '${name}' = ${value} must lie strictly inside its bounds (${lower}, ${upper})`,
        );
      }
      return { value, bounds: new ThetaBounds(lower, upper) };
    });
    if ('diagonal' in spec.omega) {
      this.etaNames = Object.keys(spec.omega.diagonal);
      this.diagonalOmega = true;
      for (const name of this.etaNames) {
        const v = spec.omega.diagonal[name];
        if (!(v > 0) || !Number.isFinite(v))
          throw new ScichainError(
            'InvalidArgument',
            `initial ω² of '${name}' must be > 0, got ${v}`,
          );
      }
    } else {
      this.etaNames = [...spec.omega.names];
      this.diagonalOmega = false;
      const q = this.etaNames.length;
      if (spec.omega.block.length !== q || spec.omega.block.some((row) => row.length !== q)) {
        throw new ScichainError(
          'ShapeMismatch',
          `the Ω block must be ${q} × ${q} for η ${this.etaNames.join(', ')}`,
        );
      }
    }
    if (this.etaNames.length === 0)
      throw new ScichainError('InvalidArgument', 'a population model needs at least one η');
    const single = typeof (spec.residual as ResidualError).type === 'string';
    const models: [string, ResidualError][] = single
      ? [['', spec.residual as ResidualError]]
      : Object.entries(spec.residual as Record<string, ResidualError>);
    if (models.length === 0)
      throw new ScichainError('InvalidArgument', 'a population model needs a residual error model');
    for (const [name, m] of models) {
      const type = isRecord(m) ? (m as { type?: unknown }).type : undefined;
      if (!RESIDUAL_TYPES.includes(type as ResidualErrorType)) {
        throw new ScichainError(
          'InvalidArgument',
          `residual error model${name === '' ? '' : ` '${name}'`}: type must be one of ${RESIDUAL_TYPES.join(', ')}, got ${String(type)}`,
        );
      }
    }
    this.endpointNames = models.map(([name]) => name);
    this.residualTypes = models.map(([, m]) => m.type);
    this.initialResiduals = models.map(([, m]) => m);
    this.residualParameters = models.flatMap(([, m], endpoint) =>
      (m.type === 'additive' || m.type === 'lognormal'
        ? (['additive'] as const)
        : m.type === 'proportional'
          ? (['proportional'] as const)
          : (['additive', 'proportional'] as const)
      ).map((kind) => ({ endpoint, kind })),
    );
    const q = this.etaNames.length;
    let offset = this.thetaNames.length;
    this.initialWeights = [];
    const weightBlocks: { name: string; offset: number; size: number }[] = [];
    for (const [name, values] of Object.entries(spec.weights ?? {})) {
      if (this.thetaNames.includes(name) || this.etaNames.includes(name))
        throw new ScichainError(
          'InvalidArgument',
          `weight vector '${name}' has the name of a θ or η`,
        );
      const init = Float64Array.from(values);
      if (init.length === 0)
        throw new ScichainError('InvalidArgument', `weight vector '${name}' is empty`);
      const bad = init.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0)
        throw new ScichainError('NonFinite', `initial weight '${name}'[${bad}] is ${init[bad]}`);
      weightBlocks.push({ name, offset, size: init.length });
      this.initialWeights.push(init);
      offset += init.length;
    }
    this.weightBlocks = weightBlocks;
    this.omegaOffset = offset;
    this.residualOffset = this.omegaOffset + (this.diagonalOmega ? q : (q * (q + 1)) / 2);
    // θ, η and weights travel as plain records keyed by name ({ [name]: value }), where
    // `__proto__` would set the prototype instead of a value: refuse it up front.
    const recordNames: [string, readonly string[]][] = [
      ['θ', this.thetaNames],
      ['η', this.etaNames],
      ['weight vector', weightBlocks.map((b) => b.name)],
    ];
    for (const [kind, list] of recordNames) {
      if (list.includes('__proto__')) {
        throw new ScichainError(
          'InvalidArgument',
          `${kind} name '__proto__' is not allowed (it is a property of every JavaScript object); rename it`,
        );
      }
    }
    let user: IndividualFunction | CompiledIndividual['evaluate'];
    if (typeof spec.individual === 'function') {
      if (spec.individualNames === undefined || spec.individualNames.length === 0) {
        throw new ScichainError(
          'InvalidArgument',
          'an individual model given as a function needs individualNames',
        );
      }
      this.individualNames = [...spec.individualNames];
      this.covariateNames = [];
      user = spec.individual;
    } else {
      const compiled = compileIndividual(spec.individual, this.thetaNames, this.etaNames);
      this.individualNames = [...compiled.names, ...weightBlocks.map((b) => b.name)];
      this.covariateNames = compiled.covariates;
      user = compiled.evaluate;
    }
    let at = 0;
    this.individualBlocks = this.individualNames.map((name) => {
      const w = weightBlocks.find((b) => b.name === name);
      const block = { name, offset: at, size: w ? w.size : 1, weights: w !== undefined };
      at += block.size;
      return block;
    });
    this.individualSize = at;
    const copies = this.individualBlocks.filter((b) => b.weights);
    const none: Readonly<Record<string, Float64Array>> = {};
    this.individual = (theta, eta, covariates, phi, weights = none) => {
      user(theta, eta, covariates, phi, weights);
      for (const b of copies) {
        const w = Object.hasOwn(weights, b.name) ? weights[b.name] : undefined;
        if (w === undefined)
          throw new ScichainError(
            'InvalidArgument',
            `weight vector '${b.name}' was not passed to the individual model`,
          );
        phi.set(w, b.offset);
      }
    };
    this.size = this.residualOffset + this.residualParameters.length;
  }

  /** Number of random effects q. */
  get q(): number {
    return this.etaNames.length;
  }

  /** The initial x. */
  initial(): Float64Array {
    const x = new Float64Array(this.size);
    this.thetaBounds.forEach(({ value, bounds }, i) => (x[i] = bounds.fromNatural(value)));
    this.weightBlocks.forEach((b, i) => x.set(this.initialWeights[i], b.offset));
    const q = this.q;
    const omega = new Float64Array(q * q);
    const o = this.spec.omega;
    if ('diagonal' in o) this.etaNames.forEach((name, k) => (omega[k * q + k] = o.diagonal[name]));
    else for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) omega[a * q + b] = o.block[a][b];
    this.setOmega(x, omega);
    this.residualParameters.forEach(({ endpoint, kind }, i) => {
      const value = this.initialResiduals[endpoint][kind];
      if (!(value !== undefined && value > 0))
        throw new ScichainError(
          'InvalidArgument',
          `initial residual ${this.residualLabel(i)} must be > 0, got ${value}`,
        );
      x[this.residualOffset + i] = Math.log(value);
    });
    return x;
  }

  /** The initial x, or a copy of `start` after checking its length. */
  start(start?: ArrayLike<number>): Float64Array {
    const x = this.initial();
    if (start === undefined) return x;
    if (start.length !== x.length)
      throw new ScichainError(
        'ShapeMismatch',
        `start has ${start.length} entries; the model has ${x.length}`,
      );
    x.set(start);
    return x;
  }

  /** θ by name from x. */
  theta(x: ArrayLike<number>): Record<string, number> {
    const out: Record<string, number> = {};
    this.thetaNames.forEach((name, i) => (out[name] = this.thetaBounds[i].bounds.toNatural(x[i])));
    return out;
  }

  /** The weight vectors from x by name (views when x is a Float64Array, else copies). */
  weights(x: ArrayLike<number>): Record<string, Float64Array> {
    const out: Record<string, Float64Array> = {};
    for (const b of this.weightBlocks) {
      out[b.name] =
        x instanceof Float64Array
          ? x.subarray(b.offset, b.offset + b.size)
          : Float64Array.from({ length: b.size }, (_, k) => x[b.offset + k]);
    }
    return out;
  }

  /**
   * φ of a subject at x for random effects η (in the order of `etaNames`) — allocates the
   * records; for diagnostics and tests rather than inner loops.
   */
  individualAt(
    x: ArrayLike<number>,
    eta: ArrayLike<number>,
    covariates: Readonly<Record<string, number>>,
    phi: Float64Array,
  ): void {
    const etaRecord: Record<string, number> = {};
    this.etaNames.forEach((name, k) => (etaRecord[name] = eta[k]));
    this.individual(this.theta(x), etaRecord, covariates, phi, this.weights(x));
  }

  /** Number of fixed effects in x (θ and weights): the entries before Ω. */
  get fixedEffectCount(): number {
    return this.omegaOffset;
  }

  /** Ω (q × q, row-major) from x. */
  omega(x: ArrayLike<number>, out = new Float64Array(this.q * this.q)): Float64Array {
    const q = this.q;
    const l = new Float64Array(q * q);
    let k = this.omegaOffset;
    if (this.diagonalOmega) {
      for (let a = 0; a < q; a++) l[a * q + a] = Math.exp(x[k++]);
    } else {
      for (let a = 0; a < q; a++)
        for (let b = 0; b <= a; b++) l[a * q + b] = a === b ? Math.exp(x[k++]) : x[k++];
    }
    for (let a = 0; a < q; a++)
      for (let b = 0; b < q; b++) {
        let s = 0;
        for (let c = 0; c <= Math.min(a, b); c++) s += l[a * q + c] * l[b * q + c];
        out[a * q + b] = s;
      }
    return out;
  }

  /** Writes Ω's log-Cholesky parameters into x. */
  setOmega(x: Float64Array, omega: Float64Array): void {
    const q = this.q;
    const l = omega.slice();
    // Cholesky, lower triangle.
    for (let j = 0; j < q; j++) {
      let d = l[j * q + j];
      for (let k = 0; k < j; k++) d -= l[j * q + k] ** 2;
      if (!(d > 0))
        throw new ScichainError('InvalidArgument', 'initial Ω is not positive definite');
      l[j * q + j] = Math.sqrt(d);
      for (let i = j + 1; i < q; i++) {
        let s = l[i * q + j];
        for (let k = 0; k < j; k++) s -= l[i * q + k] * l[j * q + k];
        l[i * q + j] = s / l[j * q + j];
      }
    }
    let k = this.omegaOffset;
    if (this.diagonalOmega) {
      for (let a = 0; a < q; a++) x[k++] = Math.log(l[a * q + a]);
    } else {
      for (let a = 0; a < q; a++)
        for (let b = 0; b <= a; b++) x[k++] = a === b ? Math.log(l[a * q + a]) : l[a * q + b];
    }
  }

  /** The residual error model of each endpoint at x. */
  residuals(x: ArrayLike<number>): ResidualError[] {
    const values = this.residualTypes.map(
      () => ({}) as { additive?: number; proportional?: number },
    );
    this.residualParameters.forEach(({ endpoint, kind }, i) => {
      values[endpoint][kind] = Math.exp(x[this.residualOffset + i]);
    });
    return this.residualTypes.map((type, e) => ({ type, ...values[e] }));
  }

  /** The first endpoint's residual error model at x (the model's only one, usually). */
  residual(x: ArrayLike<number>): ResidualError {
    return this.residuals(x)[0];
  }

  /** `additive`, or `pk additive` with several endpoints: the i-th residual parameter's name. */
  residualLabel(i: number): string {
    const { endpoint, kind } = this.residualParameters[i];
    const name = this.endpointNames[endpoint];
    return name === '' ? kind : `${name} ${kind}`;
  }

  /** Names of x's entries, for tables and messages. */
  parameterNames(): string[] {
    const names = [...this.thetaNames];
    for (const b of this.weightBlocks)
      for (let k = 0; k < b.size; k++) names.push(`${b.name}[${k}]`);
    const q = this.q;
    if (this.diagonalOmega) for (const e of this.etaNames) names.push(`log ω(${e})`);
    else
      for (let a = 0; a < q; a++)
        for (let b = 0; b <= a; b++)
          names.push(
            a === b ? `log L(${this.etaNames[a]})` : `L(${this.etaNames[a]}, ${this.etaNames[b]})`,
          );
    this.residualParameters.forEach((_, i) => names.push(`log ${this.residualLabel(i)}`));
    return names;
  }
}
