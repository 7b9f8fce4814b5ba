/**
 * Loss protocol: a loss compares `n` predictions of `width` outputs each (sample-major, as the
 * networks produce them) with targets, and can write its gradient with respect to the
 * predictions in the same pass — the seed ȳ of a network's pullback.
 */
import type { FloatArray } from '../core/dtype.ts';

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
  /**
   * Set when each entry is `(ŷ − y)²` or `|ŷ − y|` on its own (the regression losses): then a
   * generated SIMD loop can evaluate it where the buffers live in WebAssembly memory.
   */
  readonly elementwise?: ElementwiseKind;
  /** The factor in front of the sum for a batch of n samples (1 for sums, 1/(n·width) …). */
  normalizer(n: number, width: number): number;
  /**
   * The part that `rows` samples make of the loss of a batch of `batchRows` samples (that
   * batch's normalizer times their terms' sum), written to `out[index]`; the gradient of the
   * batch's loss with respect to their predictions written to `gradient` (overwritten). Results
   * go to arrays and sizes come as integers because a double passed to or returned from a call
   * V8 does not inline is boxed — an allocation per training step.
   */
  part(
    prediction: FloatArray,
    target: Target,
    rows: number,
    width: number,
    batchRows: number,
    gradient: FloatArray,
    out: Float64Array,
    index: number,
  ): void;
}

/** The entry of an element-wise loss: (ŷ − y)² or |ŷ − y|. */
export type ElementwiseKind = 'squared' | 'absolute';
