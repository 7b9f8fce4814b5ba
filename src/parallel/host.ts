/**
 * What the thread pool needs from its host, in one place: how many cores there are, whether
 * workers over shared memory are possible, and how to start one. Node (worker_threads) and
 * browsers (Web Workers) differ only here; the pool, the worker loop and the kernels are the
 * same code in both.
 *
 * Nothing here imports a `node:` module: under Node they are taken lazily and synchronously
 * through `process.getBuiltinModule` (Node ≥ 20.16), so browser bundles never see them and the
 * module has no top-level await (`require()` of the built ESM works).
 *
 * The worker entry. Workers run `worker-entry.js` next to this module, referenced in the literal
 * form bundlers recognise — `new Worker(new URL('./worker-entry.js', import.meta.url), …)` — so
 * Vite and webpack bundle it as a worker of its own; esbuild leaves the URL as it is, so an
 * esbuild bundle puts `scichain/worker` beside the app as a second entry point named
 * `worker-entry.js` (see docs/performance.md). From the TypeScript sources (tsx, vitest) the
 * entry is `worker-entry.ts`. {@link setWorkerUrl} or the pool's `workerUrl` option overrides it.
 */
import { ScichainError } from '../core/errors.ts';
import { nodeBuiltinIfNode, nodeProcess } from '../io/node-builtins.ts';
import {
  BOOTED,
  DONE,
  EXITED,
  FAILED,
  MESSAGE_BYTES,
  MESSAGE_LENGTH,
  REGISTERED,
  SLOT,
} from './control.ts';

/** The few operations the pool uses on a worker, common to Node and Web Workers. */
export interface WorkerHandle {
  /** The entry the worker runs (for messages). */
  readonly entry: string;
  postMessage(message: unknown): void;
  /** Lets the process exit while the worker idles (Node); no-op in browsers. */
  unref(): void;
  terminate(): void;
  /**
   * Calls `listener` with the cause once the worker has stopped or failed to load (exit code,
   * uncaught error, a message it could not read). Delivered through the event loop, so a caller
   * blocked in a wait learns it only from the worker's own hooks (the Node boot script, the Web
   * Worker's error handlers); this covers the rest, e.g. a browser's 404 for the entry.
   */
  onExit(listener: (cause: string) => void): void;
}

/** What the pool needs of `node:worker_threads` (typed here, not through @types/node). */
interface NodeWorkerThreads {
  Worker: new (
    code: string,
    options: { eval: true; workerData: unknown },
  ) => {
    postMessage(message: unknown): void;
    unref(): void;
    terminate(): unknown;
    on(event: string, listener: (value: unknown) => void): void;
  };
}

/** The Web Worker constructor (the project's lib has no DOM types). */
interface WebWorkerConstructor {
  new (
    url: URL | string,
    options: { type: 'module'; name?: string },
  ): {
    postMessage(message: unknown): void;
    terminate(): void;
    addEventListener(
      type: string,
      listener: (event: { message?: string; preventDefault?: () => void }) => void,
    ): void;
  };
}

/** The global `Worker` of browsers and Web Workers (undefined under Node). */
declare const Worker: WebWorkerConstructor;

/** Whether this is Node (worker_threads) rather than a browser (Web Workers). */
export function isNodeHost(): boolean {
  return nodeProcess() !== undefined;
}

let cores = 0;

/** Cores available to this process (Node) or reported by the browser; at least 1. */
export function availableCores(): number {
  if (cores === 0) {
    const os = nodeBuiltinIfNode<{ availableParallelism(): number }>('node:os');
    const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
    cores = Math.max(1, os !== null ? os.availableParallelism() : (nav?.hardwareConcurrency ?? 1));
  }
  return cores;
}

/** Whether threads are possible here, and if not, why. */
export interface ThreadSupport {
  /** True when worker threads over shared memory can be started. */
  readonly workers: boolean;
  /** Why not (null when they can). */
  readonly reason: string | null;
  /** Cores available ({@link availableCores}). */
  readonly cores: number;
}

/**
 * Whether this runtime can run worker threads over shared memory, and why not: under Node
 * always; in a browser only when the page is cross-origin isolated
 * (`globalThis.crossOriginIsolated`, which the COOP/COEP headers give) and `Worker` exists.
 * `threads: 'auto'` uses one thread where this says no.
 */
export function threadSupport(): ThreadSupport {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  let reason: string | null = null;
  if (nodeProcess() === undefined) {
    if (g.crossOriginIsolated === false) {
      reason =
        'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: ' +
        'same-origin and Cross-Origin-Embedder-Policy: require-corp), so it has no SharedArrayBuffer';
    } else if (typeof g.Worker !== 'function') {
      reason = 'this runtime has no Worker';
    }
  }
  if (
    reason === null &&
    (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined')
  ) {
    reason = 'this runtime has no SharedArrayBuffer or Atomics';
  }
  return { workers: reason === null, reason, cores: availableCores() };
}

/** Whether the host can start workers that share memory with this thread. */
export function canStartWorkers(): boolean {
  return threadSupport().workers;
}

/**
 * A URL as text or as a `URL` object — typed by its `href` so that the published declarations
 * need neither the DOM library nor @types/node.
 */
export type UrlLike = string | { readonly href: string };

let workerUrlOverride: string | null = null;

/**
 * Sets the URL of the worker entry every pool started afterwards uses (unless its own
 * `workerUrl` option says otherwise); `null` restores the default (`worker-entry.js` next to the
 * library's thread pool module). Needed when a bundler leaves the entry elsewhere, e.g. an
 * esbuild bundle whose worker entry point was given another name or folder. A relative URL is
 * resolved against the page (browsers) or the working directory (Node).
 */
export function setWorkerUrl(url: UrlLike | null): void {
  workerUrlOverride = url === null ? null : resolveUrl(url, 'setWorkerUrl');
}

function resolveUrl(given: UrlLike, what: string): string {
  const url = typeof given === 'object' && given !== null ? given.href : given;
  try {
    if (typeof url !== 'string') throw new TypeError('not a string');
    const p = nodeProcess();
    // Node's own name.
    // eslint-disable-next-line @typescript-eslint/naming-convention
    const nodeUrl = nodeBuiltinIfNode<{ pathToFileURL(path: string): { href: string } }>(
      'node:url',
    );
    const base =
      p !== undefined && nodeUrl !== null
        ? nodeUrl.pathToFileURL(`${p.cwd()}/`).href
        : (globalThis as { location?: { href: string } }).location?.href;
    return new URL(url, base).href;
  } catch {
    throw new ScichainError('InvalidArgument', `${what}: ${String(url)} is not a valid URL`);
  }
}

/**
 * The worker entry's URL: `override` (a pool's `workerUrl`), else {@link setWorkerUrl}'s, else
 * `worker-entry.js` next to this module (`.ts` from the sources).
 */
export function workerEntryUrl(override?: UrlLike): string {
  if (override !== undefined) return resolveUrl(override, 'workerUrl');
  if (workerUrlOverride !== null) return workerUrlOverride;
  return defaultEntry().href;
}

function defaultEntry(): URL {
  let url: URL;
  try {
    url = new URL('./worker-entry.js', import.meta.url);
  } catch {
    throw new ScichainError(
      'Unsupported',
      `cannot locate the worker entry: import.meta.url is ${String(import.meta.url)} (a ` +
        'CommonJS bundle?); set it with setWorkerUrl() or the workerUrl option',
    );
  }
  return fromSources() ? new URL(url.href.replace(/\.js$/, '.ts')) : url;
}

function defaultEntryOrNull(): string | null {
  try {
    return defaultEntry().href;
  } catch {
    return null;
  }
}

/** Whether this module runs from the TypeScript sources (tsx, vitest) rather than a build. */
function fromSources(): boolean {
  return String(import.meta.url).endsWith('.ts');
}

/**
 * The boot script of a Node worker (run with `eval`, so it exists in builds and bundles alike):
 * it installs the hooks that report the worker's end into the control block — a failed boot, a
 * `process.exit` in a task, an uncaught error from a timer, a message it cannot read — then
 * imports the entry (after registering the TypeScript loader when the entry is a `.ts` source).
 * The calling thread may be blocked in `Atomics.wait` and unable to receive the Worker's
 * events, so the hooks write the cause where that wait looks and wake it.
 */
const nodeBootScript = `
'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const { entry, tsxBoot, control, index, layout: L } = workerData;
const base = index * L.SLOT;
const describe = (e) => (e instanceof Error ? e.name + ': ' + e.message : String(e));
function writeExit(cause) {
  if (Atomics.load(control, base + L.EXITED) === 1) return;
  const workers = control.length / (L.SLOT + L.MESSAGE_BYTES / 4);
  const bytes = new TextEncoder().encode(cause).subarray(0, L.MESSAGE_BYTES);
  new Uint8Array(control.buffer, workers * L.SLOT * 4 + index * L.MESSAGE_BYTES).set(bytes);
  control[base + L.MESSAGE_LENGTH] = bytes.length;
  Atomics.store(control, base + L.EXITED, 1);
  for (const at of [L.DONE, L.REGISTERED, L.BOOTED]) Atomics.notify(control, base + at);
}
let uncaught = null;
process.on('uncaughtExceptionMonitor', (error, origin) => {
  uncaught ??= describe(error) + (origin === 'unhandledRejection' ? ' (an unhandled rejection)' : '');
});
process.on('exit', (code) => {
  writeExit('exited with code ' + code + (uncaught === null ? '' : ' after an uncaught ' + uncaught));
});
parentPort.on('messageerror', (error) => {
  writeExit('could not read a message from the calling thread (messageerror: ' + describe(error) + ')');
  process.exit(1);
});
(async () => {
  if (tsxBoot !== null) await import(tsxBoot);
  await import(entry);
})().catch((error) => {
  Atomics.store(control, base + L.FAILED, 1);
  Atomics.store(control, base + L.REGISTERED, -1);
  writeExit('failed to load its entry ' + entry + ': ' + describe(error));
  process.exit(1);
});
`;

/**
 * Starts a worker running the entry at `entry` (see {@link workerEntryUrl}). `slot` is where the
 * Node boot script reports a failure into before the entry can.
 */
export function startWorker(
  entry: string,
  slot: { control: Int32Array; index: number },
): WorkerHandle {
  const nodeWorkers = nodeBuiltinIfNode<NodeWorkerThreads>('node:worker_threads');
  if (nodeWorkers !== null) {
    // The TypeScript loader, for entries in the sources (the URL is built, not a literal, so
    // bundlers do not look for the file, which builds do not have).
    const tsxBoot = entry.endsWith('.ts')
      ? String(import.meta.url).replace(/host\.ts$/, 'node-worker-boot.mjs')
      : null;
    const worker = new nodeWorkers.Worker(nodeBootScript, {
      eval: true,
      workerData: {
        entry,
        tsxBoot,
        control: slot.control,
        index: slot.index,
        layout: { SLOT, EXITED, FAILED, REGISTERED, BOOTED, MESSAGE_LENGTH, MESSAGE_BYTES, DONE },
      },
    });
    // An error event (uncaught in the worker) comes before its exit; without a listener it
    // would become an unhandled 'error' event in the main thread.
    let error: unknown = null;
    worker.on('error', (e) => (error ??= e));
    return {
      entry,
      postMessage: (m) => worker.postMessage(m),
      unref: () => worker.unref(),
      terminate: () => void worker.terminate(),
      onExit: (listener) => {
        worker.on('exit', (code) => {
          const after = error === null ? '' : ` after an uncaught ${describe(error)}`;
          listener(`exited with code ${String(code)}${after}`);
        });
        worker.on('messageerror', (e) =>
          listener(`sent a message this thread could not read (messageerror: ${describe(e)})`),
        );
      },
    };
  }
  if (typeof Worker !== 'function') {
    throw new ScichainError('Unsupported', 'this runtime cannot start worker threads');
  }
  // The default entry in the literal form Vite and webpack turn into a worker chunk of their own
  // (Vite reads the options too, so they are a literal object as well).
  const worker =
    !fromSources() && entry === defaultEntryOrNull()
      ? new Worker(new URL('./worker-entry.js', import.meta.url), { type: 'module' })
      : new Worker(entry, { type: 'module', name: `scichain worker ${slot.index + 1}` });
  return {
    entry,
    postMessage: (m) => worker.postMessage(m),
    unref: () => {},
    terminate: () => worker.terminate(),
    onExit: (listener) => {
      // A load failure (404, syntax error, a failing import) is an error event without details;
      // asking the server tells a missing entry from a broken one.
      worker.addEventListener('error', (e) => {
        // Handled here: not passed on as an uncaught error of this thread's scope (the spec's
        // default for a worker's error the creator does not cancel).
        e.preventDefault?.();
        if (e.message !== undefined && e.message !== '') {
          const booted = Atomics.load(slot.control, slot.index * SLOT + BOOTED) === 1;
          listener(
            booted
              ? `stopped after an uncaught error: ${e.message}`
              : `failed to load its entry ${entry}: ${e.message}`,
          );
          return;
        }
        void explainLoadFailure(entry).then((why) =>
          listener(`failed to load its entry ${entry}${why}`),
        );
      });
      worker.addEventListener('messageerror', () =>
        listener('sent a message this thread could not read (messageerror)'),
      );
    },
  };
}

/** Why a Web Worker's entry did not load, as far as a GET of it tells (bounded: 2 s). */
async function explainLoadFailure(entry: string): Promise<string> {
  const g = globalThis as {
    fetch?: (
      url: string,
      init: unknown,
    ) => Promise<{ status: number; statusText: string; ok: boolean }>;
    AbortSignal?: { timeout(ms: number): unknown };
  };
  if (g.fetch === undefined) return '';
  try {
    const signal = g.AbortSignal?.timeout(2000);
    const r = await g.fetch(entry, { signal });
    return r.ok
      ? ' (it was found, so it failed to evaluate: a syntax error or a failing import in it)'
      : `: the server answered ${r.status} ${r.statusText}`.trimEnd();
  } catch (error) {
    return `: fetching it failed (${describe(error)})`;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
