/**
 * What runs on a worker thread: a task module exports a factory; each worker imports the module
 * once per registration, calls the factory with the registration's arguments and then runs the
 * task's operations on command. Arguments are structured-cloned, so they may carry a shared
 * `WebAssembly.Memory` or `SharedArrayBuffer` (shared, not copied) — that is how the main thread
 * and the workers see the same θ, data and result buffers.
 */
import { ScichainError } from '../errors.ts';

/** Given to a task factory on a worker thread. */
export interface TaskContext<A = unknown> {
  /** This worker's index, 1 … threads − 1 (the main thread is 0 and runs its own share). */
  readonly worker: number;
  /** Threads taking part, the main thread included. */
  readonly threads: number;
  /** The registration's arguments. */
  readonly args: A;
}

/** A task on a worker: `run(op)` performs operation `op` on this worker's share. */
export interface ParallelTask {
  run(op: number): void;
  /** Called when the task is dropped (releases what the worker allocated for it). */
  dispose?(): void;
}

/** The export a task module provides. */
export type TaskFactory<A = unknown> = (
  context: TaskContext<A>,
) => ParallelTask | Promise<ParallelTask>;

/** Where a task's factory lives: a module URL and the name of the export. */
export interface TaskModule {
  /** Absolute URL of the module (e.g. `new URL('./my-task.ts', import.meta.url).href`). */
  readonly url: string;
  /** Name of the exported {@link TaskFactory}. */
  readonly export: string;
}

/**
 * Runs a user's setup export on a worker: imports `setup.url`, checks that `setup.export` is a
 * function and returns what it returns (awaited). `what` names the setup in the error.
 */
export async function runSetup(setup: TaskModule, args: unknown, what: string): Promise<unknown> {
  const module = (await import(setup.url)) as Record<string, unknown>;
  const factory = module[setup.export];
  if (typeof factory !== 'function') {
    throw new ScichainError(
      'InvalidArgument',
      `${setup.url} has no exported function '${setup.export}' (${what})`,
    );
  }
  return await (factory as (args: unknown) => unknown)(args);
}

/**
 * The URL of a task module next to the calling module, e.g.
 * `siblingModule(import.meta.url, 'data-parallel-task')`: `.ts` when running from the sources,
 * `.js` from a build.
 */
export function siblingModule(base: string, name: string): string {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base).href;
}

/**
 * The share of `n` items (rows, subjects) that thread `index` of `threads` takes: contiguous,
 * sizes differing by at most one, the earlier threads taking the larger shares. Fixed for a given
 * (n, threads), which is what makes results repeat bit for bit.
 */
export function shareOf(
  n: number,
  threads: number,
  index: number,
): { start: number; count: number } {
  return { start: shareStart(n, threads, index), count: shareCount(n, threads, index) };
}

/** `shareOf(n, threads, index).count` without an object (for hot paths). */
export function shareCount(n: number, threads: number, index: number): number {
  return Math.floor(n / threads) + (index < n % threads ? 1 : 0);
}

/** `shareOf(n, threads, index).start` without an object (for hot paths). */
export function shareStart(n: number, threads: number, index: number): number {
  return index * Math.floor(n / threads) + Math.min(index, n % threads);
}
