/**
 * What runs on a worker thread: a task module exports a factory; each worker imports the module
 * once per registration, calls the factory with the registration's arguments and then runs the
 * task's operations on command. Arguments are structured-cloned, so they may carry a shared
 * `WebAssembly.Memory` or `SharedArrayBuffer` (shared, not copied) — that is how the main thread
 * and the workers see the same θ, data and result buffers.
 */
import { ScichainError } from '../core/errors.ts';

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

/** Where a task's factory lives: a module URL (or a worker module name) and the export's name. */
export interface TaskModule {
  /**
   * Absolute URL of the module (e.g. `new URL('./my-task.js', import.meta.url).href`), or
   * `scichain:<name>` for a module registered on the workers by name (the library's own tasks,
   * or one of {@link registerWorkerModule}) — which is what works in a bundle, where a worker
   * cannot import source files by URL.
   */
  readonly url: string;
  /** Name of the exported {@link TaskFactory}. */
  readonly export: string;
}

/** The prefix of a worker module's name in {@link TaskModule.url}. */
export const WORKER_MODULE_SCHEME = 'scichain:';

/** A worker module's exports, or a function that loads them (e.g. `() => import('./my-tasks.js')`). */
export type WorkerModule =
  Readonly<Record<string, unknown>> | (() => Promise<Readonly<Record<string, unknown>>>);

const workerModules = new Map<string, WorkerModule>();

/**
 * Makes a module (its exports, or a loader such as `() => import('./my-tasks.js')`, which runs
 * at the first registration naming it) available on worker threads as `scichain:<name>`, so
 * tasks and setups can name it instead of importing a URL. Call it at the top level of a module
 * that the worker entry imports: the library's entry registers its own tasks this way, and a
 * bundled app with its own tasks makes its own worker entry — `import 'scichain/worker';
 * import * as mine from './my-tasks.js'; registerWorkerModule('my-tasks', mine);` — bundled in
 * place of `scichain/worker`.
 */
export function registerWorkerModule(name: string, module: WorkerModule): void {
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) {
    throw new ScichainError(
      'InvalidArgument',
      `a worker module name is letters, digits, '_', '.' or '-', got ${JSON.stringify(name)}`,
    );
  }
  workerModules.set(name, module);
}

/** The {@link TaskModule.url} of worker module `name` (`scichain:<name>`). */
export function workerModuleUrl(name: string): string {
  return `${WORKER_MODULE_SCHEME}${name}`;
}

/**
 * The module behind a {@link TaskModule.url}: a registered worker module for `scichain:<name>`
 * (an error listing the registered ones when there is none), else the module imported from the
 * URL.
 */
export async function loadWorkerModule(url: string): Promise<Readonly<Record<string, unknown>>> {
  if (url.startsWith(WORKER_MODULE_SCHEME)) {
    const name = url.slice(WORKER_MODULE_SCHEME.length);
    const found = workerModules.get(name);
    if (found === undefined) {
      throw new ScichainError(
        'InvalidArgument',
        `no worker module '${name}' on this worker; registered: ${[...workerModules.keys()].join(', ') || 'none'}`,
      );
    }
    return typeof found === 'function' ? await found() : found;
  }
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ url)) as Record<
    string,
    unknown
  >;
}

/**
 * Runs a user's setup export on a worker: loads `setup.url` ({@link loadWorkerModule}), checks
 * that `setup.export` is a function and returns what it returns (awaited). `what` names the
 * setup in the error.
 */
export async function runSetup(setup: TaskModule, args: unknown, what: string): Promise<unknown> {
  const module = await loadWorkerModule(setup.url);
  const factory = Object.hasOwn(module, setup.export) ? module[setup.export] : undefined;
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
 * `siblingModule(import.meta.url, 'my-task')`: `.ts` when running from the sources, `.js` from a
 * build. (The library's own tasks are worker modules, see {@link workerModuleUrl}: a URL next
 * to a module does not exist in a bundle.)
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
