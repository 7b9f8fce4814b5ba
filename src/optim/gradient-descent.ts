/**
 * Gradient descent with optional (Nesterov) momentum, PyTorch's SGD convention:
 *   b ← μb + g;  θ ← θ − η·(nesterov ? g + μb : b).
 */
import { ScichainError } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import {
  checkFrozen,
  requireFiniteGradient,
  requireInRange,
  type FirstOrderOptimizer,
  type OptimizerState,
} from './optimizer.ts';
import { OPTIMIZER_STATE, readOptimizerState } from './optimizer-state.ts';
import type { FieldPlace } from '../parameters/json-fields.ts';
import { FrozenUnion } from '../parameters/frozen-entries.ts';

/** Options of {@link gradientDescent}. */
export interface GradientDescentOptions {
  /** η, default 1e-2. */
  learningRate?: number;
  /** μ, default 0 (plain gradient descent). */
  momentum?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
  /**
   * Frozen mask (1 = frozen), combined by union with the frozen blocks of θ's layout, which are
   * honoured without it.
   */
  frozen?: Uint8Array | null;
}

class GradientDescent implements FirstOrderOptimizer {
  readonly name = 'gradientDescent';
  learningRate: number;
  private readonly momentum: number;
  private readonly nesterov: boolean;
  private frozen: Uint8Array | null;
  /** The explicit mask combined with the frozen blocks of θ's layout. */
  private readonly frozenUnion = new FrozenUnion();
  private velocity = new Float64Array(0);
  private t = 0;

  constructor(o: GradientDescentOptions) {
    this.learningRate = o.learningRate ?? 1e-2;
    this.momentum = o.momentum ?? 0;
    this.nesterov = o.nesterov ?? false;
    this.frozen = o.frozen ?? null;
    requireInRange(this.learningRate, 'gradient descent learningRate', 0, Infinity, true, true);
    requireInRange(this.momentum, 'gradient descent momentum', 0, 1, false, true);
  }

  get steps(): number {
    return this.t;
  }

  setFrozen(mask: Uint8Array | null): void {
    this.frozen = mask;
  }

  frozenMask(): Uint8Array | null {
    return this.frozen;
  }

  step(theta: FloatArray, grad: FloatArray): void {
    const n = theta.length;
    if (grad.length !== n)
      throw new ScichainError(
        'ShapeMismatch',
        `gradient has length ${grad.length} but θ has length ${n}`,
      );
    checkFrozen(this.frozen, theta);
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(grad[i])) requireFiniteGradient(grad[i], i, this.t + 1);
    if (this.momentum > 0 && this.velocity.length !== n) this.velocity = new Float64Array(n);
    this.t++;
    const { momentum: mu, nesterov, velocity } = this;
    const frozen = this.frozenUnion.of(theta, this.frozen);
    const lr = this.learningRate;
    for (let i = 0; i < n; i++) {
      if (frozen !== null && frozen[i]) continue;
      const g = grad[i];
      if (mu === 0) {
        theta[i] -= lr * g;
      } else {
        const b = mu * velocity[i] + g;
        velocity[i] = b;
        theta[i] -= lr * (nesterov ? g + mu * b : b);
      }
    }
  }

  reset(): void {
    this.t = 0;
    this.velocity = new Float64Array(0);
  }

  state(): OptimizerState {
    return {
      optimizer: this.name,
      step: this.t,
      learningRate: this.learningRate,
      buffers: { velocity: Array.from(this.velocity) },
    };
  }

  loadState(state: OptimizerState, place: FieldPlace = OPTIMIZER_STATE): void {
    const s = readOptimizerState(state, place, this.name, ['velocity']);
    this.t = s.step;
    this.learningRate = s.learningRate;
    this.velocity = s.buffers.velocity;
  }
}

/** Plain or momentum gradient descent. */
export function gradientDescent(options: GradientDescentOptions = {}): FirstOrderOptimizer {
  return new GradientDescent(options);
}
