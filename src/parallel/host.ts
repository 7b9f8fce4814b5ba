/**
 * What the thread pool needs from its host, in one place: how many cores there are and how to
 * start a worker. Node (worker_threads) and browsers (Web Workers) differ only here; the pool,
 * the worker loop and the kernels are the same code in both.
 */
import { ScichainError } from '../errors.ts';

/** The few operations the pool uses on a worker, common to Node and Web Workers. */
export interface WorkerHandle {
  postMessage(message: unknown): void;
  /** Lets the process exit while the worker idles (Node); no-op in browsers. */
  unref(): void;
  terminate(): void;
  /**
   * Calls `listener` with the cause once the worker has stopped (exit code, uncaught error).
   * Delivered through the event loop, so a caller blocked in a wait learns it only from the
   * worker's own exit hook (see node-worker-boot.mjs); this covers the rest, e.g. a worker
   * killed for running out of memory.
   */
  onExit(listener: (cause: string) => void): void;
}

interface NodeWorkerModule {
  Worker: new (
    url: URL,
    options: { workerData?: unknown; stdout?: boolean },
  ) => Omit<WorkerHandle, 'onExit'> & {
    on(event: string, listener: (value: unknown) => void): void;
  };
}

interface WebWorkerConstructor {
  new (
    url: URL,
    options: { type: 'module' },
  ): {
    postMessage(message: unknown): void;
    terminate(): void;
    addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
  };
}

const isNode =
  typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions.node;

// Loaded once at module evaluation (top-level await), so starting a worker later is synchronous.
const nodeWorkers: NodeWorkerModule | null = isNode
  ? ((await import('node:worker_threads')) as unknown as NodeWorkerModule)
  : null;
const nodeCores: number | null = isNode ? (await import('node:os')).availableParallelism() : null;

/** Cores available to this process (Node) or reported by the browser; at least 1. */
export function availableCores(): number {
  if (nodeCores !== null) return Math.max(1, nodeCores);
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/** Whether the host can start workers that share memory with this thread. */
export function canStartWorkers(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  return nodeWorkers !== null || typeof (globalThis as { Worker?: unknown }).Worker === 'function';
}

/**
 * Starts a worker running `worker-entry` (through a small boot script under Node, which
 * registers the TypeScript loader when the library runs from its sources). `boot` is what the
 * boot script reports a failure into before the entry can.
 */
export function startWorker(boot: { control: Int32Array; index: number }): WorkerHandle {
  const entry = new URL(
    import.meta.url.endsWith('.ts') ? './worker-entry.ts' : './worker-entry.js',
    import.meta.url,
  );
  if (nodeWorkers !== null) {
    const worker = new nodeWorkers.Worker(new URL('./node-worker-boot.mjs', import.meta.url), {
      workerData: { entry: entry.href, control: boot.control, index: boot.index },
    });
    // An error event (uncaught in the worker) comes before its exit; without a listener it
    // would become an unhandled 'error' event in the main thread.
    let error: unknown = null;
    worker.on('error', (e) => (error ??= e));
    return {
      postMessage: (m) => worker.postMessage(m),
      unref: () => worker.unref(),
      terminate: () => worker.terminate(),
      onExit: (listener) =>
        worker.on('exit', (code) => {
          const after = error === null ? '' : ` after an uncaught ${describe(error)}`;
          listener(`exited with code ${String(code)}${after}`);
        }),
    };
  }
  const WebWorker = (globalThis as { Worker?: WebWorkerConstructor }).Worker;
  if (WebWorker === undefined) {
    throw new ScichainError('Unsupported', 'this runtime cannot start worker threads');
  }
  const worker = new WebWorker(entry, { type: 'module' });
  return {
    postMessage: (m) => worker.postMessage(m),
    unref: () => {},
    terminate: () => worker.terminate(),
    onExit: (listener) =>
      worker.addEventListener('error', (e) =>
        listener(`stopped after an uncaught error: ${e.message ?? 'unknown'}`),
      ),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
