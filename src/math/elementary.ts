/**
 * Fast float64 exp and tanh, accurate to 2 ulp, for activation kernels. V8 computes Math.exp
 * and Math.tanh by calling into C (fdlibm ports): ~11 ns and ~20 ns per call on the reference
 * machine, which dominates a small network's forward pass. These are plain JavaScript arithmetic
 * (~4 ns and ~7 ns), generated from one source template each so that kernels can paste the
 * code inline instead of calling:
 *
 * - exp(y) (the table method of Tang, 1989): y = (64m + j)·ln2/64 + r with a two-part ln 2, so
 *   the reduction is exact and |r| ≤ ln2/128; e^y = 2^m · 2^(j/64) · e^r with 2^(j/64) from a
 *   64-entry table and e^r − 1 by its Taylor series to r⁵ (truncation < 1e-17), added to the
 *   table value last to keep rounding small; 2^m from a table of exact powers of two. Results
 *   that would be subnormal are left to Math.exp.
 * - tanh(x): for |x| < 0.625 the rational x + x·w·P(w)/Q(w), w = x² (Cephes' coefficients,
 *   relative error ~3e-16); above, 1 − 2/(e^{2|x|} + 1), where the result is ≥ 0.55 so the
 *   subtraction loses nothing; ±1 beyond |x| = 22.
 *
 * Both are tested against Math on dense grids (≤ 2 ulp; see test/math/elementary.test.ts).
 */

const TABLE_BITS = 6;
const TABLE_SIZE = 1 << TABLE_BITS;
/** 2^(j/64), j = 0 … 63, each correctly rounded. */
const EXP2_FRACTION = Float64Array.from({ length: TABLE_SIZE }, (_, j) => 2 ** (j / TABLE_SIZE));
/** POW2[m + 1074] = 2^m exactly, m = −1074 … 1023. */
const POW2 = Float64Array.from({ length: 1074 + 1024 }, (_, i) => 2 ** (i - 1074));
const SCALE = TABLE_SIZE / Math.LN2;
// ln2/64 split so that k·HI is exact for the k that occur (fdlibm's ln 2 split, divided by 64).
const LN2_HI = 0.6931471803691238 / TABLE_SIZE;
const LN2_LO = 1.9082149292705877e-10 / TABLE_SIZE;
/** Adding and subtracting 1.5·2⁵² rounds a double to the nearest integer. */
const ROUND = 6755399441055744;

/**
 * Statements setting `target` to e^(argument): the one description of exp64, compiled into the
 * `exp64` function below and pasted into generated kernels. Inline, because a double passed to
 * or returned from a call V8 declines to inline is boxed (a 16-byte heap number per call) —
 * and in a large generated kernel V8 often declines. Tables are read from the names
 * `EXP2_FRACTION` and `POW2`, which {@link ELEMENTARY_SCOPE} provides.
 */
export function exp64Source(target: string, argument: string): string {
  return `{
    const ey_ = ${argument};
    if (ey_ < 709.782712893384 && ey_ > -708.3964185322641) {
      const kr_ = ey_ * ${SCALE} + ${ROUND} - ${ROUND};
      const r_ = ey_ - kr_ * ${LN2_HI} - kr_ * ${LN2_LO};
      const k_ = kr_ | 0;
      const j_ = k_ & ${TABLE_SIZE - 1};
      const r2_ = r_ * r_;
      const q_ = r_ + r2_ * (0.5 + r_ * 0.16666666666666666) +
        r2_ * r2_ * (0.041666666666666664 + r_ * 0.008333333333333333);
      const t_ = EXP2_FRACTION[j_];
      const m_ = (k_ - j_) >> ${TABLE_BITS};
      // 2^1024 is not a double: near the overflow threshold scale in two steps.
      ${target} = m_ < 1024 ? (t_ + t_ * q_) * POW2[m_ + 1074] : (t_ + t_ * q_) * POW2[m_ - 1 + 1074] * 2;
    } else {
      // Overflow, the subnormal range and NaN. Math.exp, not constants: an Infinity or NaN
      // constant here would make V8 merge the branches in a tagged value and box every result.
      ${target} = Math.exp(ey_);
    }
  }`;
}

/** Statements setting `target` to tanh(argument) (uses {@link exp64Source}). */
export function tanh64Source(target: string, argument: string): string {
  return `{
    const tx_ = ${argument};
    const ta_ = tx_ < 0 ? -tx_ : tx_;
    if (ta_ < 1e-9) {
      ${target} = tx_; // tanh x = x(1 − x²/3 + …) rounds to x; keeps −0
    } else if (ta_ < 0.625) {
      const tw_ = tx_ * tx_;
      ${target} = tx_ + (tx_ * tw_ * ((-0.9643991794250523 * tw_ - 99.28772310019185) * tw_ - 1614.6876844170845)) /
        (((tw_ + 112.81167849163293) * tw_ + 2235.4883906010045) * tw_ + 4844.063053251255);
    } else if (ta_ > 22) {
      ${target} = tx_ > 0 ? 1 : tx_ < 0 ? -1 : tx_;
    } else {
      let te_ = 0;
      ${exp64Source('te_', '2 * ta_')}
      const tt_ = 1 - 2 / (te_ + 1);
      ${target} = tx_ < 0 ? -tt_ : tt_;
    }
  }`;
}

/** The names generated code that uses {@link exp64Source} needs in scope. */
export const ELEMENTARY_SCOPE: Readonly<Record<string, unknown>> = { EXP2_FRACTION, POW2 };

/** Compiles `source` (a function body) with {@link ELEMENTARY_SCOPE} in scope; returns its result. */
export function compileWithElementary(
  source: string,
  scope: Record<string, unknown> = {},
): unknown {
  const all = { ...ELEMENTARY_SCOPE, ...scope };
  return new Function(...Object.keys(all), source)(...Object.values(all));
}

/** e^y for any double y (overflow to Infinity, NaN propagates). */
export const exp64 = compileWithElementary(
  `"use strict"; return function exp64(y) { let out = 0; ${exp64Source('out', 'y')} return out; };`,
) as (y: number) => number;

/** tanh(x) for any double x. */
export const tanh64 = compileWithElementary(
  `"use strict"; return function tanh64(x) { let out = 0; ${tanh64Source('out', 'x')} return out; };`,
) as (x: number) => number;
