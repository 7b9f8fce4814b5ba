/**
 * Sequentially thresholded least squares (STLSQ; Brunton, Proctor & Kutz, PNAS 2016): fit
 * y ≈ Θ(x)·ξ by least squares, zero every coefficient whose term is small, refit on the terms
 * left, and repeat until the set of terms stops changing.
 *
 * "Small" is measured scale-free: term j's relative contribution is |ξⱼ|·‖θⱼ‖ / ‖y‖ (2-norms
 * over the samples), so one threshold means the same for u1 and for u1³ whatever the units.
 * Given several thresholds, each output keeps the model with the best information criterion
 * (BIC by default, or AICc) over the sweep.
 */
import { ScichainError, requireInteger } from '../core/errors.ts';
import { leastSquares } from '../linalg/least-squares.ts';
import { libraryMatrix, type CandidateLibrary } from './polynomial-library.ts';

/** How a threshold is chosen from a sweep. */
export type ModelSelection = 'bic' | 'aicc';

/** Options of {@link stlsq} and {@link sparseRegression}. */
export interface StlsqOptions {
  /**
   * Threshold on the relative contribution of a term, or a list to sweep (default: 41 values
   * 10^−4 … 10^0, a tenth of a decade apart).
   */
  threshold?: number | readonly number[];
  /** Ridge weight of each least-squares fit, relative to the squared column norms (default 0). */
  ridge?: number;
  /** Thresholding rounds per fit (default 25). */
  maxIterations?: number;
  /** Criterion for choosing among swept thresholds (default 'bic'). */
  selection?: ModelSelection;
}

/** The chosen sparse fit of one output. */
export interface SparseFit {
  /** One coefficient per candidate (0 = not in the model). */
  readonly coefficients: Float64Array;
  /** Indices of the candidates kept. */
  readonly active: readonly number[];
  /** The threshold that produced this fit. */
  readonly threshold: number;
  /** ‖y − Θξ‖². */
  readonly residualSumOfSquares: number;
  /** Coefficient of determination 1 − RSS/‖y − ȳ‖². */
  readonly rSquared: number;
  /** Value of the selection criterion (lower is better). */
  readonly criterion: number;
}

const DEFAULT_THRESHOLDS = Array.from({ length: 41 }, (_, i) => 10 ** (-4 + i / 10));

/**
 * STLSQ on a prepared matrix Θ (N × k, row-major) and targets Y (N × m, row-major): one
 * {@link SparseFit} per output column.
 */
export function stlsq(
  theta: ArrayLike<number>,
  targets: ArrayLike<number>,
  samples: number,
  options: StlsqOptions = {},
): SparseFit[] {
  requireInteger(samples, 'samples', 1);
  const k = theta.length / samples;
  const m = targets.length / samples;
  if (!Number.isInteger(k) || k < 1) {
    throw new ScichainError(
      'ShapeMismatch',
      `Θ has ${theta.length} entries, not a multiple of ${samples} samples`,
    );
  }
  if (!Number.isInteger(m) || m < 1) {
    throw new ScichainError(
      'ShapeMismatch',
      `targets have ${targets.length} entries, not a multiple of ${samples} samples`,
    );
  }
  const thresholds =
    typeof options.threshold === 'number'
      ? [options.threshold]
      : (options.threshold ?? DEFAULT_THRESHOLDS);
  if (thresholds.length === 0) throw new ScichainError('InvalidArgument', 'no threshold given');
  for (const t of thresholds) {
    if (!(t >= 0) || !Number.isFinite(t))
      throw new ScichainError('InvalidArgument', `threshold must be finite and ≥ 0, got ${t}`);
  }
  const maxIterations = options.maxIterations ?? 25;
  requireInteger(maxIterations, 'maxIterations', 1);
  const selection = options.selection ?? 'bic';
  if (selection !== 'bic' && selection !== 'aicc') {
    throw new ScichainError(
      'UnknownName',
      `unknown model selection '${String(selection)}'; expected 'bic' or 'aicc'`,
    );
  }
  const columnNorms = new Float64Array(k);
  for (let r = 0; r < samples; r++)
    for (let j = 0; j < k; j++) columnNorms[j] += theta[r * k + j] ** 2;
  for (let j = 0; j < k; j++) columnNorms[j] = Math.sqrt(columnNorms[j]);

  const fits: SparseFit[] = [];
  const y = new Float64Array(samples);
  for (let o = 0; o < m; o++) {
    let mean = 0;
    for (let r = 0; r < samples; r++) {
      y[r] = targets[r * m + o];
      if (!Number.isFinite(y[r]))
        throw new ScichainError('NonFinite', `target row ${r}, output ${o + 1} is ${y[r]}`);
      mean += y[r] / samples;
    }
    let yNorm2 = 0;
    let total = 0;
    for (let r = 0; r < samples; r++) {
      yNorm2 += y[r] * y[r];
      total += (y[r] - mean) ** 2;
    }
    let best: SparseFit | null = null;
    const tried = new Set<string>();
    for (const threshold of thresholds) {
      const xi = thresholdedFit(
        theta,
        samples,
        k,
        y,
        Math.sqrt(yNorm2),
        columnNorms,
        threshold,
        maxIterations,
        options.ridge ?? 0,
      );
      const active = activeIndices(xi);
      const key = active.join(',');
      if (tried.has(key)) continue; // same support as a smaller threshold: same fit
      tried.add(key);
      const rss = residual(theta, samples, k, y, xi);
      const criterion = informationCriterion(selection, rss, samples, active.length);
      if (best === null || criterion < best.criterion) {
        best = {
          coefficients: xi,
          active,
          threshold,
          residualSumOfSquares: rss,
          rSquared: total > 0 ? 1 - rss / total : rss === 0 ? 1 : 0,
          criterion,
        };
      }
    }
    fits.push(best!);
  }
  return fits;
}

function thresholdedFit(
  theta: ArrayLike<number>,
  samples: number,
  k: number,
  y: Float64Array,
  yNorm: number,
  columnNorms: Float64Array,
  threshold: number,
  maxIterations: number,
  ridge: number,
): Float64Array {
  const xi = new Float64Array(k);
  let active = Array.from({ length: k }, (_, j) => j).filter((j) => columnNorms[j] > 0);
  for (let iteration = 0; iteration < maxIterations && active.length > 0; iteration++) {
    const sub = new Float64Array(samples * active.length);
    for (let r = 0; r < samples; r++) {
      for (let a = 0; a < active.length; a++) sub[r * active.length + a] = theta[r * k + active[a]];
    }
    // Ridge on the column-normalised problem, so one weight suits every column's scale.
    const scale = active.map((j) => columnNorms[j]);
    if (ridge > 0) for (let i = 0; i < sub.length; i++) sub[i] /= scale[i % active.length];
    const fit = leastSquares(sub, samples, active.length, y, { ridge });
    xi.fill(0);
    active.forEach((j, a) => (xi[j] = ridge > 0 ? fit.x[a] / scale[a] : fit.x[a]));
    const kept = active.filter((j) => Math.abs(xi[j]) * columnNorms[j] >= threshold * yNorm);
    if (kept.length === active.length) break;
    for (const j of active) if (!kept.includes(j)) xi[j] = 0;
    active = kept;
    if (active.length === 0) break;
  }
  return xi;
}

function activeIndices(xi: Float64Array): number[] {
  const out: number[] = [];
  xi.forEach((v, j) => {
    if (v !== 0) out.push(j);
  });
  return out;
}

function residual(
  theta: ArrayLike<number>,
  samples: number,
  k: number,
  y: Float64Array,
  xi: Float64Array,
): number {
  let rss = 0;
  for (let r = 0; r < samples; r++) {
    let e = -y[r];
    for (let j = 0; j < k; j++) if (xi[j] !== 0) e += theta[r * k + j] * xi[j];
    rss += e * e;
  }
  return rss;
}

// Gaussian information criteria up to a constant: N·ln(RSS/N) + penalty(terms).
function informationCriterion(
  selection: ModelSelection,
  rss: number,
  n: number,
  terms: number,
): number {
  const fitTerm = n * Math.log(Math.max(rss, Number.MIN_VALUE) / n);
  if (selection === 'bic') return fitTerm + terms * Math.log(n);
  const p = terms;
  return fitTerm + 2 * p + (n - p - 1 > 0 ? (2 * p * (p + 1)) / (n - p - 1) : Infinity);
}

/** A sparse model recovered from data: one equation per output. */
export class SparseModel {
  readonly library: CandidateLibrary;
  readonly outputNames: readonly string[];
  readonly fits: readonly SparseFit[];
  private readonly candidates: Float64Array;

  constructor(
    library: CandidateLibrary,
    outputNames: readonly string[],
    fits: readonly SparseFit[],
  ) {
    this.library = library;
    this.outputNames = outputNames;
    this.fits = fits;
    this.candidates = new Float64Array(library.names.length);
  }

  /** Coefficient of a named candidate in an output's equation (0 when absent). */
  coefficient(output: string | number, candidate: string): number {
    const o = typeof output === 'number' ? output : this.outputNames.indexOf(output);
    const j = this.library.names.indexOf(candidate);
    if (o < 0 || o >= this.fits.length)
      throw new ScichainError(
        'UnknownName',
        `no output '${output}'; outputs are ${this.outputNames.join(', ')}`,
      );
    if (j < 0)
      throw new ScichainError(
        'UnknownName',
        `no candidate '${candidate}'; candidates are ${this.library.names.join(', ')}`,
      );
    return this.fits[o].coefficients[j];
  }

  /** The right-hand side of each output as a mathjs expression, e.g. `-0.9012*u1*u2`. */
  expressions(digits = 4): string[] {
    return this.fits.map((fit) => {
      const terms = fit.active.map((j) => {
        const c = fit.coefficients[j];
        const name = this.library.names[j];
        const value = Number(Math.abs(c).toPrecision(digits)).toString();
        const body = name === '1' ? value : `${value}*${name}`;
        return { negative: c < 0, body };
      });
      if (terms.length === 0) return '0';
      return terms
        .map((t, i) =>
          i === 0 ? (t.negative ? `-${t.body}` : t.body) : `${t.negative ? ' - ' : ' + '}${t.body}`,
        )
        .join('');
    });
  }

  /** `name = expression` lines. */
  equations(digits = 4): string[] {
    const rhs = this.expressions(digits);
    return this.outputNames.map((name, o) => `${name} = ${rhs[o]}`);
  }

  /** Evaluates every output at one input vector. */
  evaluate(x: ArrayLike<number>, out: Float64Array): void {
    const values = this.candidates;
    this.library.evaluate(x, values);
    this.fits.forEach((fit, o) => {
      let s = 0;
      for (const j of fit.active) s += fit.coefficients[j] * values[j];
      out[o] = s;
    });
  }
}

/** What {@link sparseRegression} takes. */
export interface SparseRegressionSpec extends StlsqOptions {
  readonly library: CandidateLibrary;
  /** N × d inputs, row-major (d = the library's variables). */
  readonly inputs: ArrayLike<number>;
  /** N × m targets, row-major. */
  readonly targets: ArrayLike<number>;
  /** Names of the m outputs (default y1, y2, …). */
  readonly outputNames?: readonly string[];
}

/** Recovers sparse equations y = Θ(x)·ξ from samples by STLSQ. */
export function sparseRegression(spec: SparseRegressionSpec): SparseModel {
  const d = spec.library.variables.length;
  const samples = spec.inputs.length / d;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new ScichainError(
      'ShapeMismatch',
      `inputs have ${spec.inputs.length} entries, not a multiple of the ${d} library variables`,
    );
  }
  const m = spec.targets.length / samples;
  if (!Number.isInteger(m) || m < 1) {
    throw new ScichainError(
      'ShapeMismatch',
      `targets have ${spec.targets.length} entries for ${samples} samples`,
    );
  }
  const names = spec.outputNames ?? Array.from({ length: m }, (_, i) => `y${i + 1}`);
  if (names.length !== m) {
    throw new ScichainError(
      'ShapeMismatch',
      `${names.length} output names for ${m} target columns`,
    );
  }
  const theta = libraryMatrix(spec.library, spec.inputs, samples);
  return new SparseModel(spec.library, names, stlsq(theta, spec.targets, samples, spec));
}
