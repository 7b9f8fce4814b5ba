/**
 * Early stopping on a monitored value (training or validation loss): stop after `patience`
 * evaluations without an improvement larger than `minDelta`, and optionally restore the best θ.
 */
import { ScichainError, requireInteger } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import { decodeExact, encodeExact, type ExactNumber } from '../parameters/exact-numbers.ts';

/** Options of early stopping. */
export interface EarlyStoppingOptions {
  /** Evaluations without improvement before stopping. */
  patience: number;
  /** Smallest decrease that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put the best θ back when training ends (default true). */
  restoreBest?: boolean;
}

/** Serializable state of early stopping (part of a training checkpoint). */
export interface EarlyStoppingState {
  readonly bestValue: number | null;
  readonly bestStep: number;
  readonly sinceBest: number;
  readonly best: readonly ExactNumber[] | null;
}

/** Tracks the best value and θ; `update` says when to stop. */
export class EarlyStopping {
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBest: boolean;
  bestValue = Infinity;
  bestStep = -1;
  private best: FloatArray | null = null;
  private sinceBest = 0;

  constructor(options: EarlyStoppingOptions) {
    requireInteger(options.patience, 'early stopping patience', 1);
    this.patience = options.patience;
    this.minDelta = options.minDelta ?? 0;
    this.restoreBest = options.restoreBest ?? true;
    if (!(this.minDelta >= 0) || !Number.isFinite(this.minDelta)) {
      throw new ScichainError(
        'InvalidArgument',
        `early stopping minDelta must be finite and ≥ 0, got ${this.minDelta}`,
      );
    }
  }

  /** Exact state, for checkpoints. */
  state(): EarlyStoppingState {
    return {
      bestValue: Number.isFinite(this.bestValue) ? this.bestValue : null,
      bestStep: this.bestStep,
      sinceBest: this.sinceBest,
      best: this.best === null ? null : encodeExact(this.best, (i) => `best θ[${i}]`),
    };
  }

  /** Restores a state from {@link EarlyStopping.state} into θ's dtype (`like`). */
  loadState(state: EarlyStoppingState, like: FloatArray): void {
    let best: FloatArray | null = null;
    if (state.best !== null) {
      best = like.slice();
      state.best.forEach((v, i) => (best![i] = decodeExact(v, `checkpoint best θ[${i}]`)));
    }
    this.setState(state.bestValue ?? Infinity, state.bestStep, state.sinceBest, best);
  }

  /** @internal Sets a state already checked (by the checkpoint reader). */
  setState(bestValue: number, bestStep: number, sinceBest: number, best: FloatArray | null): void {
    this.bestValue = bestValue;
    this.bestStep = bestStep;
    this.sinceBest = sinceBest;
    this.best = best;
  }

  /** Whether the patience is used up (a checkpoint taken at the stopping epoch resumes stopped). */
  get exhausted(): boolean {
    return this.sinceBest >= this.patience;
  }

  /** Records the value at `step` for θ; returns true when training should stop. */
  update(value: number, step: number, theta: FloatArray): boolean {
    if (value < this.bestValue - this.minDelta) {
      this.bestValue = value;
      this.bestStep = step;
      this.sinceBest = 0;
      if (this.restoreBest) {
        if (this.best === null || this.best.length !== theta.length) this.best = theta.slice();
        else this.best.set(theta);
      }
      return false;
    }
    this.sinceBest++;
    return this.sinceBest >= this.patience;
  }

  /** Copies the best θ back into `theta` (when enabled and one was recorded). */
  restore(theta: FloatArray): boolean {
    if (!this.restoreBest || this.best === null) return false;
    theta.set(this.best);
    return true;
  }
}
