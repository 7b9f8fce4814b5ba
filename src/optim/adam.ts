/**
 * Adam (Kingma & Ba, 2015) with optional decoupled weight decay (AdamW, Loshchilov & Hutter,
 * 2019), following PyTorch's update exactly:
 *   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
 *   θ ← θ(1 − η·λ) − (η / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε).
 * Moments are kept in float64 whatever θ's dtype.
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
import { child, fieldError, type FieldPlace } from '../parameters/json-fields.ts';
import { FrozenUnion } from '../parameters/frozen-entries.ts';

/** Options of {@link adam}. */
export interface AdamOptions {
  /** η, default 1e-3. */
  learningRate?: number;
  /** β₁, default 0.9. */
  beta1?: number;
  /** β₂, default 0.999. */
  beta2?: number;
  /** ε, default 1e-8. */
  epsilon?: number;
  /** Decoupled weight decay λ (AdamW), default 0. */
  weightDecay?: number;
  /**
   * Frozen mask (1 = frozen), combined by union with the frozen blocks of θ's layout, which are
   * honoured without it.
   */
  frozen?: Uint8Array | null;
}

class Adam implements FirstOrderOptimizer {
  readonly name = 'adam';
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private frozen: Uint8Array | null;
  /** The explicit mask combined with the frozen blocks of θ's layout. */
  private readonly frozenUnion = new FrozenUnion();
  private m = new Float64Array(0);
  private v = new Float64Array(0);
  private t = 0;
  /** Free entries of the last frozen mask seen. */
  private active: { mask: Uint8Array; indices: Int32Array } | null = null;

  constructor(o: AdamOptions) {
    this.learningRate = o.learningRate ?? 1e-3;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.epsilon = o.epsilon ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.frozen = o.frozen ?? null;
    requireInRange(this.learningRate, 'Adam learningRate', 0, Infinity, true, true);
    requireInRange(this.beta1, 'Adam beta1', 0, 1, false, true);
    requireInRange(this.beta2, 'Adam beta2', 0, 1, false, true);
    requireInRange(this.epsilon, 'Adam epsilon', 0, Infinity, true, true);
    requireInRange(this.weightDecay, 'Adam weightDecay', 0, Infinity, false, true);
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
    if (grad.length !== n) {
      throw new ScichainError(
        'ShapeMismatch',
        `gradient has length ${grad.length} but θ has length ${n}`,
      );
    }
    checkFrozen(this.frozen, theta);
    if (this.m.length !== n) {
      if (this.t > 0)
        throw new ScichainError(
          'ShapeMismatch',
          `θ changed length from ${this.m.length} to ${n} between Adam steps`,
        );
      this.m = new Float64Array(n);
      this.v = new Float64Array(n);
    }
    // Check the whole gradient first so a bad entry leaves θ and the moments untouched.
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(grad[i])) requireFiniteGradient(grad[i], i, this.t + 1);
    this.t++;
    const { beta1, beta2, epsilon, m, v } = this;
    const frozen = this.frozenUnion.of(theta, this.frozen);
    const lr = this.learningRate;
    const stepSize = lr / (1 - beta1 ** this.t);
    const sqrtBias2 = Math.sqrt(1 - beta2 ** this.t);
    const decay = 1 - lr * this.weightDecay;
    // The loop bodies below have no branch on purpose: TurboFan does not hoist pure nodes out of
    // a loop into a preheader unless their use runs on every iteration, and with a branch in the
    // body it recomputed both powers (two C calls) per entry — 80 ns per parameter, measured.
    if (frozen === null) {
      for (let i = 0; i < n; i++) {
        const g = grad[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        theta[i] = theta[i] * decay - (stepSize * mi) / (Math.sqrt(vi) / sqrtBias2 + epsilon);
      }
    } else {
      const active = this.activeIndices(frozen);
      for (let k = 0; k < active.length; k++) {
        const i = active[k];
        const g = grad[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        theta[i] = theta[i] * decay - (stepSize * mi) / (Math.sqrt(vi) / sqrtBias2 + epsilon);
      }
    }
  }

  /** Indices of the entries the mask leaves free (cached per mask and its contents). */
  private activeIndices(frozen: Uint8Array): Int32Array {
    let count = 0;
    for (let i = 0; i < frozen.length; i++) if (!frozen[i]) count++;
    const cached = this.active;
    if (cached !== null && cached.mask === frozen && cached.indices.length === count) {
      let same = true;
      const idx = cached.indices;
      for (let k = 0; k < count && same; k++) same = !frozen[idx[k]];
      if (same) return idx;
    }
    const indices = new Int32Array(count);
    for (let i = 0, k = 0; i < frozen.length; i++) if (!frozen[i]) indices[k++] = i;
    this.active = { mask: frozen, indices };
    return indices;
  }

  reset(): void {
    this.t = 0;
    this.m = new Float64Array(0);
    this.v = new Float64Array(0);
  }

  state(): OptimizerState {
    return {
      optimizer: this.name,
      step: this.t,
      learningRate: this.learningRate,
      buffers: { m: Array.from(this.m), v: Array.from(this.v) },
    };
  }

  loadState(state: OptimizerState, place: FieldPlace = OPTIMIZER_STATE): void {
    const s = readOptimizerState(state, place, this.name, ['m', 'v']);
    // v is a running mean of squared gradients: a negative entry would make √v NaN.
    const negative = s.buffers.v.findIndex((x) => x < 0);
    if (negative >= 0) {
      fieldError(
        child(child(child(place, 'buffers'), 'v'), negative),
        `must be ≥ 0 (a mean of squared gradients), got ${s.buffers.v[negative]}`,
      );
    }
    this.t = s.step;
    this.learningRate = s.learningRate;
    this.m = s.buffers.m;
    this.v = s.buffers.v;
  }
}

/** Adam / AdamW with PyTorch's defaults (η = 1e-3, β = (0.9, 0.999), ε = 1e-8). */
export function adam(options: AdamOptions = {}): FirstOrderOptimizer {
  return new Adam(options);
}
