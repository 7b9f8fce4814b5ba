/**
 * Optimizers see only flat vectors: θ and a gradient of the same layout. Frozen entries are
 * never moved by any optimizer: the blocks frozen in θ's layout (when a layout made θ, see
 * `parameters/frozen-entries.ts`) together with those of an explicit mask (1 = frozen).
 */
import { ScichainError, describeValue } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import type { FieldPlace } from '../parameters/json-fields.ts';

/** Serializable optimizer state (so training can be saved and resumed exactly). */
export interface OptimizerState {
  readonly optimizer: string;
  readonly step: number;
  readonly buffers: Readonly<Record<string, readonly number[]>>;
  readonly learningRate: number;
}

/** An optimizer that takes one in-place step from a gradient (Adam, gradient descent). */
export interface FirstOrderOptimizer {
  readonly name: string;
  /** Step size; may be changed between steps (schedules). */
  learningRate: number;
  /** Number of steps taken. */
  readonly steps: number;
  /** θ ← update(θ, grad), in place; frozen entries are untouched. */
  step(theta: FloatArray, grad: FloatArray): void;
  /** Forgets moments and the step count. */
  reset(): void;
  /** Exact state, for checkpoints. */
  state(): OptimizerState;
  /**
   * Restores a state from {@link FirstOrderOptimizer.state}, checking every field first (an
   * error names the field, prefixed by `place` — e.g. the checkpoint file and `optimizer`); the
   * optimizer is unchanged when the state is refused.
   */
  loadState(state: OptimizerState, place?: FieldPlace): void;
  /**
   * Sets the explicit frozen mask (1 = frozen), or null for none; the frozen blocks of θ's layout
   * stay frozen either way.
   */
  setFrozen(mask: Uint8Array | null): void;
  /** The explicit frozen mask in use (from the constructor or {@link setFrozen}), if any. */
  frozenMask?(): Uint8Array | null;
}

/** Throws unless the gradient entry is finite, naming its index and the step. */
export function requireFiniteGradient(g: number, index: number, step: number): void {
  if (!Number.isFinite(g)) {
    throw new ScichainError(
      'NonFinite',
      `gradient entry ${index} is ${g} at optimizer step ${step}; θ was left at its last finite value`,
    );
  }
}

/** Checks a frozen mask against θ. */
export function checkFrozen(mask: Uint8Array | null, theta: FloatArray): void {
  if (mask && mask.length !== theta.length) {
    throw new ScichainError(
      'ShapeMismatch',
      `frozen mask has length ${mask.length} but θ has length ${theta.length}`,
    );
  }
}

/** Checks a numeric hyper-parameter. */
export function requireInRange(
  value: number,
  what: string,
  low: number,
  high: number,
  openLow = false,
  openHigh = false,
): void {
  const okLow = openLow ? value > low : value >= low;
  const okHigh = openHigh ? value < high : value <= high;
  // A string from JavaScript or JSON ('0.01') would pass the comparisons by coercion.
  if (typeof value !== 'number' || !(okLow && okHigh) || Number.isNaN(value)) {
    throw new ScichainError(
      'InvalidArgument',
      `${what} must be in ${openLow ? '(' : '['}${low}, ${high}${openHigh ? ')' : ']'}, got ${describeValue(value)}`,
    );
  }
}
