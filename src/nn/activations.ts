/**
 * Activation functions as data: each is a short description (JavaScript statements for the
 * value and for the derivative) from which element-wise kernels are generated per element
 * type. Derivatives are written in terms of the cached output `y` where that is possible
 * (tanh: 1 − y²), so the pullback needs no recomputation; the few that need the
 * pre-activation `z` say so, and dense layers then keep `z` in their cache.
 */
import { requireName } from '../core/errors.ts';
import { compileWithElementary, exp64Source, tanh64Source } from '../math/elementary.ts';
import type { DType, FloatArray } from '../core/dtype.ts';

/** Names accepted wherever an activation is asked for. */
export type ActivationName =
  'identity' | 'tanh' | 'sigmoid' | 'relu' | 'softplus' | 'silu' | 'swish' | 'gelu' | 'rbf';

/** Description of one activation: statements computing `y` from `z`, and `d` = dy/dz. */
export interface ActivationSpec {
  readonly name: ActivationName;
  /** Mathematical definition, for docs and error messages. */
  readonly formula: string;
  /** Statements that set `y` from `z` (float64, exact to rounding). */
  readonly value: string;
  /** float32 variant of `value` when a cheaper one is accurate to float32 rounding. */
  readonly valueFloat32?: string;
  /** Statements that set `d` = dy/dz from `z` and/or `y`. */
  readonly derivative: string;
  /** Whether `derivative` reads `z` (then the pre-activation must be cached). */
  readonly needsZ: boolean;
}

// tanh for float32: odd rational approximation x·P(x²)/Q(x²) on [−9, 9] with the coefficients
// Eigen uses for float tanh, except that P's leading coefficient is set equal to Q's so that
// tanh(x) → x exactly for tiny x, and ±1 beyond ±9 (where float32 tanh is ±1). Evaluated in
// double, it is within 2 float32 ulp of Math.tanh everywhere (tested on a dense grid and
// down to 1e-12), and ~5× cheaper than a Math.tanh call.
const FAST_TANH = `{
    const c = z > 9 ? 9 : z < -9 ? -9 : z;
    const c2 = c * c;
    let p = -2.76076847742355e-16 * c2 + 2.00018790482477e-13;
    p = p * c2 - 8.60467152213735e-11; p = p * c2 + 5.12229709037114e-8;
    p = p * c2 + 1.48572235717979e-5; p = p * c2 + 6.37261928875436e-4;
    p = p * c2 + 4.89352518554385e-3;
    let q = 1.19825839466702e-6 * c2 + 1.18534705686654e-4;
    q = q * c2 + 2.26843463243900e-3; q = q * c2 + 4.89352518554385e-3;
    t = (c * p) / q;
  }`;

const SPECS: readonly ActivationSpec[] = [
  { name: 'identity', formula: 'z', value: 'y = z;', derivative: 'd = 1;', needsZ: false },
  {
    name: 'tanh',
    formula: 'tanh(z)',
    value: tanh64Source('y', 'z'),
    valueFloat32: `let t = 0; ${FAST_TANH} y = t;`,
    derivative: 'd = 1 - y * y;',
    needsZ: false,
  },
  {
    name: 'sigmoid',
    formula: '1 / (1 + exp(−z))',
    value: `let e = 0; ${exp64Source('e', '-Math.abs(z)')} y = z >= 0 ? 1 / (1 + e) : e / (1 + e);`,
    derivative: 'd = y * (1 - y);',
    needsZ: false,
  },
  {
    name: 'relu',
    formula: 'max(z, 0)',
    value: 'y = z > 0 ? z : 0;',
    derivative: 'd = y > 0 ? 1 : 0;',
    needsZ: false,
  },
  {
    name: 'softplus',
    formula: 'log(1 + exp(z))',
    value: `let e = 0; ${exp64Source('e', 'z > 0 ? -z : z')} y = z > 0 ? z + Math.log1p(e) : Math.log1p(e);`,
    // σ(z) = 1 − exp(−y) because y = log(1 + e^z).
    derivative: 'd = -Math.expm1(-y);',
    needsZ: false,
  },
  {
    name: 'silu',
    formula: 'z · sigmoid(z)',
    value: `let e = 0; ${exp64Source('e', '-Math.abs(z)')} const s = z >= 0 ? 1 / (1 + e) : e / (1 + e); y = z * s;`,
    derivative: `let e = 0; ${exp64Source('e', '-Math.abs(z)')} const s = z >= 0 ? 1 / (1 + e) : e / (1 + e); d = s * (1 + z * (1 - s));`,
    needsZ: true,
  },
  {
    name: 'gelu',
    formula: '0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))',
    value: `let t = 0; ${tanh64Source('t', '0.7978845608028654 * (z + 0.044715 * z * z * z)')} y = 0.5 * z * (1 + t);`,
    derivative:
      `let t = 0; ${tanh64Source('t', '0.7978845608028654 * (z + 0.044715 * z * z * z)')} ` +
      'd = 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * 0.7978845608028654 * (1 + 0.134145 * z * z);',
    needsZ: true,
  },
  {
    name: 'rbf',
    formula: 'exp(−z²)',
    value: exp64Source('y', '-z * z'),
    derivative: 'd = -2 * z * y;',
    needsZ: true,
  },
];

const ALIASES: Record<string, ActivationName> = { swish: 'silu' };

/** Every accepted activation name. */
export const activationNames: readonly ActivationName[] = [...SPECS.map((s) => s.name), 'swish'];

/** The description of an activation; throws naming the unknown name and the valid ones. */
export function activationSpec(name: string): ActivationSpec {
  // Exact names only (letter case included); an unknown one, or a value that is not a string
  // (from JavaScript or JSON), is an error naming it, with a suggestion and the valid names.
  const valid = requireName(name, activationNames, 'activation');
  const canonical = Object.hasOwn(ALIASES, valid) ? ALIASES[valid] : valid;
  return SPECS.find((s) => s.name === canonical)!;
}

/** y[i] = f(z[i]) for i < length (y may alias z). */
export type ActivationForward = (z: FloatArray, y: FloatArray, length: number) => void;
/** zBar[i] = yBar[i]·f'(z[i], y[i]) (zBar may alias yBar; z is ignored when not needed). */
export type ActivationBackward = (
  z: FloatArray,
  y: FloatArray,
  yBar: FloatArray,
  zBar: FloatArray,
  length: number,
) => void;

/**
 * The pullback of a dense layer's activation fused with its bias gradient: for `rows` samples
 * of `width` entries, zBar = yBar·f′ and grad[gradOffset + o] += Σ_s zBar[s, o], in one pass.
 * The sums run in the float64 scratch `sums` (width entries) and reach `grad` once, so float32
 * gradients are not rounded once per sample.
 */
export type ActivationBackwardWithBias = (
  z: FloatArray,
  y: FloatArray,
  yBar: FloatArray,
  zBar: FloatArray,
  rows: number,
  width: number,
  grad: FloatArray,
  gradOffset: number,
  sums: Float64Array,
) => void;

/** Generated element-wise kernels for one activation and element type. */
export interface ActivationKernels {
  readonly spec: ActivationSpec;
  readonly forward: ActivationForward;
  readonly backward: ActivationBackward;
  readonly backwardWithBias: ActivationBackwardWithBias;
  /** Scalar value, for code that is not element-wise (tests, plots). */
  readonly scalar: (z: number) => number;
  /** Scalar derivative from z. */
  readonly scalarDerivative: (z: number) => number;
}

/**
 * Compiles generated kernel source with the tables that the inline fast exp and tanh
 * (`math/elementary.ts`) read in scope.
 * Returns whatever the source returns.
 */
export function compileKernel(source: string): unknown {
  return compileWithElementary(source);
}

const kernelCache = new Map<string, ActivationKernels>();

/** Generated kernels for an activation in a dtype (built once, then shared). */
export function activationKernels(name: string, dtype: DType): ActivationKernels {
  const spec = activationSpec(name);
  const key = `${spec.name}:${dtype}`;
  let kernels = kernelCache.get(key);
  if (!kernels) {
    const value = dtype === 'float32' && spec.valueFloat32 ? spec.valueFloat32 : spec.value;
    const tag = `/* ${key} */`;
    const forward = compileKernel(
      `${tag} "use strict"; return function forward(Z, Y, n) {
        for (let i = 0; i < n; i++) { const z = Z[i]; let y = 0; { ${value} } Y[i] = y; }
      };`,
    ) as ActivationForward;
    const backward = compileKernel(
      `${tag} "use strict"; return function backward(Z, Y, YB, ZB, n) {
        for (let i = 0; i < n; i++) {
          ${spec.needsZ ? 'const z = Z[i];' : ''} const y = Y[i]; let d = 0;
          { ${spec.derivative} }
          ZB[i] = YB[i] * d;
        }
      };`,
    ) as ActivationBackward;
    const backwardWithBias = compileKernel(
      `${tag} "use strict"; return function backwardWithBias(Z, Y, YB, ZB, rows, width, G, gOffset, S) {
        for (let o = 0; o < width; o++) S[o] = 0;
        for (let s = 0, i = 0; s < rows; s++) {
          for (let o = 0; o < width; o++, i++) {
            ${spec.needsZ ? 'const z = Z[i];' : ''} const y = Y[i]; let d = 0;
            { ${spec.derivative} }
            const zb = YB[i] * d;
            ZB[i] = zb;
            S[o] += zb;
          }
        }
        for (let o = 0; o < width; o++) G[gOffset + o] += S[o];
      };`,
    ) as ActivationBackwardWithBias;
    const scalar = compileKernel(
      `${tag} "use strict"; return function (z) { let y = 0; { ${value} } return y; };`,
    ) as (z: number) => number;
    const scalarDerivative = compileKernel(
      `${tag} "use strict"; return function (z) { let y = 0; { ${value} } let d = 0; { ${spec.derivative} } return d; };`,
    ) as (z: number) => number;
    kernels = { spec, forward, backward, backwardWithBias, scalar, scalarDerivative };
    kernelCache.set(key, kernels);
  }
  return kernels;
}
