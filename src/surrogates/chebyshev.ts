/**
 * Chebyshev-expansion surrogates: y_o(x) = Σ_j c[o, j] · T_{k_j1}(t₁)·…·T_{k_jd}(t_d), each
 * input x_i mapped affinely from its domain [a_i, b_i] to t_i ∈ [−1, 1]. A layer of the
 * scichain layer protocol (usable alone or inside `chain(...)`), computed by the product-basis
 * engine (`product-basis.ts`), whose generated kernels run the three-term recurrence inline.
 *
 * Parameter layout: output-major, c[o, j] at `o · basisSize + j`, j running over the multi-index
 * rows in lexicographic order, last input fastest. For one input that is simply c₀ … c_degree
 * per output; for a `'tensor'` basis the block is a row-major array of shape
 * [outputs, degree + 1, …, degree + 1]; a `'total'` basis keeps the rows of that order with
 * k₁ + … + k_d ≤ degree (see `layer.multiIndex`).
 */
import { ScichainError, requireInteger } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import type { LayerSpec } from '../nn/layer.ts';
import {
  fitCoefficients,
  type CoefficientFit,
  type CoefficientFitOptions,
  type SampleMatrix,
} from './basis-fit.ts';
import {
  ChebyshevBasis,
  checkInterval,
  outsideDomainModes,
  type Interval,
  type OutsideDomain,
} from './chebyshev-basis.ts';
import { tensorIndices, totalDegreeIndices } from './multi-index.ts';
import { ProductBasisLayer, oneOf, type CoefficientInit } from './product-basis.ts';

/**
 * Which multi-indices a several-input expansion uses: `'tensor'` — every (k₁, …, k_d) with each
 * k_i ≤ degree, (degree + 1)^d terms; `'total'` — k₁ + … + k_d ≤ degree, C(d + degree, d) terms
 * (the usual choice: far fewer terms for the same accuracy on smooth functions).
 */
export type ChebyshevBasisKind = 'tensor' | 'total';

/** Options of {@link chebyshev} and {@link Chebyshev}. */
export interface ChebyshevOptions {
  /** Highest polynomial degree per input (integer ≥ 0). */
  degree: number;
  /**
   * Domain of the inputs: one interval [a, b] for all of them, or one per input
   * (default [−1, 1]). Each needs finite a < b.
   */
  domain?: Interval | readonly Interval[];
  /** Number of inputs; omit it to take the width of the previous layer in a chain. */
  inputs?: number;
  /** Number of outputs (default 1); each has its own coefficients over the same basis. */
  outputs?: number;
  /** Multi-index set for several inputs (default `'total'`; the same for one input). */
  basis?: ChebyshevBasisKind;
  /**
   * Inputs outside the domain (default `'extrapolate'`): see {@link OutsideDomain}. The default
   * suits ODE right-hand sides, whose solvers try stage values slightly beyond the range the
   * data covered; throwing there would abort the solve, and clamping would put a kink (and a
   * zero derivative) into the right-hand side that upsets step-size control. Use `'error'` to
   * catch inputs that should never leave the domain (inside an ODE solve the error ends the
   * solve), `'clamp'` to hold the end value.
   */
  outside?: OutsideDomain;
  /** Initial coefficients (default `'normal'`, small and decaying with degree; or `'zeros'`). */
  init?: CoefficientInit;
}

interface ChebyshevSettings {
  degree: number;
  outputs: number;
  basis: ChebyshevBasisKind;
  outside: OutsideDomain;
  init: CoefficientInit;
  /** Checked intervals: one for all inputs, or one per input. */
  domain: Interval | Interval[];
}

/** One interval for all inputs, or (first entry an array) one per input. */
function isInterval(domain: Interval | readonly Interval[]): domain is Interval {
  return !Array.isArray(domain[0]);
}

/** Checks the options that do not depend on the number of inputs (where the user wrote them). */
function chebyshevSettings(options: ChebyshevOptions): ChebyshevSettings {
  requireInteger(options.degree, 'chebyshev degree', 0);
  requireInteger(options.outputs ?? 1, 'chebyshev outputs', 1);
  const domain = options.domain ?? [-1, 1];
  return {
    degree: options.degree,
    outputs: options.outputs ?? 1,
    basis: oneOf(options.basis, ['total', 'tensor'], 'chebyshev basis'),
    outside: oneOf(options.outside, outsideDomainModes, 'chebyshev outside'),
    init: oneOf(options.init, ['normal', 'zeros'], 'chebyshev init'),
    domain: isInterval(domain)
      ? checkInterval(domain, 'chebyshev domain')
      : domain.map((iv, i) => checkInterval(iv, `chebyshev domain of input ${i + 1}`)),
  };
}

/** A Chebyshev-expansion layer with known sizes (see {@link chebyshev} for the chain form). */
export class Chebyshev extends ProductBasisLayer {
  readonly degree: number;
  readonly basis: ChebyshevBasisKind;
  readonly outside: OutsideDomain;
  /** The domain of each input. */
  readonly domains: readonly Interval[];

  constructor(options: ChebyshevOptions & { inputs: number }) {
    const settings = chebyshevSettings(options);
    const d = options.inputs;
    requireInteger(d, 'chebyshev inputs', 1);
    const domains = domainsFor(settings.domain, d);
    const { degree, outputs, outside, basis } = settings;
    const set = basis === 'tensor' ? tensorIndices(d, degree + 1) : totalDegreeIndices(d, degree);
    super({
      bases: domains.map(
        (iv, i) => new ChebyshevBasis(degree, iv, outside, `input ${i + 1} of ${d}`),
      ),
      outputs,
      set,
      init: settings.init,
      description:
        `chebyshev(${d} → ${outputs}, degree ${degree}` +
        `${d > 1 ? `, ${basis}` : ''}, ${set.count} terms)`,
      coefficientShape:
        basis === 'tensor' ? [outputs, ...domains.map(() => degree + 1)] : [outputs, set.count],
    });
    this.degree = degree;
    this.basis = basis;
    this.outside = outside;
    this.domains = domains;
  }
}

function domainsFor(domain: Interval | Interval[], d: number): Interval[] {
  if (isInterval(domain)) return Array.from({ length: d }, () => domain);
  const list = domain;
  if (list.length !== d) {
    throw new ScichainError(
      'ShapeMismatch',
      `chebyshev has ${d} inputs but ${list.length} domains were given (give one per input, or one for all)`,
    );
  }
  return list;
}

/**
 * A Chebyshev-expansion layer. With `inputs` it is built at once (a {@link Chebyshev}, usable
 * alone or in a chain); without, it is a spec whose input count comes from the previous layer
 * of `chain(...)`:
 *
 *     chain(2, dense(8, 'tanh'), dense(1), chebyshev({ degree: 6, domain: [-3, 3] }))
 *
 * Options are checked here, where they were written.
 */
export function chebyshev(options: ChebyshevOptions & { inputs: number }): Chebyshev;
export function chebyshev(options: ChebyshevOptions): LayerSpec;
export function chebyshev(options: ChebyshevOptions): Chebyshev | LayerSpec {
  if (options.inputs !== undefined) return new Chebyshev({ ...options, inputs: options.inputs });
  chebyshevSettings(options);
  return { build: (inputs: number) => new Chebyshev({ ...options, inputs }) };
}

/**
 * Least-squares fit of a Chebyshev layer's coefficients to samples `xs` (n × inputs, row-major
 * or a 2-D ndarray) and targets `ys` (n × outputs), written to `theta[offset …]` in the layer's
 * parameter layout. Any basis and number of inputs; samples outside the domain follow the
 * layer's `outside` option (with `'error'` the message names the sample).
 */
export function chebyshevFit(
  layer: Chebyshev,
  xs: SampleMatrix,
  ys: SampleMatrix,
  theta: FloatArray,
  offset = 0,
  options: CoefficientFitOptions = {},
): CoefficientFit {
  return fitCoefficients(layer, xs, ys, theta, offset, options);
}
