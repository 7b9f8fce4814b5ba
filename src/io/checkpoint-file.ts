/**
 * The checkpoint file of a long run that works in slices (phased minimisation, population and
 * neural fits): where and how often it is written, the checks made before any work, and the
 * writer each run shares.
 */
import { ScichainError } from '../core/errors.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

/** Where a long run writes its checkpoint, and when. */
export interface CheckpointTarget {
  /** The checkpoint file (written atomically: temporary file, fsync, rename). */
  path: string;
  /** Also write when this many seconds have passed since the last write (default 60). */
  everySeconds?: number;
  /** Write it and stop on SIGINT/SIGTERM (default true). */
  onSignal?: boolean;
}

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

/**
 * Writes a run's checkpoint — the JSON of what `make()` returns — atomically, when asked and
 * when `everySeconds` have passed; does nothing without a target. `path` is the absolute path
 * of the last file written.
 */
export class CheckpointWriter {
  path: string | undefined;
  private last = performance.now();
  private readonly target: CheckpointTarget | undefined;
  private readonly make: () => unknown;

  constructor(target: CheckpointTarget | undefined, make: () => unknown) {
    this.target = target;
    this.make = make;
  }

  /** Writes the checkpoint now. */
  write(): void {
    if (this.target === undefined) return;
    const doc = this.make();
    this.path = writeFileAtomic(this.target.path, () => JSON.stringify(doc), {
      what: 'checkpoint file',
    });
    this.last = performance.now();
  }

  /** Writes it if `everySeconds` (default 60) have passed since the last write. */
  writeIfDue(): void {
    const t = this.target;
    if (t !== undefined && performance.now() - this.last >= 1000 * (t.everySeconds ?? 60))
      this.write();
  }
}
