/**
 * `scichain/parallel`: the thread pool (worker threads in Node, Web Workers in browsers, over
 * shared memory), how many threads a call gets, and the task protocol for running your own work
 * on the pool's workers. Bundlers: emit `scichain/worker` as a second entry point named
 * `worker-entry.js` next to the bundle (see the README).
 *
 * @module scichain/parallel
 */

/** The pool of workers, the process-wide shared pool, and `threads` option resolution. */
export {
  ThreadPool,
  type ThreadPoolOptions,
  sharedThreadPool,
  resolveThreads,
  prepareThreads,
} from './thread-pool.ts';
/** Cores, whether threads are possible here (and why not), where the worker entry is. */
export {
  availableCores,
  threadSupport,
  type ThreadSupport,
  setWorkerUrl,
  type UrlLike,
} from './host.ts';
/** How many threads `'auto'` picks for a problem size, and the sizes it starts from. */
export {
  chooseThreads,
  THREADS_MIN_MULTIPLY_ADDS,
  THREADS_MIN_ROWS,
  type ThreadChoice,
} from './thread-choice.ts';
/** The task protocol: a module exporting a factory that runs operations on a worker. */
export {
  registerWorkerModule,
  workerModuleUrl,
  type WorkerModule,
  type ParallelTask,
  type TaskContext,
  type TaskFactory,
  type TaskModule,
} from './task.ts';
