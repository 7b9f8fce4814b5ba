/**
 * Chebyshev interpolation: coefficients of the polynomial that interpolates a function at the
 * Chebyshev points of the first kind (the roots of T_N), from the discrete orthogonality of the
 * T_k there — a discrete cosine transform (DCT-II), done here as plain O(N²) sums per axis.
 *
 * Points of the first kind rather than the second (the extrema, which include the ends): the
 * transform is exact without end-point weights and the function is never evaluated at the
 * domain's ends, where models often have a singularity or a boundary condition. The
 * interpolant converges as fast as the best polynomial approximation up to a factor of
 * O(log N): geometrically for analytic functions.
 */
import { ScichainError, requireFinite, requireInteger, requireLength } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import { checkInterval, clenshaw, type Interval } from './chebyshev-basis.ts';
import type { Chebyshev } from './chebyshev.ts';
import { MAX_BASIS_SIZE } from './multi-index.ts';

/**
 * The n Chebyshev points of the first kind, t_j = −cos(π(j + ½)/n) for j = 0 … n−1, in
 * ascending order, mapped affinely to `domain` (default [−1, 1]). Computed as
 * sin(π(2j + 1 − n)/(2n)) so that they are exactly symmetric about the centre.
 */
export function chebyshevPoints(n: number, domain: Interval = [-1, 1]): Float64Array {
  requireInteger(n, 'number of Chebyshev points', 1);
  const [a, b] = checkInterval(domain, 'chebyshevPoints domain');
  const points = new Float64Array(n);
  for (let j = 0; j < n; j++) points[j] = toDomain(unitPoint(j, n), a, b);
  return points;
}

function unitPoint(j: number, n: number): number {
  return Math.sin((Math.PI * (2 * j + 1 - n)) / (2 * n));
}

function toDomain(t: number, a: number, b: number): number {
  return 0.5 * (a + b) + 0.5 * (b - a) * t;
}

/**
 * T_k(t_j) for the n first-kind points in ascending order, k-major: cos(kπ(2(n−1−j)+1)/(2n)).
 * The integer multiple is reduced modulo 4n before multiplying by π, so the angle (and the
 * entry) stays accurate to rounding even for high degrees.
 */
function cosineMatrix(n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const q = (k * (2 * (n - 1 - j) + 1)) % (4 * n);
      c[k * n + j] = Math.cos((Math.PI * q) / (2 * n));
    }
  }
  return c;
}

/**
 * Replaces the values along one axis of a row-major block by their Chebyshev coefficients:
 * c_k = (2 − δ_k0)/n · Σ_j f_j T_k(t_j). The axis has n entries `stride` apart; `outer` blocks
 * of n·stride entries lie before it.
 */
function transformAxis(
  grid: Float64Array,
  n: number,
  stride: number,
  outer: number,
  cos: Float64Array,
  fibre: Float64Array,
): void {
  for (let block = 0; block < outer; block++) {
    for (let inner = 0; inner < stride; inner++) {
      const base = block * n * stride + inner;
      for (let j = 0; j < n; j++) fibre[j] = grid[base + j * stride];
      for (let k = 0; k < n; k++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += cos[k * n + j] * fibre[j];
        grid[base + k * stride] = ((k === 0 ? 1 : 2) / n) * sum;
      }
    }
  }
}

/** Options of {@link chebyshevInterpolate}. */
export interface ChebyshevInterpolationOptions {
  /** Degree of the interpolant (it uses degree + 1 points). */
  degree: number;
  /** Interval of the interpolation (default [−1, 1]). */
  domain?: Interval;
}

/**
 * The coefficients c₀ … c_degree of the polynomial Σ c_k T_k(t) that interpolates `fn` at the
 * degree + 1 Chebyshev points of the first kind on `domain` (t the point mapped to [−1, 1]).
 * They are the θ slice of a one-input, one-output {@link Chebyshev} layer on the same domain
 * (`theta.set(c, offset)`); evaluate them directly with {@link chebyshevEvaluate}. O(degree²).
 */
export function chebyshevInterpolate(
  fn: (x: number) => number,
  options: ChebyshevInterpolationOptions,
): Float64Array {
  requireInteger(options.degree, 'chebyshev interpolation degree', 0);
  const [a, b] = checkInterval(options.domain ?? [-1, 1], 'chebyshev interpolation domain');
  const n = options.degree + 1;
  const grid = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const x = toDomain(unitPoint(j, n), a, b);
    grid[j] = fn(x);
    requireFinite(grid[j], `the interpolated function at x = ${x}`);
  }
  transformAxis(grid, n, 1, 1, cosineMatrix(n), new Float64Array(n));
  return grid;
}

/**
 * Σ_k c_k T_k(t) at x, t = x mapped from `domain` (default [−1, 1]) to [−1, 1], by Clenshaw's
 * recurrence. Points outside the domain are extrapolated.
 */
export function chebyshevEvaluate(
  coefficients: ArrayLike<number>,
  x: number,
  domain: Interval = [-1, 1],
): number {
  if (coefficients.length === 0) {
    throw new ScichainError('InvalidArgument', 'chebyshevEvaluate needs at least one coefficient');
  }
  const [a, b] = domain;
  if (!(a < b) || !Number.isFinite(a) || !Number.isFinite(b)) checkInterval(domain, 'domain');
  const t = (x - (0.5 * a + 0.5 * b)) * (2 / (b - a));
  return clenshaw(t, coefficients, 0, coefficients.length - 1);
}

/** A function of a sample for {@link chebyshevInterpolateLayer}: writes `y`, or returns y₀. */
export type SampleFunction = (x: Float64Array, y: Float64Array) => number | void;

/**
 * Sets a {@link Chebyshev} layer's coefficients (any number of inputs and outputs) from
 * `fn` on the tensor grid of (degree + 1)^inputs first-kind points over the layer's domains,
 * written to `theta[offset …]` in the layer's parameter layout. `fn(x, y)` receives one grid
 * point and writes the outputs into `y` (or, for one output, may return the value).
 *
 * With a `'tensor'` basis (or one input) the layer then interpolates `fn` at the grid. With a
 * `'total'` basis the tensor coefficients with k₁ + … + k_d ≤ degree are kept: by the discrete
 * orthogonality of the grid that is the discrete least-squares fit on the grid (in the
 * Chebyshev-weighted inner product), not an interpolant. Cost: (degree + 1)^inputs calls of
 * `fn` and O(inputs · (degree + 1)^(inputs + 1)) sums.
 */
export function chebyshevInterpolateLayer(
  layer: Chebyshev,
  fn: SampleFunction,
  theta: FloatArray,
  offset = 0,
): void {
  requireLength(theta, offset + layer.paramCount, `θ (from offset ${offset})`, true);
  const d = layer.inputSize;
  const out = layer.outputSize;
  const n = layer.degree + 1;
  const points = n ** d;
  if (points > MAX_BASIS_SIZE) {
    throw new ScichainError(
      'InvalidArgument',
      `interpolating ${layer.description} needs ${points} grid points, more than ${MAX_BASIS_SIZE}; fit samples with chebyshevFit instead`,
    );
  }
  const unit = Float64Array.from({ length: n }, (_, j) => unitPoint(j, n));
  const grid = new Float64Array(points * out);
  const x = new Float64Array(d);
  const y = new Float64Array(out);
  for (let g = 0; g < points; g++) {
    // Grid point g in lexicographic order, last input fastest (the coefficient order).
    for (let i = d - 1, rest = g; i >= 0; i--, rest = Math.floor(rest / n)) {
      const [a, b] = layer.domains[i];
      x[i] = toDomain(unit[rest % n], a, b);
    }
    y.fill(NaN);
    const value = fn(x, y);
    if (typeof value === 'number') {
      if (out !== 1) {
        throw new ScichainError(
          'InvalidArgument',
          `the function returned a number but ${layer.description} has ${out} outputs; write them into y`,
        );
      }
      y[0] = value;
    }
    for (let o = 0; o < out; o++) {
      requireFinite(y[o], `output ${o + 1} of the interpolated function at x = [${x.join(', ')}]`);
      grid[g * out + o] = y[o];
    }
  }
  const cos = cosineMatrix(n);
  const fibre = new Float64Array(n);
  for (let axis = 0; axis < d; axis++) {
    transformAxis(grid, n, n ** (d - 1 - axis) * out, n ** axis, cos, fibre);
  }
  const P = layer.basisSize;
  const idx = layer.multiIndex;
  for (let j = 0; j < P; j++) {
    let position = 0;
    for (let i = 0; i < d; i++) position = position * n + idx[j * d + i];
    for (let o = 0; o < out; o++) theta[offset + o * P + j] = grid[position * out + o];
  }
}
