/**
 * Logit cross-entropy with integer class labels: the mean over samples of −log softmax(ŷ)[label]
 * (PyTorch `CrossEntropyLoss()` on logits). Computed with the log-sum-exp shift, so large logits
 * neither overflow nor lose the gradient.
 */
import { ScichainError } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import type { Loss } from './loss.ts';

/** Class labels 0 … width−1, one per sample. */
export type Labels = ArrayLike<number>;

function label(labels: Labels, s: number, width: number): number {
  const c = labels[s];
  if (!(Number.isInteger(c) && c >= 0 && c < width)) {
    throw new ScichainError(
      'InvalidArgument',
      `label of sample ${s} is ${c}; expected an integer class in 0…${width - 1}`,
    );
  }
  return c;
}

/**
 * Σ over n samples of −log softmax(ŷ)[label]; with a gradient buffer, writes
 * `scale · ∂(Σ)/∂ŷ` into it (scale = 1/N for the mean over a batch of N samples).
 */
function evaluate(
  prediction: FloatArray,
  labels: Labels,
  n: number,
  width: number,
  gradient: FloatArray | null,
  scale: number,
): number {
  let total = 0;
  for (let s = 0; s < n; s++) {
    const base = s * width;
    const c = label(labels, s, width);
    let max = -Infinity;
    for (let k = 0; k < width; k++) max = Math.max(max, prediction[base + k]);
    let sum = 0;
    for (let k = 0; k < width; k++) sum += Math.exp(prediction[base + k] - max);
    const logSum = max + Math.log(sum);
    total += logSum - prediction[base + c];
    if (gradient !== null) {
      for (let k = 0; k < width; k++)
        gradient[base + k] = Math.exp(prediction[base + k] - logSum) * scale;
      gradient[base + c] -= scale;
    }
  }
  return total;
}

/** Mean over samples of −log softmax(logits)[label]. */
export const logitCrossEntropy: Loss<Labels> = {
  name: 'logitCrossEntropy',
  reduction: 'mean',
  targets: 'labels',
  value: (prediction, labels, n, width) => evaluate(prediction, labels, n, width, null, 0) / n,
  valueAndGradient: (prediction, labels, n, width, gradient) =>
    evaluate(prediction, labels, n, width, gradient, 1 / n) / n,
  separable: {
    normalizer: (n) => 1 / n,
    part: (prediction, labels, rows, width, batchRows, gradient, out, index) => {
      const scale = 1 / batchRows;
      out[index] = scale * evaluate(prediction, labels, rows, width, gradient, scale);
    },
  },
};
