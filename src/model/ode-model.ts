/**
 * The differentiable right-hand side: an ODE model gives f(du, u, p, t) together with its
 * vector–Jacobian product (the adjoint's workhorse), a Jacobian–vector product and the full
 * Jacobian (stiff solvers, forward sensitivities) — all in place, none allocating.
 */
import { ScichainError, requireInteger } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import type { ParameterComponent } from '../core/parameter-component.ts';
import type { ParameterLayout } from '../parameters/layout.ts';
import type { Rng } from '../core/rng.ts';
import type { JacobianFunction, RightHandSide } from '../core/ode-problem.ts';

/** In-place right-hand side (DESIGN.md): writes f(u, p, t) into `du` — the solvers' type. */
export type RhsFunction = RightHandSide;

/**
 * Vector–Jacobian product of a right-hand side: writes λᵀ∂f/∂u into `uBar` and *accumulates*
 * λᵀ∂f/∂p into `pBar` (DESIGN.md's contract).
 */
export type RhsVjp = (
  lambda: Float64Array,
  u: Float64Array,
  p: Float64Array,
  t: number,
  uBar: Float64Array,
  pBar: Float64Array,
) => void;

/** Jacobian–vector product: writes (∂f/∂u)·v into `out`. */
export type RhsJvp = (
  v: Float64Array,
  u: Float64Array,
  p: Float64Array,
  t: number,
  out: Float64Array,
) => void;

/** Full Jacobian ∂f/∂u, row-major n×n (J[i·n + j] = ∂fᵢ/∂uⱼ) — the solvers' type. */
export type RhsJacobian = JacobianFunction;

/** A right-hand side with every derivative the sensitivity methods need. */
export interface OdeModel extends ParameterComponent {
  /** Number of states n. */
  readonly stateCount: number;
  readonly stateNames: readonly string[];
  /** Length of p (the model's parameter vector, usually θ or a slice of it). */
  readonly paramCount: number;
  readonly f: RhsFunction;
  readonly vjp: RhsVjp;
  readonly jvp: RhsJvp;
  readonly jacobian: RhsJacobian;
  /** ∂f/∂t, when the model provides it (else solvers difference it). */
  readonly tgrad?: (dt: Float64Array, u: Float64Array, p: Float64Array, t: number) => void;
  /** f does not depend on t explicitly. */
  readonly autonomous: boolean;
  /** Names and transforms of p's entries, when the model defines them. */
  readonly layout?: ParameterLayout;
}

/** What {@link odeModel} takes: f and its VJP are required, the rest is derived when missing. */
export interface OdeModelSpec {
  /** Number of states. */
  n: number;
  /** Length of p. */
  paramCount: number;
  f: RhsFunction;
  vjp: RhsVjp;
  jvp?: RhsJvp;
  jacobian?: RhsJacobian;
  tgrad?: (dt: Float64Array, u: Float64Array, p: Float64Array, t: number) => void;
  autonomous?: boolean;
  stateNames?: readonly string[];
  /** Seeded initialisation of p (default: leave as is). */
  init?: (theta: FloatArray, offset: number, rng: Rng) => void;
  layout?: ParameterLayout;
}

/**
 * Row i of ∂f/∂u and of ∂f/∂p from one VJP with the unit cotangent eᵢ, into buffers allocated
 * once: how Jacobians, forward sensitivities and the adjoints' stiff Jacobians are assembled
 * for the small n of mechanistic models (as cheap as forward mode, and only the VJP is needed).
 */
export class UnitVjpRows {
  /** eᵢᵀ∂f/∂u after {@link row}. */
  readonly u: Float64Array;
  /** eᵢᵀ∂f/∂p after {@link row}. */
  readonly p: Float64Array;
  private readonly unit: Float64Array;
  private readonly vjp: RhsVjp;

  constructor(vjp: RhsVjp, n: number, paramCount: number) {
    this.vjp = vjp;
    this.u = new Float64Array(n);
    this.p = new Float64Array(paramCount);
    this.unit = new Float64Array(n);
  }

  /** Computes row i at (u, p, t) into {@link u} and {@link p}. */
  row(i: number, u: Float64Array, p: Float64Array, t: number): void {
    this.unit.fill(0);
    this.unit[i] = 1;
    this.p.fill(0);
    this.vjp(this.unit, u, p, t, this.u, this.p);
  }
}

/** The Jacobian ∂f/∂u (n × n, row-major) from n unit VJPs. */
export function jacobianFromVjp(vjp: RhsVjp, n: number, paramCount: number): RhsJacobian {
  const rows = new UnitVjpRows(vjp, n, paramCount);
  return (J, u, p, t) => {
    for (let i = 0; i < n; i++) {
      rows.row(i, u, p, t);
      for (let j = 0; j < n; j++) J[i * n + j] = rows.u[j];
    }
  };
}

/** A JVP from a Jacobian (one n×n evaluation per product — fine for small n). */
export function jvpFromJacobian(jacobian: RhsJacobian, n: number): RhsJvp {
  const J = new Float64Array(n * n);
  return (v, u, p, t, out) => {
    jacobian(J, u, p, t);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += J[i * n + j] * v[j];
      out[i] = s;
    }
  };
}

/**
 * An {@link OdeModel} from plain TypeScript functions: `f` and a hand-written `vjp` (check it
 * with `checkVjp`); the Jacobian and JVP are derived from the VJP unless given.
 */
export function odeModel(spec: OdeModelSpec): OdeModel {
  requireInteger(spec.n, 'number of states n', 1);
  requireInteger(spec.paramCount, 'paramCount', 0);
  if (typeof spec.f !== 'function' || typeof spec.vjp !== 'function') {
    throw new ScichainError(
      'InvalidArgument',
      'an ODE model needs f(du, u, p, t) and vjp(λ, u, p, t, uBar, pBar)',
    );
  }
  if (spec.stateNames !== undefined && spec.stateNames.length !== spec.n) {
    throw new ScichainError(
      'ShapeMismatch',
      `${spec.stateNames.length} state names for ${spec.n} states`,
    );
  }
  const jacobian = spec.jacobian ?? jacobianFromVjp(spec.vjp, spec.n, spec.paramCount);
  return {
    stateCount: spec.n,
    stateNames: spec.stateNames ?? Array.from({ length: spec.n }, (_, i) => `u${i + 1}`),
    paramCount: spec.paramCount,
    f: spec.f,
    vjp: spec.vjp,
    jacobian,
    jvp: spec.jvp ?? jvpFromJacobian(jacobian, spec.n),
    autonomous: spec.autonomous ?? false,
    ...(spec.tgrad ? { tgrad: spec.tgrad } : {}),
    ...(spec.layout ? { layout: spec.layout } : {}),
    init: spec.init ?? (() => {}),
  };
}
