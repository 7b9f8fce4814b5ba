/**
 * The pieces of the λ-only backward pass that run once per backward step, allocation-free:
 * the adjoint right-hand side dλ/dt = −(∂f/∂u)ᵀλ (and its Jacobian −(∂f/∂u)ᵀ for stiff
 * backward solves) along the forward dense solution, and the Gauss–Legendre accumulation of
 * ∫ λᵀ∂f/∂p dt over one backward step.
 */
import type { OdeModel } from '../../src/model/ode-model.ts';
import type { OdeSolution } from '../solution.ts';
import type { QuadratureRule } from './gauss-legendre.ts';

/** u(t) from the forward solution's dense output, as the backward passes need it. */
export class ForwardState {
  /**
   * Time of the event crossed last (backwards): evaluations exactly there need the state
   * before the event, i.e. the forward solution's left limit.
   */
  crossedAt = NaN;
  private readonly u: Float64Array;
  private readonly solution: OdeSolution;

  constructor(solution: OdeSolution) {
    this.solution = solution;
    this.u = new Float64Array(solution.n);
  }

  /** u(t) (left limit at the event just crossed), in a buffer reused by every call. */
  at(t: number): Float64Array {
    this.solution.queryTime[0] = t;
    return this.solution.atQueryTime(this.u, t === this.crossedAt ? 'left' : 'right');
  }
}

/** dλ/dt = −(∂f/∂u)ᵀλ with u(t) read from the forward solution's dense output. */
export class AdjointDynamics {
  /** VJP calls made so far. */
  vjpCalls = 0;
  /** The forward state; set `state.crossedAt` when crossing an event backwards. */
  readonly state: ForwardState;
  private readonly uBar: Float64Array;
  private readonly discard: Float64Array;
  private readonly jacobianBuffer: Float64Array;
  private readonly model: OdeModel;
  private readonly p: Float64Array;

  constructor(model: OdeModel, p: Float64Array, solution: OdeSolution) {
    const n = model.stateCount;
    this.model = model;
    this.p = p;
    this.state = new ForwardState(solution);
    this.uBar = new Float64Array(n);
    this.discard = new Float64Array(p.length);
    this.jacobianBuffer = new Float64Array(n * n);
  }

  /** The backward right-hand side, in the solvers' `f(dλ, λ, p, t)` form. */
  readonly rhs = (dl: Float64Array, l: Float64Array, _q: Float64Array, t: number): void => {
    const n = this.model.stateCount;
    this.model.vjp(l, this.state.at(t), this.p, t, this.uBar, this.discard);
    this.vjpCalls++;
    for (let i = 0; i < n; i++) dl[i] = -this.uBar[i];
  };

  /** Its Jacobian −(∂f/∂u)ᵀ, for a stiff backward solve. */
  readonly jac = (J: Float64Array, _l: Float64Array, _q: Float64Array, t: number): void => {
    const n = this.model.stateCount;
    const Jm = this.jacobianBuffer;
    this.model.jacobian(Jm, this.state.at(t), this.p, t);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) J[i * n + j] = -Jm[j * n + i];
  };
}

/** Accumulates ∫ λᵀ∂f/∂p dt over backward steps by Gauss–Legendre quadrature. */
export class StepQuadrature {
  /** VJP calls made so far. */
  vjpCalls = 0;
  private readonly u: Float64Array;
  private readonly uBar: Float64Array;
  private readonly lambda: Float64Array;
  private readonly weighted: Float64Array;
  private readonly model: OdeModel;
  private readonly p: Float64Array;
  private readonly forward: OdeSolution;
  private readonly rule: QuadratureRule;

  constructor(model: OdeModel, p: Float64Array, forward: OdeSolution, rule: QuadratureRule) {
    const n = model.stateCount;
    this.model = model;
    this.p = p;
    this.forward = forward;
    this.rule = rule;
    this.u = new Float64Array(n);
    this.uBar = new Float64Array(n);
    this.lambda = new Float64Array(n);
    this.weighted = new Float64Array(n);
  }

  /**
   * Adds step s of the backward solution's share of the integral to `grad`. The nodes are
   * interior to the step, so no node sits on a jump of λ or u.
   */
  step(backward: OdeSolution, s: number, grad: Float64Array): void {
    const n = this.model.stateCount;
    const { nodes, weights } = this.rule;
    const h = backward.stepSize(s);
    const start = backward.stepStart(s);
    for (let q = 0; q < nodes.length; q++) {
      const tau = start + nodes[q] * h;
      backward.interpolateStep(s, nodes[q], this.lambda);
      this.forward.queryTime[0] = tau;
      this.forward.atQueryTime(this.u);
      const w = weights[q] * Math.abs(h);
      for (let i = 0; i < n; i++) this.weighted[i] = w * this.lambda[i];
      this.model.vjp(this.weighted, this.u, this.p, tau, this.uBar, grad);
      this.vjpCalls++;
    }
  }
}
