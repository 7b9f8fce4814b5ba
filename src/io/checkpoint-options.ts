/** Checks of the `checkpoint` option that long runs share, made before any work. */
import { ScichainError } from '../errors.ts';

/**
 * Refuses a checkpoint option that could only fail later — at the first write, which may be the
 * one a signal asks for, when the progress it should save would be lost: a path that is not a
 * non-empty string, an interval that is not a positive number of seconds.
 */
export function checkCheckpointOptions(
  checkpoint: { readonly path: unknown; readonly everySeconds?: unknown } | undefined,
): void {
  if (checkpoint === undefined) return;
  if (typeof checkpoint.path !== 'string' || checkpoint.path === '')
    throw new ScichainError(
      'InvalidArgument',
      `checkpoint.path must be a file path, got ${JSON.stringify(checkpoint.path) ?? String(checkpoint.path)}`,
    );
  const every = checkpoint.everySeconds;
  if (every !== undefined && !(typeof every === 'number' && every > 0))
    throw new ScichainError(
      'InvalidArgument',
      `checkpoint.everySeconds must be a number of seconds > 0, got ${String(every)}`,
    );
}
