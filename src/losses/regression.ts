/**
 * Regression losses. The reduction is in the name so nobody has to guess:
 * `sumSquaredError` = Σ (ŷ − y)², `meanSquaredError` = Σ (ŷ − y)² / (n·width) — the mean over
 * every entry, as PyTorch's `MSELoss()` — and likewise for absolute error.
 */
import type { FloatArray } from '../core/dtype.ts';
import type { ElementwiseKind, Loss, SeparableLoss } from './loss.ts';

/**
 * Element-wise loss from its per-entry value and derivative, written as expressions in the
 * residual `r`. The loops are generated per loss so that the expressions are inlined: one shared
 * loop calling per-entry closures ran at ~24 ns per entry once several losses had used it, the
 * generated loops at 3–6 ns (float32, 40,000 entries, measured in one process) — the difference
 * was a tenth of a matrix-exponential training step.
 */
function elementwise(
  name: string,
  kind: ElementwiseKind,
  entry: string,
  slope: string,
  mean: boolean,
): Loss<FloatArray> {
  const total = mean ? 's / len' : 's';
  const value = new Function(
    'prediction',
    'target',
    'n',
    'width',
    `const len = n * width; let s = 0;
     for (let i = 0; i < len; i++) { const r = prediction[i] - target[i]; s += ${entry}; }
     return ${total};`,
  ) as Loss<FloatArray>['value'];
  /** The loop over `rows` rows writing the seed `scale · slope`, then `result`. */
  const withGradient = (scale: string, result: string): string =>
    `const len = rows * width; const scale = ${scale}; let s = 0;
     for (let i = 0; i < len; i++) {
       const r = prediction[i] - target[i];
       s += ${entry};
       gradient[i] = scale * (${slope});
     }
     ${result}`;
  const valueAndGradient = new Function(
    'prediction',
    'target',
    'rows',
    'width',
    'gradient',
    withGradient(mean ? '1 / len' : '1', `return ${total};`),
  ) as Loss<FloatArray>['valueAndGradient'];
  // The same loop over a share of a batch's rows, normalised as the whole batch (batchRows),
  // so a share writes exactly the seed entries the whole batch would.
  const part = new Function(
    'prediction',
    'target',
    'rows',
    'width',
    'batchRows',
    'gradient',
    'out',
    'index',
    withGradient(mean ? '1 / (batchRows * width)' : '1', 'out[index] = scale * s;'),
  ) as SeparableLoss<FloatArray>['part'];
  const separable: SeparableLoss<FloatArray> = {
    elementwise: kind,
    normalizer: mean ? (n, width) => 1 / (n * width) : () => 1,
    part,
  };
  return {
    name,
    reduction: mean ? 'mean' : 'sum',
    targets: 'values',
    value,
    valueAndGradient,
    separable,
  };
}

const square = 'r * r';
const twice = '2 * r';
const abs = 'Math.abs(r)';
const sign = '(r > 0 ? 1 : r < 0 ? -1 : 0)';

/** Σ (ŷ − y)² over all n·width entries. */
export const sumSquaredError: Loss<FloatArray> = elementwise(
  'sumSquaredError',
  'squared',
  square,
  twice,
  false,
);
/** Σ (ŷ − y)² / (n·width): the mean over every entry (PyTorch `MSELoss()`). */
export const meanSquaredError: Loss<FloatArray> = elementwise(
  'meanSquaredError',
  'squared',
  square,
  twice,
  true,
);
/** Σ |ŷ − y| over all entries (subgradient 0 at a tie). */
export const sumAbsoluteError: Loss<FloatArray> = elementwise(
  'sumAbsoluteError',
  'absolute',
  abs,
  sign,
  false,
);
/** Σ |ŷ − y| / (n·width) (PyTorch `L1Loss()`). */
export const meanAbsoluteError: Loss<FloatArray> = elementwise(
  'meanAbsoluteError',
  'absolute',
  abs,
  sign,
  true,
);
