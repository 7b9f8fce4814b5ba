/**
 * Candidate libraries for sparse regression (SINDy, Brunton, Proctor & Kutz, PNAS 2016): the
 * functions Θ(x) = [θ₁(x), …, θₖ(x)] among which a few are to explain the data. Here: every
 * monomial in the named variables up to a total degree, in graded order (1, u1, u2, u1², u1·u2,
 * u2², …), each with a readable name usable in a mathjs expression.
 */
import { ScichainError, requireInteger } from '../core/errors.ts';

/** Candidate functions with names. */
export interface CandidateLibrary {
  /** Names of the inputs, in order. */
  readonly variables: readonly string[];
  /** One readable name per candidate (`'1'`, `'u1'`, `'u1*u2'`, `'u1^2'`). */
  readonly names: readonly string[];
  /** Writes θ₁(x) … θₖ(x) for one input vector into `out`. */
  evaluate(x: ArrayLike<number>, out: Float64Array, outOffset?: number): void;
}

/** Options of {@link polynomialLibrary}. */
export interface PolynomialLibraryOptions {
  /** Include the constant monomial 1 (default true). */
  constant?: boolean;
}

/** Monomials in `variables` with total degree ≤ `maxDegree`. */
export class PolynomialLibrary implements CandidateLibrary {
  readonly variables: readonly string[];
  readonly names: readonly string[];
  /** Exponents of each monomial (one row per candidate). */
  readonly exponents: readonly (readonly number[])[];

  constructor(
    variables: readonly string[],
    maxDegree: number,
    options: PolynomialLibraryOptions = {},
  ) {
    requireInteger(maxDegree, 'maxDegree', 0);
    if (variables.length === 0) {
      throw new ScichainError(
        'InvalidArgument',
        'a polynomial library needs at least one variable',
      );
    }
    const seen = new Set<string>();
    for (const v of variables) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) {
        throw new ScichainError('InvalidArgument', `variable name '${v}' is not an identifier`);
      }
      if (seen.has(v)) throw new ScichainError('InvalidArgument', `variable '${v}' appears twice`);
      seen.add(v);
    }
    this.variables = [...variables];
    const exponents: number[][] = [];
    const start = options.constant === false ? 1 : 0;
    for (let degree = start; degree <= maxDegree; degree++) {
      exponents.push(...monomialsOfDegree(variables.length, degree));
    }
    if (exponents.length === 0) {
      throw new ScichainError(
        'InvalidArgument',
        'the polynomial library is empty (maxDegree 0 without a constant)',
      );
    }
    this.exponents = exponents;
    this.names = exponents.map((e) => monomialName(this.variables, e));
  }

  evaluate(x: ArrayLike<number>, out: Float64Array, outOffset = 0): void {
    const d = this.variables.length;
    if (x.length !== d) {
      throw new ScichainError(
        'ShapeMismatch',
        `the library takes ${d} inputs (${this.variables.join(', ')}), got ${x.length}`,
      );
    }
    for (let k = 0; k < this.exponents.length; k++) {
      const e = this.exponents[k];
      let v = 1;
      for (let i = 0; i < d; i++) for (let r = 0; r < e[i]; r++) v *= x[i];
      out[outOffset + k] = v;
    }
  }
}

/** Builds a {@link PolynomialLibrary}. */
export function polynomialLibrary(
  variables: readonly string[],
  maxDegree: number,
  options: PolynomialLibraryOptions = {},
): PolynomialLibrary {
  return new PolynomialLibrary(variables, maxDegree, options);
}

/**
 * Θ(X) for N input rows (X: N × d row-major): an N × k row-major matrix, one row per sample and
 * one column per candidate.
 */
export function libraryMatrix(
  library: CandidateLibrary,
  inputs: ArrayLike<number>,
  rows: number,
): Float64Array {
  const d = library.variables.length;
  const k = library.names.length;
  if (inputs.length !== rows * d) {
    throw new ScichainError(
      'ShapeMismatch',
      `inputs have ${inputs.length} entries but ${rows} rows × ${d} variables = ${rows * d} are needed`,
    );
  }
  const theta = new Float64Array(rows * k);
  const x = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < d; i++) x[i] = inputs[r * d + i];
    library.evaluate(x, theta, r * k);
  }
  return theta;
}

// Exponent vectors of total degree `degree` in `d` variables, in reverse-lexicographic order
// (u1² before u1·u2 before u2²).
function monomialsOfDegree(d: number, degree: number): number[][] {
  if (d === 1) return [[degree]];
  const out: number[][] = [];
  for (let first = degree; first >= 0; first--) {
    for (const rest of monomialsOfDegree(d - 1, degree - first)) out.push([first, ...rest]);
  }
  return out;
}

function monomialName(variables: readonly string[], exponents: readonly number[]): string {
  const factors: string[] = [];
  exponents.forEach((e, i) => {
    if (e === 1) factors.push(variables[i]);
    else if (e > 1) factors.push(`${variables[i]}^${e}`);
  });
  return factors.length === 0 ? '1' : factors.join('*');
}
