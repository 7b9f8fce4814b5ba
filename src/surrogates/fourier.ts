/**
 * Fourier-series surrogates: per output, in one input,
 *
 *     f(x) = a₀ + Σ_{k=1}^{H} a_k cos(2πk·x/L) + b_k sin(2πk·x/L),
 *
 * a layer of the scichain layer protocol (usable alone or inside `chain(...)`) computed by the
 * product-basis engine (`product-basis.ts`). With several inputs the form is
 * - `'additive'` (default): a₀ + Σ_i (the series of input i without its constant) — one
 *   constant, 1 + 2H·d coefficients; a sum of periodic effects (time of day, day of week);
 * - `'tensor'`: every product of one term (1, cos kθ_i or sin kθ_i) per input, (2H + 1)^d
 *   coefficients; a function periodic on the torus, with interactions.
 *
 * Parameter layout: output-major, `o · basisSize + j`. Per output, additive: a₀, then for each
 * input in turn a₁, b₁, a₂, b₂, …, a_H, b_H. Tensor: a row-major array of shape
 * [2H + 1, …, 2H + 1] whose index along each input is 0 for the constant, 2k − 1 for cos(kθ) and
 * 2k for sin(kθ) (the same per-input order as the additive form; see `layer.multiIndex`).
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
import { FourierBasis } from './fourier-basis.ts';
import { additiveIndices, tensorIndices } from './multi-index.ts';
import { ProductBasisLayer, oneOf, type CoefficientInit } from './product-basis.ts';

/** How a several-input Fourier series combines its inputs (see the module comment). */
export type FourierForm = 'additive' | 'tensor';

/** Options of {@link fourier} and {@link Fourier}. */
export interface FourierOptions {
  /** Number of harmonics H (integer ≥ 0) per input. */
  harmonics: number;
  /** Period L > 0 (finite): one for all inputs or one per input. */
  period: number | readonly number[];
  /** Number of inputs; omit it to take the width of the previous layer in a chain. */
  inputs?: number;
  /** Number of outputs (default 1); each has its own coefficients over the same basis. */
  outputs?: number;
  /** Combination of several inputs (default `'additive'`). */
  form?: FourierForm;
  /** Initial coefficients (default `'normal'`, small and decaying with harmonic; or `'zeros'`). */
  init?: CoefficientInit;
}

interface FourierSettings {
  harmonics: number;
  outputs: number;
  form: FourierForm;
  init: CoefficientInit;
  period: number | readonly number[];
}

function checkPeriod(period: unknown, what: string): number {
  if (typeof period !== 'number' || !Number.isFinite(period) || !(period > 0)) {
    throw new ScichainError(
      'InvalidArgument',
      `${what} must be a finite number > 0, got ${String(period)}`,
    );
  }
  return period;
}

/** Checks the options that do not depend on the number of inputs (where the user wrote them). */
function fourierSettings(options: FourierOptions): FourierSettings {
  requireInteger(options.harmonics, 'fourier harmonics', 0);
  requireInteger(options.outputs ?? 1, 'fourier outputs', 1);
  const period = options.period;
  if (Array.isArray(period)) {
    period.forEach((p: unknown, i) => checkPeriod(p, `fourier period of input ${i + 1}`));
  } else {
    checkPeriod(period, 'fourier period');
  }
  return {
    harmonics: options.harmonics,
    outputs: options.outputs ?? 1,
    form: oneOf(options.form, ['additive', 'tensor'], 'fourier form'),
    init: oneOf(options.init, ['normal', 'zeros'], 'fourier init'),
    period,
  };
}

function periodsFor(period: number | readonly number[], d: number): number[] {
  if (typeof period === 'number') return Array.from({ length: d }, () => period);
  if (period.length !== d) {
    throw new ScichainError(
      'ShapeMismatch',
      `fourier has ${d} inputs but ${period.length} periods were given (give one per input, or one for all)`,
    );
  }
  return [...period];
}

/** A Fourier-series layer with known sizes (see {@link fourier} for the chain form). */
export class Fourier extends ProductBasisLayer {
  readonly harmonics: number;
  readonly form: FourierForm;
  /** The period of each input. */
  readonly periods: readonly number[];

  constructor(options: FourierOptions & { inputs: number }) {
    const settings = fourierSettings(options);
    const d = options.inputs;
    requireInteger(d, 'fourier inputs', 1);
    const periods = periodsFor(settings.period, d);
    const { harmonics, outputs, form } = settings;
    const m = 2 * harmonics + 1;
    const set = form === 'tensor' ? tensorIndices(d, m) : additiveIndices(d, m);
    super({
      bases: periods.map((L) => new FourierBasis(harmonics, L)),
      outputs,
      set,
      init: settings.init,
      description:
        `fourier(${d} → ${outputs}, ${harmonics} harmonics` +
        `${d > 1 ? `, ${form}` : ''}, ${set.count} terms)`,
      coefficientShape:
        form === 'tensor' ? [outputs, ...periods.map(() => m)] : [outputs, set.count],
    });
    this.harmonics = harmonics;
    this.form = form;
    this.periods = periods;
  }
}

/**
 * A Fourier-series layer. With `inputs` it is built at once (a {@link Fourier}, usable alone or
 * in a chain); without, it is a spec whose input count comes from the previous layer of
 * `chain(...)`, e.g. `chain(1, fourier({ harmonics: 3, period: 24 }), dense(4, 'tanh'))`.
 * Options are checked here, where they were written.
 */
export function fourier(options: FourierOptions & { inputs: number }): Fourier;
export function fourier(options: FourierOptions): LayerSpec;
export function fourier(options: FourierOptions): Fourier | LayerSpec {
  if (options.inputs !== undefined) return new Fourier({ ...options, inputs: options.inputs });
  fourierSettings(options);
  return { build: (inputs: number) => new Fourier({ ...options, inputs }) };
}

/**
 * Least-squares fit of a Fourier layer's coefficients to samples `xs` (n × inputs, row-major or
 * a 2-D ndarray) and targets `ys` (n × outputs), written to `theta[offset …]` in the layer's
 * parameter layout. With samples spread over whole periods the columns are near-orthogonal and
 * the fit is well conditioned; `rank` in the result says when the data cannot separate terms.
 */
export function fourierFit(
  layer: Fourier,
  xs: SampleMatrix,
  ys: SampleMatrix,
  theta: FloatArray,
  offset = 0,
  options: CoefficientFitOptions = {},
): CoefficientFit {
  return fitCoefficients(layer, xs, ys, theta, offset, options);
}
