/**
 * A loss that is a sum of independent parts over one parameter vector — trajectories of a
 * multi-trajectory UDE loss, experiments sharing a model — with its gradient:
 *
 *   const objective = sumOfObjectives(parts);
 *   minimize(objective.valueAndGradient, p);
 *
 * Each part is an objective (`valueAndGradient(p, grad)`: an `odeObjective`, for one). With
 * `threads`, worker threads evaluate fixed shares of the parts: closures and solvers cannot cross
 * threads, so each worker builds the same parts through a `setup` export (as population
 * objectives do). Every part's loss and gradient lands in its own slot and the slots are summed
 * in part order, so the result is bit-identical on any number of threads.
 */
import { ScichainError } from '../core/errors.ts';
import type { Objective, ValueAndGradient } from '../core/objective.ts';
import { shareOf, workerModuleUrl, type TaskModule } from '../parallel/task.ts';
import { chooseThreads, type ThreadChoice } from '../parallel/thread-choice.ts';
import { sharedBlock, type SharedBlock } from '../parallel/shared-block.ts';
import { sharedThreadPool, type ThreadPool } from '../parallel/thread-pool.ts';

/** One part of the sum: its loss at p and the gradient written (overwritten) into grad. */
export type ObjectivePart = Objective<Float64Array>;

/** Parts on worker threads: how each worker builds the same parts. */
export interface ObjectiveSumThreads {
  /** An export `(args) => parts` (or a promise of them): the same parts in the same order. */
  readonly setup: TaskModule;
  readonly args?: unknown;
  /** Threads (default `'auto'`: every core when there are at least two parts). */
  readonly threads?: ThreadChoice;
  readonly pool?: ThreadPool;
}

/** Options of {@link sumOfObjectives}. */
export interface ObjectiveSumOptions {
  readonly threads?: ObjectiveSumThreads;
}

/** The block every thread reads p from and writes its parts' losses and gradients into. */
export interface ObjectiveSumShared {
  readonly block: SharedBlock<'p' | 'losses' | 'gradients'>;
  readonly p: Float64Array;
  readonly losses: Float64Array;
  /** Each part's gradient slot (views of the block, made once). */
  readonly partGradients: readonly Float64Array[];
}

/** Lays out the shared block (a new one when `buffer` is null; unshared for one thread). */
export function objectiveSumShared(
  buffer: ArrayBufferLike | null,
  parts: number,
  paramCount: number,
  shared = true,
): ObjectiveSumShared {
  const block = sharedBlock(
    { p: paramCount, losses: parts, gradients: parts * paramCount },
    0,
    buffer,
    shared,
  );
  const { p, losses, gradients } = block.floats;
  const partGradients = Array.from({ length: parts }, (_, k) =>
    gradients.subarray(k * paramCount, (k + 1) * paramCount),
  );
  return { block, p, losses, partGradients };
}

/** Registration arguments of the worker task (objective-sum-task.ts). */
export interface ObjectiveSumTaskArgs {
  readonly setup: TaskModule;
  readonly args: unknown;
  readonly buffer: SharedArrayBuffer;
  readonly parts: number;
  readonly paramCount: number;
}

/** The worker task's only operation: evaluate this thread's parts at p. */
export const OP_PARTS = 1;

/**
 * Evaluates parts [start, start + count) at the block's p into its loss and gradient slots. A
 * part whose solve fails (`SolverFailed`) gets loss +∞ and a NaN gradient, like
 * `OdeObjective.valueAndGradient`, so a line search can back off; other errors propagate.
 */
export function evaluateParts(
  parts: readonly ObjectivePart[],
  shared: ObjectiveSumShared,
  start: number,
  count: number,
): void {
  for (let k = start; k < start + count; k++) {
    const grad = shared.partGradients[k];
    grad.fill(0);
    try {
      shared.losses[k] = parts[k].valueAndGradient(shared.p, grad);
    } catch (error) {
      if (!(error instanceof ScichainError) || error.code !== 'SolverFailed') throw error;
      shared.losses[k] = Infinity;
      grad.fill(NaN);
    }
  }
}

/** A sum of independent objectives; see the module comment. */
export class ObjectiveSum implements Objective<Float64Array> {
  readonly parts: readonly ObjectivePart[];
  /** Length of p. */
  readonly paramCount: number;
  /** Threads evaluating the parts. */
  readonly threads: number;
  /** Each part's loss at the last evaluation. */
  readonly partLosses: Float64Array;
  private readonly shared: ObjectiveSumShared;
  private readonly parallel: {
    pool: ThreadPool;
    task: number;
    ownShare: () => void;
  } | null = null;

  constructor(
    parts: readonly ObjectivePart[],
    paramCount: number,
    options: ObjectiveSumOptions = {},
  ) {
    if (parts.length === 0) throw new ScichainError('InvalidArgument', 'no parts to sum');
    this.parts = parts;
    this.paramCount = paramCount;
    const t = options.threads;
    const threads =
      t === undefined
        ? 1
        : Math.min(
            parts.length,
            chooseThreads(t.pool?.threads ?? t.threads, Infinity, Infinity, true, t.pool?.threads),
          );
    // One-thread sums keep the same layout in an ordinary buffer (no SharedArrayBuffer needed).
    const shared = objectiveSumShared(null, parts.length, paramCount, threads > 1);
    this.shared = shared;
    this.partLosses = shared.losses;
    this.threads = 1;
    if (threads > 1 && t !== undefined) {
      const pool = t.pool ?? sharedThreadPool(threads);
      const args: ObjectiveSumTaskArgs = {
        setup: t.setup,
        args: t.args,
        buffer: shared.block.buffer as SharedArrayBuffer,
        parts: parts.length,
        paramCount,
      };
      const task = pool.register(
        { url: workerModuleUrl('objective-sum-task'), export: 'objectiveSumTask' },
        args,
      );
      const own = shareOf(parts.length, pool.threads, 0).count;
      // Made once: the calling thread's share, run by every evaluation.
      const ownShare = (): void => evaluateParts(parts, shared, 0, own);
      this.parallel = { pool, task, ownShare };
      this.threads = pool.threads;
    }
  }

  /**
   * Σ loss over the parts at p, the summed gradient written into grad: the objective in the
   * optimizers' form (bound); +∞ (NaN gradient) where a part's solve failed.
   */
  readonly valueAndGradient: ValueAndGradient<Float64Array> = (p, grad) => {
    const m = this.paramCount;
    if (p.length !== m || grad.length !== m) {
      throw new ScichainError(
        'ShapeMismatch',
        `p and grad must have ${m} entries (got ${p.length} and ${grad.length})`,
      );
    }
    const s = this.shared;
    s.p.set(p);
    const n = this.parts.length;
    if (this.parallel === null) {
      evaluateParts(this.parts, s, 0, n);
    } else {
      this.parallel.pool.run(this.parallel.task, OP_PARTS, this.parallel.ownShare);
    }
    // In part order, on any thread count.
    let total = 0;
    grad.fill(0);
    for (let k = 0; k < n; k++) {
      total += s.losses[k];
      const g = s.partGradients[k];
      for (let i = 0; i < m; i++) grad[i] += g[i];
    }
    return total;
  };

  /** Releases the workers' parts (a no-op on one thread). */
  dispose(): void {
    if (this.parallel !== null) this.parallel.pool.drop(this.parallel.task);
  }
}

/** Builds an {@link ObjectiveSum} over parts of `paramCount` parameters. */
export function sumOfObjectives(
  parts: readonly ObjectivePart[],
  paramCount: number,
  options: ObjectiveSumOptions = {},
): ObjectiveSum {
  return new ObjectiveSum(parts, paramCount, options);
}
