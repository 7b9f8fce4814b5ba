/**
 * An initial value problem u′ = f(u, p, t), u(t₀) = u₀ on [t₀, t₁] — forward or backward in time
 * (t₁ < t₀ integrates backwards, as adjoints do).
 */
import { ScichainError } from './errors.ts';

/** In-place right-hand side: writes f(u, p, t) into `du` (DESIGN.md's contract). */
export type RightHandSide = (du: Float64Array, u: Float64Array, p: Float64Array, t: number) => void;

/** In-place Jacobian ∂f/∂u, written row-major into the n×n array `J` (J[i·n + j] = ∂fᵢ/∂uⱼ). */
export type JacobianFunction = (
  J: Float64Array,
  u: Float64Array,
  p: Float64Array,
  t: number,
) => void;

/** In-place time derivative ∂f/∂t (for non-autonomous problems solved by Rosenbrock methods). */
export type TimeDerivative = (
  dt: Float64Array,
  u: Float64Array,
  p: Float64Array,
  t: number,
) => void;

/** A problem, validated; build it with {@link odeProblem}. */
export interface OdeProblem {
  readonly f: RightHandSide;
  readonly u0: Float64Array;
  readonly tspan: readonly [number, number];
  /** Parameters, usually a view into θ. The solver works on a copy, so events may change it. */
  readonly p: Float64Array;
  readonly jac?: JacobianFunction;
  readonly tgrad?: TimeDerivative;
  /** Number of states. */
  readonly n: number;
  /** f does not depend on t explicitly: implicit methods then skip ∂f/∂t. */
  readonly autonomous?: boolean;
  /** Optional names of the states (error messages, reports). */
  readonly stateNames?: readonly string[];
}

/** What {@link odeProblem} takes. */
export interface OdeProblemSpec {
  f: RightHandSide;
  u0: ArrayLike<number>;
  tspan: readonly [number, number];
  p?: Float64Array;
  jac?: JacobianFunction;
  tgrad?: TimeDerivative;
  /** Expected number of states; when given, u0 must have this length. */
  n?: number;
  /** f does not depend on t explicitly (saves a right-hand-side call per stiff step). */
  autonomous?: boolean;
  stateNames?: readonly string[];
}

/** Checks and freezes a problem: clear errors for NaN times, empty spans, bad u0. */
export function odeProblem(spec: OdeProblemSpec): OdeProblem {
  const [t0, t1] = spec.tspan ?? [];
  if (!Number.isFinite(t0) || !Number.isFinite(t1)) {
    throw new ScichainError('NonFinite', `tspan must be two finite times, got [${t0}, ${t1}]`);
  }
  if (t0 === t1) throw new ScichainError('InvalidArgument', `tspan is empty: t₀ = t₁ = ${t0}`);
  const n = spec.u0.length;
  if (n === 0) throw new ScichainError('InvalidArgument', 'u0 has no entries');
  if (spec.n !== undefined && n !== spec.n) {
    throw new ScichainError(
      'ShapeMismatch',
      `u0 has length ${n} but the problem has ${spec.n} states`,
    );
  }
  if (spec.stateNames !== undefined && spec.stateNames.length !== n) {
    throw new ScichainError(
      'ShapeMismatch',
      `${spec.stateNames.length} state names for ${n} states`,
    );
  }
  const u0 = Float64Array.from(spec.u0);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(u0[i])) {
      throw new ScichainError(
        'NonFinite',
        `u0[${i}]${spec.stateNames ? ` (${spec.stateNames[i]})` : ''} is ${u0[i]}`,
      );
    }
  }
  if (typeof spec.f !== 'function')
    throw new ScichainError('InvalidArgument', 'f must be a function f(du, u, p, t)');
  return {
    f: spec.f,
    u0,
    tspan: [t0, t1],
    p: spec.p ?? new Float64Array(0),
    n,
    ...(spec.jac ? { jac: spec.jac } : {}),
    ...(spec.tgrad ? { tgrad: spec.tgrad } : {}),
    ...(spec.stateNames ? { stateNames: spec.stateNames } : {}),
    ...(spec.autonomous !== undefined ? { autonomous: spec.autonomous } : {}),
  };
}
