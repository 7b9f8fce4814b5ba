/**
 * `scichain/surrogates`: Fourier series and Chebyshev expansions behind the layer protocol (alone,
 * in chains, in ODE right-hand sides), their least-squares fits and interpolation, and equation
 * discovery by sparse regression over candidate libraries (SINDy).
 *
 * @module scichain/surrogates
 */

// Chebyshev
/** Chebyshev-expansion layers (alone or in chains) and their least-squares fit. */
export {
  chebyshev,
  Chebyshev,
  chebyshevFit,
  type ChebyshevOptions,
  type ChebyshevBasisKind,
} from './chebyshev.ts';
/** Chebyshev points, interpolation (1-D and of a layer on its tensor grid), Clenshaw evaluation. */
export {
  chebyshevPoints,
  chebyshevInterpolate,
  chebyshevInterpolateLayer,
  chebyshevEvaluate,
  type ChebyshevInterpolationOptions,
  type SampleFunction,
} from './chebyshev-interpolation.ts';
export { clenshaw, type Interval, type OutsideDomain } from './chebyshev-basis.ts';

// Fourier
/** Fourier-series layers (additive or tensor in several inputs) and their least-squares fit. */
export { fourier, Fourier, fourierFit, type FourierOptions, type FourierForm } from './fourier.ts';

// The shared engine
/** The product-basis engine both surrogates share (for adding univariate bases). */
export {
  ProductBasisLayer,
  type ProductBasisCache,
  type UnivariateBasis,
  type CoefficientInit,
  type ProductBasisSpec,
} from './product-basis.ts';
export type { Recurrence, SourceScope } from './product-basis-kernels.ts';
/** Multi-index sets: which products of univariate functions a basis holds. */
export {
  tensorIndices,
  totalDegreeIndices,
  additiveIndices,
  MAX_BASIS_SIZE,
  type MultiIndexSet,
} from './multi-index.ts';
export type { CoefficientFit, CoefficientFitOptions, SampleMatrix } from './basis-fit.ts';

// Equation discovery
/** Candidate libraries of monomials in the states (and their matrix at sample points). */
export {
  polynomialLibrary,
  libraryMatrix,
  PolynomialLibrary,
  type CandidateLibrary,
  type PolynomialLibraryOptions,
} from '../discovery/polynomial-library.ts';
/** Sparse regression (sequentially thresholded least squares) with model selection. */
export {
  sparseRegression,
  stlsq,
  SparseModel,
  type SparseFit,
  type SparseRegressionSpec,
  type StlsqOptions,
  type ModelSelection,
} from '../discovery/stlsq.ts';
