/**
 * The demo's dedicated Web Worker: owns the thread pool (two threads when the page is
 * cross-origin isolated: this worker and one pool worker over shared memory; one thread
 * otherwise), trains the network and fits the Theophylline model, and reports progress and
 * results to the page. A pool's calling thread blocks in `Atomics.wait`, which a page's main
 * thread may not do; a worker may.
 */
import { ThreadPool, threadSupport } from '../../src/parallel/index.ts';
import { wasmFeatures } from '../../src/nn/index.ts';
import { fitTheophylline, trainNetwork } from './compute.ts';
import type { StartMessage, WorkerMessage } from './protocol.ts';

/** The parts of a dedicated worker's global scope used here. */
interface WorkerScope {
  postMessage(message: WorkerMessage): void;
  onmessage: ((event: { data: StartMessage }) => void) | null;
  crossOriginIsolated?: boolean;
}

const scope = globalThis as unknown as WorkerScope;
const post = (message: WorkerMessage): void => scope.postMessage(message);

async function startPool(
  threads: number,
): Promise<{ pool: ThreadPool | undefined; reason: string }> {
  if (threads === 1) return { pool: undefined, reason: 'one thread was asked for (?threads=1)' };
  const support = threadSupport();
  if (!support.workers) {
    return {
      pool: undefined,
      reason: support.reason ?? 'this runtime cannot start worker threads',
    };
  }
  const pool = new ThreadPool({
    threads,
    // The pool's worker entry, built beside this file (examples/browser/pool-worker.ts).
    workerUrl: new URL('./worker-entry.js', import.meta.url),
    bootTimeoutMs: 10_000,
  });
  // Workers start only once this thread returns to its event loop: boot them first.
  await pool.ready();
  return {
    pool,
    reason:
      'the page is cross-origin isolated (COOP/COEP headers), so SharedArrayBuffer exists: ' +
      `this worker and ${pool.threads - 1} pool worker${pool.threads === 2 ? '' : 's'} share memory`,
  };
}

async function run(message: StartMessage): Promise<void> {
  const { settings } = message;
  const csv = await fetch(message.csvUrl, { signal: AbortSignal.timeout(30_000) }).then((r) => {
    if (!r.ok) throw new Error(`cannot load ${message.csvUrl}: HTTP ${r.status}`);
    return r.text();
  });
  const { pool, reason } = await startPool(settings.threads);
  try {
    const f = wasmFeatures();
    post({
      type: 'threads',
      threads: pool?.threads ?? 1,
      reason,
      crossOriginIsolated: scope.crossOriginIsolated === true,
      wasm: { simd: f.simd, relaxedSimd: f.relaxedSimd, sharedMemory: f.sharedMemory },
    });
    let pending: number[] = [];
    let first = 1;
    let lastPost = performance.now();
    const flush = (): void => {
      if (pending.length > 0) post({ type: 'epochs', first, losses: pending });
      first += pending.length;
      pending = [];
      lastPost = performance.now();
    };
    const trained = trainNetwork(settings, pool, (_epoch, loss) => {
      pending.push(loss);
      // postMessage reaches the page while this worker keeps computing.
      if (performance.now() - lastPost >= 50) flush();
    });
    flush();
    post({ type: 'trained', outcome: trained });
    if (settings.fit) post({ type: 'fitted', outcome: fitTheophylline(csv, settings, pool) });
  } finally {
    pool?.close();
  }
}

scope.onmessage = (event) => {
  run(event.data).catch((e: unknown) =>
    post({ type: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
  );
};
