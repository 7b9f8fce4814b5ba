/**
 * Loss protocol: a loss compares `n` predictions of `width` outputs each (sample-major, as the
 * networks produce them) with targets, and can write its gradient with respect to the
 * predictions in the same pass — the seed ȳ of a network's pullback.
 */
import type { FloatArray } from '../memory/dtype.ts';

/** A loss over a batch; `Target` is a float array for regression, labels for classification. */
export interface Loss<Target = FloatArray> {
  /** Name with its reduction spelled out, e.g. `meanSquaredError`. */
  readonly name: string;
  /**
   * `'mean'` when the value is an average over samples (or entries), `'sum'` when it is a total:
   * batched evaluation uses it to combine chunks into the full-data value exactly.
   */
  readonly reduction: 'mean' | 'sum';
  /** `'values'`: one target per output (n·width numbers); `'labels'`: one class per sample. */
  readonly targets: 'values' | 'labels';
  /** Loss value over n samples. */
  value(prediction: FloatArray, target: Target, n: number, width: number): number;
  /** Loss value; writes ∂loss/∂prediction into `gradient` (n·width entries, overwritten). */
  valueAndGradient(
    prediction: FloatArray,
    target: Target,
    n: number,
    width: number,
    gradient: FloatArray,
  ): number;
  /**
   * Present when the loss is a normalised sum of per-sample terms (every built-in loss): then a
   * batch can be split into row shares that threads evaluate on their own, each seeding its own
   * pullback right after its forward pass.
   */
  readonly separable?: SeparableLoss<Target>;
}

/**
 * A loss of the form `normalizer(n, width) · Σₛ term(ŷₛ, yₛ)`: the value over n samples is the
 * normalised sum of independent per-sample terms, so any split of the rows gives the same value
 * (up to the order of the sum) and the same gradient entries.
 */
export interface SeparableLoss<Target = FloatArray> {
  /** The factor in front of the sum for a batch of n samples (1 for sums, 1/(n·width) …). */
  normalizer(n: number, width: number): number;
  /**
   * Σ term over `rows` samples (not normalised), writing the gradient of
   * `normalizer · Σ term` with respect to their predictions into `gradient` (overwritten):
   * the rows' part of the whole batch's seed when `normalizer` is the whole batch's.
   */
  partialValueAndGradient(
    prediction: FloatArray,
    target: Target,
    rows: number,
    width: number,
    normalizer: number,
    gradient: FloatArray,
  ): number;
}
