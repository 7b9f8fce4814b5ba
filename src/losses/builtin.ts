/**
 * The built-in losses by name. Worker threads cannot receive closures, so a threaded objective
 * sends its loss's name and the worker looks it up here; a user's own loss stays on the calling
 * thread (see `DataParallelModel.lossAndGradient`).
 */
import { ScichainError, closestName, requireName } from '../core/errors.ts';
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

/** Names of the built-in losses, e.g. for a command line's choices. */
export const builtinLossNames: readonly string[] = [...BUILTIN.keys()];

/**
 * The built-in loss called `name` (a name read from a command line or a JSON file); an unknown
 * name is an error naming it, with a suggestion and the valid names.
 */
export function lossByName(name: string): Loss<never> {
  return BUILTIN.get(requireName(name, builtinLossNames, 'loss'))!;
}

/**
 * Checks that `loss` is a loss object (what the types ask for; JavaScript callers may pass
 * anything): a string is refused naming it — with the object to pass instead when it names a
 * built-in loss, else the valid names.
 */
export function checkLoss(loss: unknown, what = 'loss'): void {
  if (typeof loss === 'string') {
    if (BUILTIN.has(loss)) {
      throw new ScichainError(
        'InvalidArgument',
        `${what} '${loss}' is a name: pass the loss itself (import { ${loss} } from 'scichain'), or lossByName('${loss}')`,
      );
    }
    const near = closestName(loss, builtinLossNames);
    throw new ScichainError(
      'UnknownName',
      `unknown ${what} '${loss}'; ${near === undefined ? '' : `did you mean '${near}'? `}valid: ${builtinLossNames.join(', ')} (pass the loss itself) or a Loss of your own`,
    );
  }
  const l = loss as Partial<Loss<never>> | null;
  if (
    l === null ||
    typeof l !== 'object' ||
    typeof l.valueAndGradient !== 'function' ||
    typeof l.value !== 'function' ||
    (l.reduction !== 'mean' && l.reduction !== 'sum') ||
    (l.targets !== 'values' && l.targets !== 'labels')
  ) {
    throw new ScichainError(
      'InvalidArgument',
      `${what} must be a Loss (value, valueAndGradient, reduction 'mean' or 'sum', targets 'values' or 'labels'), e.g. meanSquaredError; got ${l === null || typeof l !== 'object' ? String(l) : 'an object without them'}`,
    );
  }
}
