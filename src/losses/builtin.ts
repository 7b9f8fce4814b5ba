/**
 * The built-in losses by name. Worker threads cannot receive closures, so a threaded objective
 * sends its loss's name and the worker looks it up here; a user's own loss stays on the calling
 * thread (see `DataParallelModel.lossAndGradient`).
 */
import { logitCrossEntropy } from './cross-entropy.ts';
import type { Loss } from './loss.ts';
import {
  meanAbsoluteError,
  meanSquaredError,
  sumAbsoluteError,
  sumSquaredError,
} from './regression.ts';

const BUILTIN: ReadonlyMap<string, Loss<never>> = new Map<string, Loss<never>>(
  [sumSquaredError, meanSquaredError, sumAbsoluteError, meanAbsoluteError, logitCrossEntropy].map(
    (loss) => [loss.name, loss as Loss<never>],
  ),
);

/** The built-in loss of that name, or undefined. */
export function builtinLoss(name: string): Loss<never> | undefined {
  return BUILTIN.get(name);
}

/** Whether `loss` is one of the built-in losses (the object itself, not a look-alike). */
export function isBuiltinLoss(loss: Loss<never>): boolean {
  return BUILTIN.get(loss.name) === loss;
}
