/**
 * A pool of worker threads that run tasks over shared memory, synchronously from the caller's
 * point of view: `run(task, op, ownShare)` starts operation `op` on every worker, runs the main
 * thread's own share meanwhile, and returns when all are done — a few microseconds of
 * synchronisation through `Atomics` on a control block (see control.ts), no messages.
 *
 * Tasks are registered once (a module URL and an exported factory, with structured-cloned
 * arguments that may carry shared memory) and then run as often as needed, e.g. once per
 * training step. Thread `0` is always the calling thread, so `threads: 1` never starts a worker.
 *
 * The main thread blocks in `Atomics.wait` while it waits for workers: allowed in Node and in
 * Web Workers, not on a browser page's main thread — there, run training in a Web Worker (or
 * use `threads: 1`).
 */
import { ScichainError, requireInteger } from '../errors.ts';
import {
  COMMAND,
  DONE,
  FAILED,
  OP,
  OP_CLOSE,
  REGISTERED,
  SLOT,
  TASK,
  controlBlock,
  readFailure,
  spinLoads,
} from './control.ts';
import { availableCores, canStartWorkers, startWorker, type WorkerHandle } from './host.ts';
import type { TaskModule } from './task.ts';

/** Options of {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /** Threads including the calling one (default: the cores available). */
  threads?: number;
  /** How long a registration (a worker importing a module) may take, in ms (default 60,000). */
  registrationTimeoutMs?: number;
}

/**
 * How long the calling thread spins for a completion before it sleeps in `Atomics.wait`: 200 µs
 * (calibrated in loads, see `spinLoads`, when the first pool with workers starts) — long enough
 * to cover the imbalance of two threads' shares of a training step, after which waking from a
 * sleep costs tens of µs.
 */
let spinLoadCount = 0;

/** Blocks until `control[at]` differs from `value` or `timeoutMs` passes; false on timeout. */
function waitChange(control: Int32Array, at: number, value: number, timeoutMs: number): boolean {
  for (let i = 0; i < spinLoadCount; i++) if (Atomics.load(control, at) !== value) return true;
  if (timeoutMs === Infinity) {
    // The hot path (a run's completions): no clock readings or computed timeouts, whose doubles
    // would be boxed on the way into the runtime.
    while (Atomics.load(control, at) === value) blockingWait(control, at, value);
    return true;
  }
  const start = performance.now();
  while (Atomics.load(control, at) === value) {
    const waited = performance.now() - start;
    if (waited > timeoutMs) return false;
    blockingWait(control, at, value, Math.min(1000, timeoutMs - waited));
  }
  return true;
}

/** `Atomics.wait`, with the error a browser page's main thread gets explained. */
function blockingWait(control: Int32Array, at: number, value: number, timeoutMs?: number): void {
  try {
    Atomics.wait(control, at, value, timeoutMs);
  } catch {
    throw new ScichainError(
      'Unsupported',
      'this thread cannot block in Atomics.wait (a browser page main thread): run the ' +
        'computation in a Web Worker or use threads: 1',
    );
  }
}

/** Worker threads over shared memory; see the module comment. */
export class ThreadPool {
  /** Threads taking part in each run, the calling thread included. */
  readonly threads: number;
  private readonly workers: WorkerHandle[] = [];
  private readonly control: Int32Array;
  private readonly registrationTimeoutMs: number;
  private sequence = 0;
  private nextTask = 1;
  private closed = false;

  constructor(options: ThreadPoolOptions = {}) {
    const threads = options.threads ?? availableCores();
    requireInteger(threads, 'threads', 1);
    this.threads = threads;
    this.registrationTimeoutMs = options.registrationTimeoutMs ?? 60_000;
    const workerCount = threads - 1;
    if (workerCount > 0 && spinLoadCount === 0) spinLoadCount = spinLoads(200);
    this.control = controlBlock(Math.max(1, workerCount));
    if (workerCount > 0 && !canStartWorkers()) {
      throw new ScichainError(
        'Unsupported',
        `threads: ${threads} needs worker threads and SharedArrayBuffer, which this runtime lacks ` +
          '(browsers need cross-origin isolation); use threads: 1',
      );
    }
    for (let slot = 0; slot < workerCount; slot++) {
      const worker = startWorker({ control: this.control, index: slot });
      worker.unref();
      worker.postMessage({ type: 'init', control: this.control, index: slot, threads });
      this.workers.push(worker);
    }
  }

  /**
   * Registers a task on every worker: each imports `module.url` and calls its factory with
   * `args`. Blocks until all have answered; a failure on any worker throws its error.
   * Returns the task's id for {@link run}.
   */
  register(module: TaskModule, args: unknown): number {
    this.checkOpen();
    const id = this.nextTask++;
    for (const w of this.workers) {
      w.postMessage({ type: 'register', id, url: module.url, export: module.export, args });
    }
    for (let slot = 0; slot < this.workers.length; slot++) {
      const at = slot * SLOT + REGISTERED;
      const deadline = performance.now() + this.registrationTimeoutMs;
      for (;;) {
        const seen = Atomics.load(this.control, at);
        if (seen === id || seen === -1) break;
        const left = deadline - performance.now();
        if (left <= 0 || !waitChange(this.control, at, seen, left)) {
          throw new ScichainError(
            'WorkerFailed',
            `worker ${slot + 1} did not register ${module.export} from ${module.url} within ` +
              `${this.registrationTimeoutMs} ms`,
          );
        }
      }
      if (Atomics.load(this.control, slot * SLOT + FAILED) === 1) {
        const message = readFailure(this.control, slot);
        throw new ScichainError('WorkerFailed', `worker ${slot + 1}: ${message}`);
      }
    }
    return id;
  }

  /** Forgets a task on every worker (they release what it allocated). */
  drop(task: number): void {
    if (this.closed) return;
    for (const w of this.workers) w.postMessage({ type: 'drop', id: task });
  }

  /**
   * Runs operation `op` of `task` on every worker while the calling thread runs `ownShare`;
   * returns when all are done. The first failure (the caller's, else the lowest worker's) is
   * thrown after every thread has finished, so no thread is still writing shared buffers.
   */
  run(task: number, op: number, ownShare: () => void): void {
    this.checkOpen();
    const c = this.control;
    const sequence = ++this.sequence;
    for (let slot = 0; slot < this.workers.length; slot++) {
      const base = slot * SLOT;
      c[base + TASK] = task;
      c[base + OP] = op;
      Atomics.store(c, base + COMMAND, sequence);
      Atomics.notify(c, base + COMMAND);
    }
    let failure: unknown = null;
    try {
      ownShare();
    } catch (error) {
      failure = error;
    }
    for (let slot = 0; slot < this.workers.length; slot++) {
      const at = slot * SLOT + DONE;
      for (;;) {
        const seen = Atomics.load(c, at);
        if (seen === sequence) break;
        waitChange(c, at, seen, Infinity);
      }
      if (failure === null && c[slot * SLOT + FAILED] === 1) {
        failure = new ScichainError('WorkerFailed', `worker ${slot + 1}: ${readFailure(c, slot)}`);
      }
    }
    if (failure !== null) throw failure;
  }

  /** Stops the workers. The pool cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const c = this.control;
    for (let slot = 0; slot < this.workers.length; slot++) {
      c[slot * SLOT + OP] = OP_CLOSE;
      Atomics.store(c, slot * SLOT + COMMAND, ++this.sequence);
      Atomics.notify(c, slot * SLOT + COMMAND);
    }
    for (const w of this.workers) w.terminate();
  }

  private checkOpen(): void {
    if (this.closed) throw new ScichainError('InvalidState', 'the thread pool has been closed');
  }
}

const sharedPools = new Map<number, ThreadPool>();

/**
 * The process-wide pool with `threads` threads (default: the cores available), started on first
 * use and shared by every objective that asks for that many threads. Its workers do not keep the
 * process alive.
 */
export function sharedThreadPool(threads = availableCores()): ThreadPool {
  let pool = sharedPools.get(threads);
  if (pool === undefined) {
    pool = new ThreadPool({ threads });
    sharedPools.set(threads, pool);
  }
  return pool;
}

/**
 * Resolves a `threads` option: a positive integer as given, `'auto'` (or undefined) as the cores
 * available.
 */
export function resolveThreads(threads: number | 'auto' | undefined, what = 'threads'): number {
  if (threads === undefined || threads === 'auto') return availableCores();
  requireInteger(threads, what, 1);
  return threads;
}
