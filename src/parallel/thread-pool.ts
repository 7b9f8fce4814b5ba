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
 * Web Workers, not on a browser page's main thread — there, run the computation in a Web Worker
 * (or use `threads: 1`). In a browser, a worker started by a thread runs only once that thread
 * has returned to its event loop, so a pool there is started asynchronously first:
 * `await pool.ready()` (or {@link prepareThreads} for the shared pools) before the first
 * synchronous call.
 *
 * Bounds. Every wait ends. Booting: the worker entry sets a handshake word first; a worker that
 * has not set it within `bootTimeoutMs` (a missing entry, a browser's 404, an entry that fails
 * to evaluate) is stopped and the call fails naming the worker, its entry and the cause (under
 * Node a missing or broken entry is reported at once by the boot script). Running: a worker that
 * stops — `process.exit` in a task, an error thrown from a timer after its task returned,
 * `self.close()`, a message it cannot read — writes why into the control block before it goes
 * (the Node boot script in host.ts, the Web Worker's handlers in worker-entry.ts), which wakes
 * the waiting caller, and the round (and every later one) fails with `WorkerFailed` naming the
 * worker and the cause. A worker that never finishes (an endless loop) — or one killed from
 * outside without a word (a browser's out-of-memory kill) — is stopped after `roundTimeoutMs`,
 * or a call's `deadlineMs`, when one is set. Liveness is looked at only after the caller's spin,
 * so the hot path reads no clock and no extra word.
 *
 * Resources. Threads are capped at the cores available (`capThreads`). Workers start with the
 * first registration (a pool never used starts none), do not keep the process alive, and are
 * stopped when the pool is closed or collected as garbage.
 */
import { ScichainError } from '../core/errors.ts';
import {
  BOOTED,
  COMMAND,
  DONE,
  EXITED,
  FAILED,
  OP,
  OP_CLOSE,
  REGISTERED,
  SLOT,
  TASK,
  controlBlock,
  readFailure,
  spinLoads,
  writeExit,
} from './control.ts';
import {
  availableCores,
  isNodeHost,
  startWorker,
  threadSupport,
  workerEntryUrl,
  type WorkerHandle,
  type UrlLike,
} from './host.ts';
import type { TaskModule } from './task.ts';
import { capThreads } from './thread-choice.ts';

/** Options of {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /**
   * Threads including the calling one (default: the cores available). A count above
   * `maxThreads` is clamped to it (the request stays in {@link ThreadPool.requestedThreads}); a
   * non-integer or a count below 1 is an error.
   */
  threads?: number;
  /** The cap on `threads` (default: the cores available; raise it only to test thread counts). */
  maxThreads?: number;
  /**
   * How long a worker may take to start — load its entry and answer the boot handshake — in ms
   * (default 10,000: a cold start from the TypeScript sources on a loaded machine takes a few
   * seconds, from a build or a bundle tens of ms). A worker that has not answered by then is
   * stopped and the call fails naming it and its entry.
   */
  bootTimeoutMs?: number;
  /**
   * How long a registration (a started worker importing a module and running the task's
   * factory) may take, in ms (default 60,000). A worker that has not answered by then is stopped
   * and the pool fails.
   */
  registrationTimeoutMs?: number;
  /**
   * How long one round (`run`) may take, in ms (default: no limit). A worker still busy then is
   * stopped and the round fails naming it, as does every later one. No default bound, since a
   * round is the caller's own work (a subject's stiff solve may rightly take minutes); a worker
   * that dies is reported at once without one. Set it to bound a task that may never return.
   * A call's own `deadlineMs` ({@link ThreadPool.run}) takes its place for that call.
   */
  roundTimeoutMs?: number;
  /**
   * The worker entry's URL (default: `worker-entry.js` beside the library's thread pool module,
   * or what {@link scichain/parallel!setWorkerUrl} set). For bundles that put the entry elsewhere.
   */
  workerUrl?: UrlLike;
}

/**
 * How long the calling thread spins for a completion before it sleeps in `Atomics.wait`: 200 µs
 * (calibrated in loads, see `spinLoads`, when the first pool with workers starts) — long enough
 * to cover the imbalance of two threads' shares of a training step, after which waking from a
 * sleep costs tens of µs.
 */
let spinLoadCount = 0;

/**
 * Longest single sleep of the caller's slow path, in ms: between sleeps it looks at the worker's
 * EXITED word (a stop the worker could not report wakes it within this) and counts elapsed time
 * in sleeps, without a clock.
 */
const SLEEP_MS = 50;

/** How a wait for a worker ended. */
const Wait = { Changed: 0, Exited: 1, TimedOut: 2 } as const;
type Wait = (typeof Wait)[keyof typeof Wait];

/** `Atomics.wait`, with the error a browser page's main thread gets explained. */
function blockingWait(control: Int32Array, at: number, value: number, timeoutMs: number): string {
  try {
    return Atomics.wait(control, at, value, timeoutMs);
  } catch {
    throw new ScichainError(
      'Unsupported',
      'this thread cannot block in Atomics.wait (a browser page main thread): run the ' +
        'computation in a Web Worker or use threads: 1',
    );
  }
}

/** What a collected pool leaves behind to stop: its workers. */
const abandoned = new FinalizationRegistry<WorkerHandle[]>((workers) => {
  for (const w of workers) w.terminate();
});

/** Worker threads over shared memory; see the module comment. */
export class ThreadPool {
  /** Threads taking part in each run, the calling thread included. */
  readonly threads: number;
  /** The thread count asked for (above {@link threads} when it was clamped to the cores). */
  readonly requestedThreads: number;
  private readonly workers: WorkerHandle[] = [];
  private readonly control: Int32Array;
  private readonly bootTimeoutMs: number;
  private readonly registrationTimeoutMs: number;
  private readonly roundTimeoutMs: number;
  /** The worker entry's URL. */
  readonly workerUrl: string;
  /** Whether every worker has answered the boot handshake. */
  private booted = false;
  /** The round's bound in sleeps of `sleepMs` (−1: none), and the sleep length. */
  private readonly roundSleeps: number;
  private readonly sleepMs: number;
  /** Sleeps left of the current round's bound. */
  private sleepsLeft = -1;
  private sequence = 0;
  private nextTask = 1;
  private closed = false;
  /** Set once a worker has stopped or been stopped: the pool can run nothing more. */
  private broken: ScichainError | null = null;

  constructor(options: ThreadPoolOptions = {}) {
    const requested = options.threads ?? availableCores();
    this.requestedThreads = requested;
    this.threads = capThreads(requested, 'threads', options.maxThreads);
    this.bootTimeoutMs = positiveMs(options.bootTimeoutMs, 10_000, 'bootTimeoutMs');
    this.registrationTimeoutMs = positiveMs(
      options.registrationTimeoutMs,
      60_000,
      'registrationTimeoutMs',
    );
    this.roundTimeoutMs = positiveMs(options.roundTimeoutMs, Infinity, 'roundTimeoutMs');
    this.sleepMs = Number.isFinite(this.roundTimeoutMs)
      ? Math.max(1, Math.min(SLEEP_MS, Math.ceil(this.roundTimeoutMs)))
      : SLEEP_MS;
    this.roundSleeps = Number.isFinite(this.roundTimeoutMs)
      ? Math.ceil(this.roundTimeoutMs / this.sleepMs)
      : -1;
    const workerCount = this.threads - 1;
    if (workerCount > 0) {
      const support = threadSupport();
      if (!support.workers) {
        throw new ScichainError(
          'Unsupported',
          `threads: ${this.threads} needs worker threads over shared memory, and ${support.reason}; ` +
            "use threads: 1, or 'auto' (which picks one thread here)",
        );
      }
    }
    this.control = controlBlock(Math.max(1, workerCount));
    this.workerUrl = workerCount > 0 ? workerEntryUrl(options.workerUrl) : '';
    this.booted = workerCount === 0;
  }

  /** Workers running now (0 before the first registration and after close). */
  get liveWorkers(): number {
    let live = 0;
    for (let slot = 0; slot < this.workers.length; slot++) {
      if (Atomics.load(this.control, slot * SLOT + EXITED) === 0) live++;
    }
    return this.closed ? 0 : live;
  }

  /**
   * Starts the workers, once: at the first registration or {@link ready}, so an unused pool
   * costs nothing.
   */
  private start(): void {
    const workerCount = this.threads - 1;
    if (this.workers.length === workerCount) return;
    if (spinLoadCount === 0) spinLoadCount = spinLoads(200);
    for (let slot = 0; slot < workerCount; slot++) {
      let worker: WorkerHandle;
      try {
        worker = startWorker(this.workerUrl, { control: this.control, index: slot });
      } catch (error) {
        // E.g. a URL the browser refuses (another origin): what the worker would have said.
        for (const w of this.workers) w.terminate();
        throw this.fail(
          `worker ${slot + 1} could not be started from ${this.workerUrl}: ${describe(error)}`,
        );
      }
      worker.unref();
      // When this thread's event loop runs before the worker could say why it stopped. (The
      // listener holds the control block, not the pool, so the pool can still be collected.)
      const control = this.control;
      worker.onExit((cause) => writeExit(control, slot, cause));
      worker.postMessage({
        type: 'init',
        control: this.control,
        index: slot,
        threads: this.threads,
      });
      this.workers.push(worker);
    }
    abandoned.register(this, this.workers, this);
  }

  /**
   * Starts the workers (if not yet started) and resolves once every one has answered the boot
   * handshake, without blocking this thread; rejects with `WorkerFailed` naming the worker, its
   * entry and the cause when one fails to load (a browser's 404 included) or has not answered
   * within `bootTimeoutMs`. Required in browsers before the first synchronous call (a worker
   * there starts only once its creator returns to its event loop); optional under Node, where it
   * moves the start-up (tens of ms, seconds from the TypeScript sources) out of the first call.
   */
  async ready(): Promise<void> {
    this.checkUsable();
    if (this.booted) return;
    this.start();
    const t0 = performance.now();
    for (let slot = 0; slot < this.workers.length; slot++) {
      for (;;) {
        if (Atomics.load(this.control, slot * SLOT + BOOTED) === 1) break;
        if (Atomics.load(this.control, slot * SLOT + EXITED) === 1) throw this.bootFailed(slot);
        if (this.broken !== null) throw this.broken;
        if (this.closed) this.checkUsable();
        if (performance.now() - t0 > this.bootTimeoutMs) throw this.bootTimedOut(slot);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    this.booted = true;
  }

  /**
   * The synchronous boot wait of the first registration: bounded sleeps until every worker has
   * answered the handshake. In a browser a worker cannot start while this thread blocks, so
   * there it is an error asking for {@link ready} first.
   */
  private awaitBoot(): void {
    if (this.booted) return;
    for (let slot = 0; slot < this.workers.length; slot++) {
      this.blockUntil(slot, slot * SLOT + BOOTED, (seen) => seen === 1, this.bootTimeoutMs, {
        exited: () => this.bootFailed(slot),
        timedOut: () => this.bootTimedOut(slot),
        beforeSleep: () => {
          if (isNodeHost()) return;
          throw new ScichainError(
            'InvalidState',
            `worker ${slot + 1} has not started yet: in a browser a worker starts only once the ` +
              'thread that created it returns to its event loop, so start the pool first with ' +
              '`await pool.ready()` (or `await prepareThreads(n)` for the shared pools)',
          );
        },
      });
    }
    this.booted = true;
  }

  /**
   * Blocks until word `at` of worker `slot` satisfies `reached`, in sleeps of at most 50 ms
   * between which it looks at whether the worker stopped; throws what `exited` or (after
   * `timeoutMs`) `timedOut` returns. The waits of boot and registration (not of rounds, whose
   * hot path spins first).
   */
  private blockUntil(
    slot: number,
    at: number,
    reached: (seen: number) => boolean,
    timeoutMs: number,
    on: { exited: () => Error; timedOut: () => Error; beforeSleep?: () => void },
  ): void {
    const sleepMs = Math.min(SLEEP_MS, Math.max(1, Math.ceil(timeoutMs)));
    let left = Math.ceil(timeoutMs / sleepMs);
    for (;;) {
      const seen = Atomics.load(this.control, at);
      if (reached(seen)) return;
      if (Atomics.load(this.control, slot * SLOT + EXITED) === 1) throw on.exited();
      on.beforeSleep?.();
      if (left-- <= 0) throw on.timedOut();
      blockingWait(this.control, at, seen, sleepMs);
    }
  }

  private bootFailed(slot: number): ScichainError {
    const cause = readFailure(this.control, slot);
    // The boot script names the entry when loading it failed; otherwise the worker went later.
    const where = cause.includes(this.workerUrl)
      ? ''
      : ` before answering the boot handshake (is ${this.workerUrl} a scichain worker entry?)`;
    return this.fail(
      `worker ${slot + 1} ${cause}${where}; the pool is unusable: close it and make a new one`,
    );
  }

  private bootTimedOut(slot: number): ScichainError {
    this.stopWorker(
      slot,
      `did not start within ${this.bootTimeoutMs} ms (its entry ${this.workerUrl} was not ` +
        'loaded, or failed before answering: missing, a 404, an error while it loads)',
    );
    return this.broken!;
  }

  /**
   * Registers a task on every worker: each loads `module.url` (a URL, or `scichain:<name>` for
   * a worker module) and calls its factory with `args`. Blocks until all have answered (at most
   * `bootTimeoutMs` for the workers to start, the first time, then `registrationTimeoutMs`); a
   * failure on any worker throws its error. Returns the task's id for {@link run}.
   */
  register(module: TaskModule, args: unknown): number {
    this.checkUsable();
    this.start();
    this.awaitBoot();
    const id = this.nextTask++;
    for (const w of this.workers) {
      w.postMessage({ type: 'register', id, url: module.url, export: module.export, args });
    }
    const what = `${module.export} from ${module.url}`;
    for (let slot = 0; slot < this.workers.length; slot++) {
      const exited = () =>
        this.fail(`worker ${slot + 1} ${readFailure(this.control, slot)} (registering ${what})`);
      this.blockUntil(
        slot,
        slot * SLOT + REGISTERED,
        (seen) => seen === id || seen === -1,
        this.registrationTimeoutMs,
        {
          exited,
          timedOut: () => {
            this.stopWorker(
              slot,
              `did not register ${what} within ${this.registrationTimeoutMs} ms`,
            );
            return this.broken!;
          },
        },
      );
      if (Atomics.load(this.control, slot * SLOT + EXITED) === 1) throw exited();
      if (Atomics.load(this.control, slot * SLOT + FAILED) === 1) {
        const message = readFailure(this.control, slot);
        throw new ScichainError('WorkerFailed', `worker ${slot + 1}: ${message}`);
      }
    }
    return id;
  }

  /** Forgets a task on every worker (they release what it allocated). */
  drop(task: number): void {
    if (this.closed || this.broken !== null) return;
    for (const w of this.workers) w.postMessage({ type: 'drop', id: task });
  }

  /**
   * Runs operation `op` of `task` on every worker while the calling thread runs `ownShare`;
   * returns when all are done. The first failure (a stopped worker's, else the caller's, else the
   * lowest worker's) is thrown after every thread has finished or stopped, so no thread is still
   * writing shared buffers. `deadlineMs` bounds this call's wait for the workers (in place of
   * `roundTimeoutMs`): a worker still busy then is stopped and the call fails naming it.
   */
  run(task: number, op: number, ownShare: () => void, deadlineMs?: number): void {
    this.checkUsable();
    if (deadlineMs !== undefined) positiveMs(deadlineMs, Infinity, 'deadlineMs');
    const c = this.control;
    const workers = this.workers.length;
    // A worker that stopped since the last round (between rounds its exit hook has run).
    for (let slot = 0; slot < workers; slot++) {
      if (Atomics.load(c, slot * SLOT + EXITED) === 1) throw this.exited(slot, task, op);
    }
    const sequence = ++this.sequence;
    for (let slot = 0; slot < workers; slot++) {
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
    this.sleepsLeft = this.roundSleeps;
    let sleepMs = this.sleepMs;
    let bound = this.roundTimeoutMs;
    if (deadlineMs !== undefined && Number.isFinite(deadlineMs)) {
      sleepMs = Math.max(1, Math.min(SLEEP_MS, Math.ceil(deadlineMs)));
      this.sleepsLeft = Math.ceil(deadlineMs / sleepMs);
      bound = deadlineMs;
    }
    let stopped: ScichainError | null = null;
    for (let slot = 0; slot < workers; slot++) {
      const at = slot * SLOT + DONE;
      let seen = Atomics.load(c, at);
      // The hot path: a spin of loads, no clock, no other word.
      for (let i = 0; i < spinLoadCount && seen !== sequence; i++) seen = Atomics.load(c, at);
      if (seen !== sequence) {
        const waited = this.awaitDone(slot, sequence, sleepMs);
        if (waited === Wait.Exited) stopped ??= this.exited(slot, task, op);
        else if (waited === Wait.TimedOut) {
          this.stopWorker(
            slot,
            `did not finish operation ${op} of task ${task} within ${bound} ms`,
          );
          stopped ??= this.broken;
        }
        if (waited !== Wait.Changed) continue;
      }
      if (failure === null && c[slot * SLOT + FAILED] === 1) {
        failure = new ScichainError('WorkerFailed', `worker ${slot + 1}: ${readFailure(c, slot)}`);
      }
    }
    if (stopped !== null) throw stopped;
    if (failure !== null) throw failure;
  }

  /**
   * The slow path of a round's wait for worker `slot`: sleeps of `sleepMs`, between which it looks
   * at whether the worker stopped and, with a round bound, whether the bound is spent.
   */
  private awaitDone(slot: number, sequence: number, sleepMs: number): Wait {
    const c = this.control;
    const at = slot * SLOT + DONE;
    for (;;) {
      const seen = Atomics.load(c, at);
      if (seen === sequence) return Wait.Changed;
      if (Atomics.load(c, slot * SLOT + EXITED) === 1) return Wait.Exited;
      if (this.sleepsLeft === 0) return Wait.TimedOut;
      if (blockingWait(c, at, seen, sleepMs) === 'timed-out' && this.sleepsLeft > 0) {
        this.sleepsLeft--;
      }
    }
  }

  /** The error of a worker that stopped by itself; the pool is unusable from now on. */
  private exited(slot: number, task: number, op: number): ScichainError {
    return this.fail(
      `worker ${slot + 1} ${readFailure(this.control, slot)} (task ${task}, operation ${op}); ` +
        'the pool is unusable: close it and make a new one',
    );
  }

  /** Stops a worker that overran a bound, recording why; the pool is unusable from now on. */
  private stopWorker(slot: number, why: string): void {
    const cause = `${why}; it was stopped`;
    writeExit(this.control, slot, cause);
    this.workers[slot].terminate();
    this.fail(`worker ${slot + 1} ${cause}; the pool is unusable: close it and make a new one`);
  }

  private fail(message: string): ScichainError {
    this.broken ??= new ScichainError('WorkerFailed', message);
    return this.broken;
  }

  /** Stops the workers. The pool cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    abandoned.unregister(this);
    const c = this.control;
    for (let slot = 0; slot < this.workers.length; slot++) {
      c[slot * SLOT + OP] = OP_CLOSE;
      Atomics.store(c, slot * SLOT + COMMAND, ++this.sequence);
      Atomics.notify(c, slot * SLOT + COMMAND);
    }
    for (const w of this.workers) w.terminate();
  }

  /** Whether the pool can still run tasks (not closed, no worker stopped). */
  get usable(): boolean {
    return !this.closed && this.broken === null;
  }

  private checkUsable(): void {
    if (this.broken !== null) throw this.broken;
    if (this.closed) throw new ScichainError('InvalidState', 'the thread pool has been closed');
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A duration option in ms: positive (Infinity allowed), else an error naming it. */
function positiveMs(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0)) {
    throw new ScichainError(
      'InvalidArgument',
      `${what} must be a positive number of ms, got ${value}`,
    );
  }
  return value;
}

const sharedPools = new Map<number, ThreadPool>();

/**
 * The process-wide pool with `threads` threads (default: the cores available; capped at them),
 * started on first use and shared by every objective that asks for that many threads. Its
 * workers do not keep the process alive. A pool that became unusable (a worker stopped) is
 * replaced by a new one.
 */
export function sharedThreadPool(
  threads = availableCores(),
  options: { bootTimeoutMs?: number } = {},
): ThreadPool {
  const count = capThreads(threads);
  let pool = sharedPools.get(count);
  if (pool === undefined || !pool.usable) {
    pool?.close(); // a broken pool's other workers
    pool = new ThreadPool({ threads: count, ...options });
    sharedPools.set(count, pool);
  }
  return pool;
}

/**
 * Resolves a `threads` option: a positive integer up to the cores available (above is clamped,
 * see `capThreads`), `'auto'` (or undefined) as the cores available — one where workers cannot
 * run (a browser page that is not cross-origin isolated; {@link threadSupport} says why).
 */
export function resolveThreads(threads: number | 'auto' | undefined, what = 'threads'): number {
  if (threads === undefined || threads === 'auto') {
    return threadSupport().workers ? availableCores() : 1;
  }
  return capThreads(threads, what);
}

/**
 * Starts the shared pool for `threads` ({@link resolveThreads}: `'auto'` by default) and waits
 * for its workers to boot ({@link ThreadPool.ready}); resolves to the thread count. Call it once
 * before synchronous threaded work in a browser (in the Web Worker that runs the computation),
 * where workers start only while their creator is idle; under Node it merely moves start-up
 * out of the first call. `bootTimeoutMs` bounds the wait when the shared pool is made here.
 */
export async function prepareThreads(
  threads: number | 'auto' = 'auto',
  options: { bootTimeoutMs?: number } = {},
): Promise<number> {
  const count = resolveThreads(threads);
  if (count > 1) await sharedThreadPool(count, options).ready();
  return count;
}
